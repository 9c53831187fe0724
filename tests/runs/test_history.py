"""The history: every run a user may see, newest first, searched and filtered; a run's page
and what its owner does with it."""

import datetime
import re
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from playground.presets.models import Preset
from playground.runs.models import Run
from tests.presets.factories import make_preset, make_team
from tests.runs.factories import make_run, make_user
from tests.xss_payloads import assert_inert

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client):
    user = make_user("alice")
    client.force_login(user)
    return user


def listed(client, query: str = "") -> list[str]:
    """The run ids the history lists for ``query`` (a query string without '?')."""
    response = client.get(f"/history/?{query}")
    assert response.status_code == 200
    return [
        line.split('data-run="')[1][:36]
        for line in response.content.decode().split("\n")
        if 'data-run="' in line
    ]


def test_the_history_lists_the_users_runs_newest_first(client, alice):
    now = timezone.now()
    old = make_run(user=alice, prompt="old", created=now - datetime.timedelta(days=2))
    new = make_run(user=alice, prompt="new", created=now)
    assert listed(client) == [str(new.pk), str(old.pk)]


def test_a_user_never_sees_another_users_private_runs(client, alice):
    bob = make_user("bob")
    mine = make_run(user=alice, prompt="mine")
    theirs = make_run(user=bob, prompt="bob's secret plan")
    assert listed(client) == [str(mine.pk)]
    assert listed(client, "q=secret") == []
    assert client.get(f"/history/{theirs.pk}/").status_code == 404
    # Nor may they act on it: the same 404 as a run that does not exist.
    for action in ("star", "note", "delete", "save-preset"):
        assert client.post(f"/history/{theirs.pk}/{action}/", {"name": "x"}).status_code == 404
    assert Run.objects.filter(pk=theirs.pk).exists()
    assert client.get(f"/history/{uuid.uuid4()}/").status_code == 404


def test_team_members_read_the_runs_of_their_team_presets_but_do_not_change_them(client, alice):
    make_user("bob")
    team = make_team("Core", alice="viewer", bob="owner")
    bob = team.members.get(username="bob")
    team_run = make_run(user=bob, prompt="team work", team=team)
    bob_private = make_run(user=bob, prompt="bob alone")
    assert listed(client) == [str(team_run.pk)]
    page = client.get(f"/history/{team_run.pk}/").content.decode()
    assert "team work" in page and "Delete run" not in page
    assert client.post(f"/history/{team_run.pk}/delete/").status_code == 404
    assert client.get(f"/history/{bob_private.pk}/").status_code == 404


def test_admins_see_every_run(client):
    admin = make_user("root", is_staff=True)
    client.force_login(admin)
    run = make_run(user=make_user("bob"), prompt="anything")
    assert listed(client) == [str(run.pk)]


def test_search_finds_prompt_and_reply_words(client, alice):
    weather = make_run(user=alice, prompt="What is the weather in Paris?", reply="Sunny.")
    make_run(user=alice, prompt="Write a haiku", reply="Autumn moon")
    assert listed(client, "q=paris") == [str(weather.pk)]
    assert listed(client, "q=sunny") == [str(weather.pk)]
    assert listed(client, "q=weather+paris") == [str(weather.pk)]
    assert listed(client, "q=weather+haiku") == []


def test_search_finds_chinese_words_inside_sentences(client, alice):
    run = make_run(user=alice, prompt="今天天气很好，我们去公园吧。", reply="好的！")
    make_run(user=alice, prompt="明天下雨")
    assert listed(client, "q=天气") == [str(run.pk)]
    assert listed(client, "q=公园") == [str(run.pk)]
    assert listed(client, "q=天空") == []


@pytest.mark.parametrize(
    "query", ["%", "_", "'", '"', "100%_done", "a'b\"c", "\\", "<script>", "x" * 10_000, "\x00"]
)
def test_search_text_of_any_kind_is_answered_never_a_500(client, alice, query):
    make_run(user=alice, prompt='100%_done it\'s "quoted"')
    response = client.get("/history/", {"q": query})
    assert response.status_code == 200
    if len(query) > 500:
        assert "at most 500 are searched" in response.content.decode()


def test_percent_and_underscore_are_matched_as_themselves(client, alice):
    literal = make_run(user=alice, prompt="progress: 100%_done")
    make_run(user=alice, prompt="progress: 100 done")
    if connection.vendor == "sqlite":
        assert listed(client, "q=100%25_done") == [str(literal.pk)]
    assert str(literal.pk) in listed(client, "q=progress")


def test_filters_narrow_the_list(client, alice):
    now = timezone.now()
    a = make_run(user=alice, model="gpt-4o", provider="openai", status="finished", created=now)
    b = make_run(
        user=alice,
        model="llama3",
        provider="ollama",
        status="stopped",
        mode="completion",
        starred=True,
        created=now - datetime.timedelta(days=10),
    )
    assert listed(client, "model=gpt-4o") == [str(a.pk)]
    assert listed(client, "provider=ollama") == [str(b.pk)]
    assert listed(client, "status=stopped") == [str(b.pk)]
    assert listed(client, "mode=completion") == [str(b.pk)]
    assert listed(client, "starred=on") == [str(b.pk)]
    since = (now - datetime.timedelta(days=1)).date().isoformat()
    assert listed(client, f"since={since}") == [str(a.pk)]
    until = (now - datetime.timedelta(days=5)).date().isoformat()
    assert listed(client, f"until={until}") == [str(b.pk)]


def test_a_bad_filter_is_named_and_left_out(client, alice):
    make_run(user=alice)
    page = client.get("/history/?status=lost&since=9999-99-99&preset=nope").content.decode()
    assert "<code>status</code>: must be one of finished, stopped, failed, refused" in page
    assert "<code>since</code>: must be a date such as 2026-12-02" in page
    assert "<code>preset</code>: must be a preset" in page
    assert client.get("/history/?since=9999-12-31&until=9999-12-31").status_code == 200


def test_the_history_is_paged(client, alice, settings):
    settings.PLAYGROUND_HISTORY_PAGE_SIZE = 2
    for number in range(5):
        make_run(user=alice, prompt=f"run {number}")
    assert len(listed(client)) == 2
    assert len(listed(client, "page=3")) == 1
    assert "Page 1 of 3" in client.get("/history/").content.decode()


def test_a_runs_page_shows_the_request_reply_usage_and_cost(client, alice):
    run = make_run(user=alice, prompt="<b>bold</b> question", reply="<script>alert(1)</script>")
    page = client.get(f"/history/{run.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; question" in page
    assert "10 prompt + 5 completion = 15" in page
    assert "$0.001" in page


def test_a_runs_page_shows_the_reply_as_markdown_and_as_raw_text(client, alice):
    reply = "| tide |\n|---|\n| high |\n\n```python\nx = 1\n```\n<img src=x onerror=alert(1)>"
    run = make_run(user=alice, reply=reply)
    page = client.get(f"/history/{run.pk}/").content.decode()
    rendered = re.search(
        r'<div class="reply-rendered markdown">(.*?)</div>\s*<pre class="run-reply', page, re.S
    )
    assert rendered and "<td>high</td>" in rendered.group(1)
    assert '<pre class="highlight"><code><span class="n">x</span>' in rendered.group(1)
    assert_inert(rendered.group(1))
    assert '<pre class="run-reply reply-raw">| tide |' in page  # the raw view
    assert "<img" not in page


def test_an_unknown_cost_reads_unknown(client, alice):
    run = make_run(user=alice, cost=None)
    assert "unknown" in client.get(f"/history/{run.pk}/").content.decode()


def test_star_note_and_delete(client, alice):
    run = make_run(user=alice)
    client.post(f"/history/{run.pk}/star/", {"starred": "on"})
    run.refresh_from_db()
    assert run.starred
    client.post(f"/history/{run.pk}/note/", {"note": "the good one"})
    run.refresh_from_db()
    assert run.note == "the good one"
    too_long = client.post(f"/history/{run.pk}/note/", {"note": "n" * 5001}, follow=True)
    assert "note: at most 5,000 characters" in too_long.content.decode()
    client.post(f"/history/{run.pk}/delete/")
    assert not Run.objects.filter(pk=run.pk).exists()


def test_open_in_playground_restores_the_form_exactly(client, alice):
    run = make_run(user=alice, prompt="Restore me", model="gpt-4o")
    run.request["body"].update(temperature=0.3, max_tokens=77)
    run.save()
    page = client.get(f"/?run={run.pk}").content.decode()
    assert "Restore me" in page
    assert 'value="0.3"' in page and 'value="77"' in page
    assert "Opened from the" in page
    other = make_run(user=make_user("bob"))
    assert "No run you may open has this id." in client.get(f"/?run={other.pk}").content.decode()


def test_a_run_whose_text_was_deleted_keeps_its_metadata(client, alice):
    run = make_run(user=alice, request=None, output=None, text_deleted_at=timezone.now())
    page = client.get(f"/history/{run.pk}/").content.decode()
    assert "were deleted" in page and "Open in playground" not in page


def test_save_as_preset_and_as_a_new_version(client, alice):
    run = make_run(user=alice, prompt="Keep me")
    response = client.post(f"/history/{run.pk}/save-preset/", {"name": "Kept"})
    preset = Preset.objects.get(name="Kept")
    assert response["Location"] == f"/presets/{preset.pk}/"
    assert preset.versions.get().request["body"] == run.request["body"]
    from_preset = make_preset(alice, "Greeter")
    run.preset = from_preset
    run.save()
    client.post(f"/history/{run.pk}/save-preset/", {"as": "version"})
    assert from_preset.versions.count() == 2
    assert from_preset.versions.order_by("-number").first().request["body"] == run.request["body"]


def test_the_count_stops_at_the_cap_and_says_so(client, alice, settings, monkeypatch):
    monkeypatch.setattr("playground.runs.views.COUNT_CAP", 3)
    settings.PLAYGROUND_HISTORY_PAGE_SIZE = 2
    for number in range(6):
        make_run(user=alice, prompt=f"run {number}")
    page = client.get("/history/").content.decode()
    assert "Page 1 of 2+ (more than 3 runs match" in page

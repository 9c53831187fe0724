"""Preset pages as a user sees them: list and search, history and diff, import/export, trash,
saving from the playground page (with the stale-version refusal) and opening into the editor."""

import io
import json
import re
import uuid
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from playground.presets.models import Preset
from playground.presets.services import preset_delete, preset_save
from tests.presets.factories import make_preset, make_request, make_team, make_user
from tests.providerconfig.factories import make_provider_config

pytestmark = pytest.mark.django_db

PAGE_FORM = {
    "action": "run",
    "provider": "offline",
    "model": "offline-1",
    "system": "Be brief.",
    "messages-0-role": "user",
    "messages-0-content": "Hello there",
    "temperature": "0.4",
}


@pytest.fixture
def alice(client) -> User:
    user = make_user("alice")
    client.force_login(user)
    return user


def test_list_searches_and_filters(client, alice):
    bob = make_user("bob")
    team = make_team("Core", alice="editor", bob="editor")
    make_preset(alice, "Alpha", tags="support")
    make_preset(
        bob, "Bob's team preset", description="Summaries", team_id=team.pk, visibility="team"
    )
    make_preset(bob, "Bob's private")

    def names(**params):
        page = client.get("/presets/", params).content.decode()
        return {n for n in ("Alpha", "Bob&#x27;s team preset", "Bob&#x27;s private") if n in page}

    assert names() == {"Alpha", "Bob&#x27;s team preset"}
    assert names(scope="mine") == {"Alpha"}
    assert names(scope="shared") == {"Bob&#x27;s team preset"}
    assert names(scope="team") == {"Bob&#x27;s team preset"}
    assert names(q="summaries") == {"Bob&#x27;s team preset"}
    assert names(q="SUPPORT") == {"Alpha"}
    assert names(q="offline-1") == {"Alpha", "Bob&#x27;s team preset"}


def test_list_search_answers_a_partial_to_htmx(client, alice):
    make_preset(alice, "Mine")
    response = client.get(
        "/presets/", {"q": "mine"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="preset-results"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="preset-results">') and "Mine" in body
    assert "<html" not in body


def test_user_text_is_escaped(client, alice):
    preset = make_preset(alice, "<script>alert(1)</script>", description="<b>x</b>")
    page = client.get(f"/presets/{preset.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>x</b>" not in page


def test_history_and_diff_between_two_versions(client, alice):
    preset = make_preset(alice, request=make_request("Say hello", temperature=0.2))
    preset_save(
        preset_id=preset.pk,
        author=alice,
        request=make_request("Say goodbye", temperature=0.9),
        base_version=1,
        message="Friendlier",
    )
    page = client.get(f"/presets/{preset.pk}/").content.decode()
    assert "Friendlier" in page and 'data-version="2"' in page and 'data-version="1"' in page

    diff = client.get(f"/presets/{preset.pk}/diff/", {"old": 1, "new": 2}).content.decode()
    assert '<span class="diff-removed">- temperature: 0.2</span>' in diff
    assert '<span class="diff-added">+ temperature: 0.9</span>' in diff
    assert '<span class="diff-removed">- Say hello</span>' in diff
    assert '<span class="diff-added">+ Say goodbye</span>' in diff
    same = client.get(f"/presets/{preset.pk}/diff/", {"old": 2, "new": 2}).content.decode()
    assert "No differences" in same
    assert client.get(f"/presets/{preset.pk}/diff/", {"old": 1, "new": 7}).status_code == 404


def test_restore_a_version_as_a_new_one(client, alice):
    preset = make_preset(alice, request=make_request("v1"))
    preset_save(preset_id=preset.pk, author=alice, request=make_request("v2"), base_version=1)
    client.post(f"/presets/{preset.pk}/versions/1/restore/")
    latest = preset.versions.order_by("-number").first()
    assert latest.number == 3 and latest.request["body"]["messages"][0]["content"] == "v1"


def test_delete_goes_to_the_trash_and_restores(client, alice):
    preset = make_preset(alice, "Doomed")
    response = client.post(f"/presets/{preset.pk}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == "/presets/trash/"
    assert "Doomed" in response.content.decode() and "30 days" in response.content.decode()
    assert "Doomed" not in client.get("/presets/").content.decode()
    assert client.get(f"/presets/{preset.pk}/").status_code == 404
    client.post(f"/presets/{preset.pk}/restore/")
    assert "Doomed" in client.get("/presets/").content.decode()


def test_export_downloads_json_and_import_reads_it_back(client, alice):
    preset = make_preset(alice, "Exported", tags="a")
    response = client.get(f"/presets/{preset.pk}/export/")
    assert response["Content-Disposition"] == 'attachment; filename="exported.json"'
    document = json.loads(response.content)
    assert document["presets"][0]["versions"][0]["request"]["provider"] == "offline"
    many = json.loads(client.get("/presets/export/").content)
    assert [p["name"] for p in many["presets"]] == ["Exported"]

    upload = io.BytesIO(response.content)
    upload.name = "exported.json"
    imported = client.post("/presets/import/", {"file": upload})
    assert imported.status_code == 302
    # The copy gets a distinct name: two "Exported" could not be told apart (presets.names).
    assert Preset.objects.filter(name__startswith="Exported").count() == 2


@pytest.mark.parametrize(
    ("content", "where", "reason"),
    [
        (
            '{"presets": [\n  {"name": "A"\n  "request": {}}\n]}',
            "line 3, column 3",
            "not valid JSON",
        ),
        (
            json.dumps({"name": "A", "request": {**make_request(), "provider": ""}}),
            "(provider)",
            "must not be empty",
        ),
        (json.dumps([{"name": "", "request": make_request()}]), "[0].name", "must not be empty"),
    ],
)
def test_a_bad_import_file_is_refused_whole_with_where_and_why(
    client, alice, content, where, reason
):
    upload = io.BytesIO(content.encode())
    upload.name = "bad.json"
    response = client.post("/presets/import/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in page and where in page and reason in page
    assert not Preset.objects.exists()


def test_save_from_the_page_then_a_stale_save_is_refused_with_options(client, alice):
    created = client.post(
        "/presets/new/",
        {
            **PAGE_FORM,
            "preset_name": "From page",
            "preset_tags": "Demo",
            "preset_visibility": "private",
        },
    )
    preset = Preset.objects.get(name="From page")
    assert "Saved as “From page”, version 1." in created.content.decode()
    assert created["HX-Push-Url"] == f"/?preset={preset.pk}&version=1"
    stored = preset.versions.get().request
    assert stored["body"]["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hello there"},
    ]
    assert stored["body"]["temperature"] == 0.4

    # Someone else saved version 2 meanwhile; our save based on version 1 is refused.
    preset_save(preset_id=preset.pk, author=alice, request=stored, base_version=1)
    stale = client.post(f"/presets/{preset.pk}/save/", {**PAGE_FORM, "base_version": "1"})
    body = stale.content.decode()
    assert "you edited version 1, the latest is version 2" in body
    assert "Save as new version anyway" in body and "Fork with my changes" in body
    assert preset.versions.count() == 2

    anyway = client.post(f"/presets/{preset.pk}/save/", {**PAGE_FORM, "base_version": ""})
    assert "Saved version 3" in anyway.content.decode()
    fork = client.post(f"/presets/{preset.pk}/fork-edits/", PAGE_FORM)
    assert "Forked as “From page (fork)”" in fork.content.decode()
    assert Preset.objects.get(name="From page (fork)").forked_from == preset


def test_a_bad_request_is_not_saved_and_the_field_is_named(client, alice):
    response = client.post("/presets/new/", {**PAGE_FORM, "temperature": "5", "preset_name": "Hot"})
    body = response.content.decode()
    assert "Nothing was saved" in body and "temperature" in body and "allowed: 0 to 2" in body
    assert not Preset.objects.exists()


def test_open_in_editor_renders_the_version_into_the_form(client, alice):
    preset = make_preset(alice, request=make_request("First", temperature=0.3))
    preset_save(preset_id=preset.pk, author=alice, request=make_request("Second"), base_version=1)
    page = client.get("/", {"preset": preset.pk, "version": 1}).content.decode()
    # The server fills the form: no copy of the request for a script to convert.
    assert 'aria-label="Message">First</textarea>' in page
    assert 'id="param-temperature" name="temperature"' in page and 'value="0.3"' in page
    assert 'id="preset-request"' not in page
    assert 'name="base_version" value="1"' in page
    assert "missing-provider" not in page and "preset-extra-notice" not in page


def test_an_opened_preset_names_what_no_input_shows(client, alice):
    request = {**make_request("Hi", top_k=40), "variables": {"city": "Oslo"}}
    preset = make_preset(alice, request=request)
    page = client.get("/", {"preset": preset.pk}).content.decode()
    assert (
        '<p class="notice" id="preset-extra-notice" role="status">This preset also sets top_k, '
        "variables, which have no input of their own: body keys are in Extensions and are sent "
        "on Run; saving keeps them all.</p>"
    ) in page
    assert "&quot;top_k&quot;: 40" in page  # in Extensions


def test_a_preset_whose_provider_is_gone_opens_with_a_notice(client, alice):
    preset = make_preset(alice)
    version = preset.versions.get()
    version.request = {**version.request, "provider": "retired-gateway"}
    version.save()
    page = client.get("/", {"preset": preset.pk}).content.decode()
    assert "“retired-gateway”, which is not configured on this server" in page
    assert '<select id="provider"' in page  # the picker is there to choose another


def test_a_preset_for_a_stored_provider_opens_without_the_notice(client, alice):
    make_provider_config("http://127.0.0.1:9/v1", name="team-gateway")
    preset = make_preset(alice)
    version = preset.versions.get()
    version.request = {**version.request, "provider": "team-gateway"}
    version.save()
    page = client.get("/", {"preset": preset.pk}).content.decode()
    assert 'value="team-gateway"' in page and "selected>" in page.split('value="team-gateway"')[1]
    assert "missing-provider" not in page


def test_a_preset_the_user_may_not_open_is_not_loaded(client, alice):
    other = make_preset(make_user("bob"), "Bob's")
    for preset_id in (other.pk, "not-a-uuid"):
        page = client.get("/", {"preset": preset_id}).content.decode()
        assert "No preset you may open has this id and version." in page
        assert "Bob&#x27;s" not in page and 'aria-label="Message">hi</textarea>' not in page


def test_a_link_holder_opens_the_preset_and_forks_their_edits(client, alice):
    owner = make_user("olga")
    preset = make_preset(owner, "Linked", visibility="link")
    page = client.get("/", {"preset": preset.pk, "link": preset.link_token}).content.decode()
    assert "You can read this preset but not save versions of it" in page
    assert f'name="link" value="{preset.link_token}"' in page
    response = client.post(
        f"/presets/{preset.pk}/fork-edits/", {**PAGE_FORM, "link": preset.link_token}
    )
    assert "Forked as “Linked (fork)”" in response.content.decode()
    fork = Preset.objects.get(name="Linked (fork)")
    assert fork.owner == alice and fork.versions.get().request["body"]["temperature"] == 0.4


def test_a_viewer_saving_from_the_page_is_told_in_the_panel(client, alice):
    owner = make_user("olga")
    team = make_team("Core", olga="owner", alice="viewer")
    preset = make_preset(owner, "Team's", team_id=team.pk, visibility="team")
    response = client.post(
        f"/presets/{preset.pk}/save/", {**PAGE_FORM, "base_version": "1"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "Nothing was saved" in body and "your role does not allow saving versions" in body
    assert preset.versions.count() == 1


def test_export_these_follows_the_search(client, alice):
    make_preset(alice, "Alpha")
    make_preset(alice, "Beta")
    page = client.get(
        "/presets/", {"q": "beta"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="preset-results"
    )
    href = page.content.decode().split('id="export-these"')[0].rsplit('href="', 1)[1].split('"')[0]
    exported = json.loads(client.get(href.replace("&amp;", "&")).content)
    assert [p["name"] for p in exported["presets"]] == ["Beta"]


def test_parts_the_form_cannot_show_are_kept_when_saving_from_the_page(client, alice):
    preset = make_preset(alice, request=make_request("Hi", stop=["END"], temperature=0.2))
    # Opening a preset puts what the form has no input for in "extensions" (body keys)
    # and the hidden "variables" input (playground/request_form.py).
    extra = {"extensions": json.dumps({"top_k": 40}), "variables": json.dumps({"city": "Oslo"})}
    response = client.post(
        f"/presets/{preset.pk}/save/",
        {**PAGE_FORM, "base_version": "1", "stop": '["END"]', **extra},
    )
    assert "Saved version 2" in response.content.decode()
    saved = preset.versions.get(number=2).request
    assert saved["body"]["stop"] == ["END"] and saved["variables"] == {"city": "Oslo"}
    assert saved["body"]["top_k"] == 40
    assert saved["body"]["temperature"] == 0.4  # what the form sets wins


def test_saving_from_the_json_view_saves_the_editors_request_as_it_is(client, alice):
    preset = make_preset(alice)
    request = {**make_request("From the editor", seed=2**63 - 1, top_k=40), "variables": {"a": "b"}}
    # The JSON view's form: its inputs are disabled, so only the editor's text is posted.
    response = client.post(
        f"/presets/{preset.pk}/save/",
        {"action": "run", "request": json.dumps(request), "base_version": "1"},
    )
    assert "Saved version 2" in response.content.decode()
    assert preset.versions.get(number=2).request == request
    broken = client.post("/presets/new/", {"request": '{"mode": ', "preset_name": "Broken"})
    assert "Nothing was saved" in broken.content.decode()
    assert "request: is not valid JSON (Expecting value: line 1 column 10 (char 9))" in (
        broken.content.decode()
    )


def test_an_invalid_extension_is_refused_and_nothing_saved(client, alice):
    preset = make_preset(alice)
    response = client.post(
        f"/presets/{preset.pk}/save/",
        {**PAGE_FORM, "base_version": "1", "extensions": '{"n": 500}'},
    )
    body = response.content.decode()
    assert "Nothing was saved" in body and "Saved version" not in body
    assert preset.versions.count() == 1


def test_a_team_owner_who_makes_a_preset_private_lands_on_the_list(client, alice):
    owner = make_user("olga")
    team = make_team("Core", olga="owner", alice="editor")
    preset = make_preset(alice, "Alice's", team_id=team.pk, visibility="team")
    client.force_login(owner)
    response = client.post(f"/presets/{preset.pk}/share/", {"visibility": "private"})
    assert response["Location"] == "/presets/"
    preset.refresh_from_db()
    assert preset.visibility == "private" and preset.team == team


@pytest.mark.parametrize("path", ["save", "fork-edits"])
def test_a_save_on_a_preset_gone_meanwhile_says_so_in_the_panel(client, alice, path):
    """Deleted by its owner (or no longer shared) while open: htmx swaps no 404, so the
    panel itself must say that nothing was saved, and offer to save as a new preset."""
    owner = make_user("olga")
    team = make_team("Core", olga="owner", alice="editor")
    preset = make_preset(owner, "Team's", team_id=team.pk, visibility="team")
    preset_delete(actor=owner, preset=preset)
    response = client.post(
        f"/presets/{preset.pk}/{path}/", {**PAGE_FORM, "base_version": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing was saved" in body and "no longer available to you" in body
    assert "Save as a new preset" in body and "Team&#x27;s" not in body
    assert Preset.objects.count() == 1 and preset.versions.count() == 1
    # An id that never existed answers the same, so nothing can be learnt by probing.
    other = client.post(
        f"/presets/{uuid.uuid4()}/{path}/", PAGE_FORM, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert without_csrf_tokens(other) == without_csrf_tokens(body)


def without_csrf_tokens(page: str) -> str:
    # Each render masks the CSRF token differently.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_the_save_panel_offers_only_teams_where_the_user_may_save(client, alice):
    """The service refuses a team where one only views: the select must not offer it."""
    make_team("Core", alice="editor")
    make_team("Leads", alice="owner")
    make_team("Readers", alice="viewer")
    page = client.get("/").content.decode()
    select = page.split('name="preset_team"')[1].split("</select>")[0]
    assert "Core" in select and "Leads" in select
    assert "Readers" not in select


def test_a_nul_character_is_refused_on_every_form_with_its_field_named(client, alice):
    """PostgreSQL stores no NUL: each form names the field instead of failing with a 500."""
    created = client.post("/presets/new/", {**PAGE_FORM, "preset_name": "a\x00b"})
    assert "Nothing was saved" in created.content.decode()
    assert "name: contains a character that cannot be stored (NUL" in created.content.decode()
    content = client.post(
        "/presets/new/", {**PAGE_FORM, "preset_name": "N", "messages-0-content": "a\x00"}
    ).content.decode()
    assert "body.messages[1].content: contains a character that cannot be stored" in content
    assert not Preset.objects.exists()

    preset = make_preset(alice)
    saved = client.post(
        f"/presets/{preset.pk}/save/", {**PAGE_FORM, "version_message": "why\x00"}
    ).content.decode()
    assert "message: contains a character that cannot be stored (NUL" in saved
    renamed = client.post(f"/presets/{preset.pk}/rename/", {"name": "x\x00"}, follow=True)
    assert "name: contains a character that cannot be stored" in renamed.content.decode()
    assert preset.versions.count() == 1 and Preset.objects.get().name == "Greeter"

    assert client.get("/presets/", {"q": "Gree\x00ter"}).status_code == 200


def test_a_link_token_with_any_characters_is_just_a_wrong_link(client, alice):
    preset = make_preset(make_user("olga"), "Linked", visibility="link")
    for token in ("中文", "é", "a\x00"):
        assert client.get(f"/presets/{preset.pk}/", {"link": token}).status_code == 404
        assert client.get("/", {"preset": preset.pk, "link": token}).status_code == 200


def test_the_trash_says_until_when_each_preset_can_be_restored(client, alice):
    preset = make_preset(alice, "Doomed")
    deleted_at = (timezone.now() - timedelta(days=1)).replace(second=0, microsecond=0)
    Preset.objects.filter(pk=preset.pk).update(deleted_at=deleted_at)
    until = timezone.localtime(deleted_at + timedelta(days=30))
    page = client.get("/presets/trash/").content.decode()
    assert "Restorable until" in page
    assert f'<time datetime="{until.isoformat()}">{until:%Y-%m-%d %H:%M}</time>' in page


def test_saving_with_a_read_only_link_shows_the_link_and_may_allow_anyone(client, alice):
    """The link is the point of that visibility: the panel shows it at once, and the
    owner may let signed-out visitors open it from the start."""
    response = client.post(
        "/presets/new/",
        {
            **PAGE_FORM,
            "preset_name": "Public",
            "preset_visibility": "link",
            "preset_link_allows_anonymous": "on",
        },
    )
    preset = Preset.objects.get(name="Public")
    assert preset.link_allows_anonymous and preset.link_token
    body = response.content.decode()
    assert f"http://testserver/presets/{preset.pk}/?link={preset.link_token}" in body
    assert "Anyone with the link may open it, even signed out" in client.get("/").content.decode()
    assert Client().get(f"/presets/{preset.pk}/", {"link": preset.link_token}).status_code == 200

    private = client.post(
        "/presets/new/",
        {**PAGE_FORM, "preset_name": "Mine", "preset_link_allows_anonymous": "on"},
    ).content.decode()
    assert "?link=" not in private
    assert not Preset.objects.get(name="Mine").link_allows_anonymous


@pytest.mark.parametrize("path", ["new", "{id}/save", "{id}/fork-edits"])
def test_a_save_after_signing_out_says_so_in_the_panel(client, alice, path):
    """Signed out in another tab: htmx would follow the redirect and put the whole sign-in
    page into the panel, whose form then leaves the page and loses the edits."""
    preset = make_preset(alice, "Mine")
    client.post("/logout/")
    response = client.post(
        f"/presets/{path.format(id=preset.pk)}/",
        {**PAGE_FORM, "preset_name": "New", "base_version": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing was saved: you are signed out." in body
    assert "Sign in again in another tab</a>, then save again" in body
    assert 'href="/login/" target="_blank"' in body
    assert Preset.objects.count() == 1 and preset.versions.count() == 1


def named_upload(name: str, content: str) -> io.BytesIO:
    upload = io.BytesIO(content.encode())
    upload.name = name
    return upload


def test_several_files_import_together_or_not_at_all(client, alice):
    one = json.dumps({"name": "One", "request": make_request()})
    two = json.dumps([{"name": "Two", "request": make_request()}])
    bad = '{\n  "name": "Bad",\n  "request": {,}\n}'
    refused = client.post(
        "/presets/import/",
        {"file": [named_upload("one.json", one), named_upload("bad.json", bad)]},
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "bad.json, line 3, column 15" in page and "not valid JSON" in page
    assert not Preset.objects.exists()

    imported = client.post(
        "/presets/import/",
        {"file": [named_upload("one.json", one), named_upload("two.json", two)]},
        follow=True,
    )
    assert "Imported 2 preset(s) from 2 files." in imported.content.decode()
    assert sorted(Preset.objects.values_list("name", flat=True)) == ["One", "Two"]
    assert "multiple" in client.get("/presets/import/").content.decode()


def test_a_file_that_is_not_utf8_is_named(client, alice):
    upload = io.BytesIO('{"name": "Caf\u00e9"}'.encode("latin-1"))
    upload.name = "latin1.json"
    page = client.post("/presets/import/", {"file": upload}).content.decode()
    assert "<strong>latin1.json</strong>: not UTF-8 text" in page


def test_a_fork_links_to_its_origin_only_for_those_who_may_open_it(client, alice):
    """A link holder's fork names its origin; a link to it would only answer 404."""
    origin = make_preset(make_user("olga"), "Origin", visibility="link")
    client.post(f"/presets/{origin.pk}/fork/", {"link": origin.link_token})
    fork = Preset.objects.get(forked_from=origin)
    page = client.get(f"/presets/{fork.pk}/").content.decode()
    assert "forked from Origin v1" in page
    assert f'href="/presets/{origin.pk}/"' not in page

    mine = make_preset(alice, "Mine")
    client.post(f"/presets/{mine.pk}/fork/")
    own_fork = Preset.objects.get(forked_from=mine)
    page = client.get(f"/presets/{own_fork.pk}/").content.decode()
    assert f'forked from <a href="/presets/{mine.pk}/">Mine</a> v1' in page


def test_a_signed_out_link_visitor_is_offered_to_sign_in_to_do_more(client):
    preset = make_preset(make_user("olga"), "Public", visibility="link", link_allows_anonymous=True)
    page = client.get(f"/presets/{preset.pk}/", {"link": preset.link_token}).content.decode()
    assert "Export JSON" in page and "Open in editor" not in page
    next_url = f"/presets/{preset.pk}/?link={preset.link_token}"
    sign_in = f"/login/?next={quote(next_url, safe='')}"
    assert f'<a href="{sign_in}">Sign in to open, run or fork it</a>' in page
    # Signing in from there comes back to the preset, through its link.
    visitor = make_user("vis")
    visitor.set_password("pw-vis-12345678")
    visitor.save()
    signed_in = client.post(
        sign_in, {"username": "vis", "password": "pw-vis-12345678", "next": next_url}
    )
    assert signed_in["Location"] == next_url
    assert "Open in editor" in client.get(next_url).content.decode()


def test_a_search_of_thousands_of_words_answers_and_says_what_it_used(client, alice):
    make_preset(alice, "w0 w1")
    query = " ".join(f"w{i}" for i in range(2000))  # SQLite refused it: tree too large
    page = client.get("/presets/", {"q": query}).content.decode()
    assert "Only the first 20 words are searched." in page
    assert "No presets match" in page  # w2 to w19 must match too
    assert "Only the first" not in client.get("/presets/", {"q": "w0 w1"}).content.decode()
    assert "w0 w1" in client.get("/presets/", {"q": "w0 w1"}).content.decode()


IMAGE_FORM = {
    "mode": "image",
    "provider": "offline",
    "model": "",
    "prompt": "A fox in {{season}}",
    "variable.season": "snow",
    "size": "512x512",
    "quality": "low",
    "n": "2",
    "response_format": "b64_json",
}


def test_an_image_request_saved_from_the_page_opens_in_its_form(client, alice):
    created = client.post("/presets/new/", {**IMAGE_FORM, "preset_name": "Foxes"})
    assert "Saved as “Foxes”, version 1." in created.content.decode()
    stored = Preset.objects.get(name="Foxes").versions.get().request
    assert stored == {
        "mode": "image",
        "provider": "offline",
        "body": {
            "prompt": "A fox in {{season}}",
            "size": "512x512",
            "quality": "low",
            "n": 2,
            "response_format": "b64_json",
        },
        "variables": {"season": "snow"},
    }
    page = client.get("/", {"preset": Preset.objects.get(name="Foxes").pk}).content.decode()
    assert (
        '<option value="image" data-suggested-model="gpt-image-1" selected>Image</option>' in page
    )
    assert 'name="prompt" rows="6"' in page and ">A fox in {{season}}</textarea>" in page
    assert 'id="image-param-size" name="size"' in page and 'value="512x512"' in page
    assert 'id="image-param-n" name="n"' in page and 'value="2"' in page
    assert "preset-extra-notice" not in page

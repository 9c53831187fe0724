"""A preset opened through its read-only link is listed for that user under "Shared with me",
with a link that opens it, for as long as the link itself would still let them in."""

import html
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from playground.presets.models import PresetLinkVisit
from playground.presets.services import preset_delete, preset_share
from tests.presets.factories import make_preset, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def olga() -> User:
    return make_user("olga")


@pytest.fixture
def alice(client) -> User:
    user = make_user("alice")
    client.force_login(user)
    return user


def listed(client: Client, **params) -> dict[str, str]:
    """Preset names on the list page, each with the href of its name link."""
    page = client.get("/presets/", params).content.decode()
    rows = re.findall(r'<td><a href="([^"]+)">([^<]+)</a>', page)
    return {html.unescape(name): html.unescape(href) for href, name in rows}


def test_opening_the_link_records_one_visit_updated_on_revisit(client, alice, olga):
    preset = make_preset(olga, "Linked", visibility="link")
    assert client.get(f"/presets/{preset.pk}/", {"link": preset.link_token}).status_code == 200
    visit = PresetLinkVisit.objects.get()
    assert (visit.user, visit.preset) == (alice, preset)
    assert visit.first_opened == visit.last_opened
    client.get(f"/presets/{preset.pk}/", {"link": preset.link_token})
    again = PresetLinkVisit.objects.get()
    assert again.first_opened == visit.first_opened and again.last_opened > visit.last_opened


def test_a_wrong_token_or_no_token_records_nothing(client, alice, olga):
    preset = make_preset(olga, "Linked", visibility="link")
    assert client.get(f"/presets/{preset.pk}/", {"link": "wrong"}).status_code == 404
    assert client.get(f"/presets/{preset.pk}/").status_code == 404
    assert not PresetLinkVisit.objects.exists()


def test_shared_with_me_lists_a_visited_link_with_a_link_that_opens_it(client, alice, olga):
    preset = make_preset(olga, "Linked", visibility="link")
    make_preset(olga, "Never opened", visibility="link")
    assert "Linked" not in listed(client, scope="shared")
    client.get(f"/presets/{preset.pk}/", {"link": preset.link_token})

    for scope in ("shared", "all"):
        rows = listed(client, scope=scope)
        assert set(rows) == {"Linked"}
        assert client.get(rows["Linked"]).status_code == 200
    assert listed(client, scope="mine") == {} and listed(client, scope="team") == {}
    # "Open in editor" carries the link too.
    page = client.get("/presets/", {"scope": "shared"}).content.decode()
    open_href = html.unescape(re.search(r'href="(/presets/[^"]+/open/[^"]*)"', page)[1])
    assert preset.link_token in open_href
    assert client.get(open_href).status_code == 302


def test_search_finds_visited_link_presets(client, alice, olga):
    preset = make_preset(olga, "Linked", description="Summaries of tickets", visibility="link")
    client.get(f"/presets/{preset.pk}/", {"link": preset.link_token})
    assert set(listed(client, scope="shared", q="TICKETS")) == {"Linked"}
    assert set(listed(client, q="offline-1 summaries")) == {"Linked"}
    assert listed(client, scope="shared", q="nothing-like-it") == {}


def test_export_these_includes_visited_link_presets(client, alice, olga):
    preset = make_preset(olga, "Linked", visibility="link")
    client.get(f"/presets/{preset.pk}/", {"link": preset.link_token})
    response = client.get("/presets/export/", {"scope": "shared"})
    assert response.status_code == 200
    assert [p["name"] for p in response.json()["presets"]] == ["Linked"]


@pytest.mark.parametrize(
    "revoke",
    [
        pytest.param(
            lambda olga, p: preset_share(actor=olga, preset=p, visibility="private"), id="private"
        ),
        pytest.param(
            lambda olga, p: preset_share(actor=olga, preset=p, visibility="link", new_link=True),
            id="new-link",
        ),
        pytest.param(lambda olga, p: preset_delete(actor=olga, preset=p), id="trash"),
        pytest.param(
            # Off and on again: a new token, so the old link (and the visit) stays dead.
            lambda olga, p: (
                preset_share(actor=olga, preset=p, visibility="private"),
                preset_share(actor=olga, preset=p, visibility="link"),
            ),
            id="off-and-on",
        ),
    ],
)
def test_a_revoked_link_is_no_longer_listed_nor_opened(client, alice, olga, revoke):
    preset = make_preset(olga, "Linked", visibility="link")
    client.get(f"/presets/{preset.pk}/", {"link": preset.link_token})
    old_href = listed(client, scope="shared")["Linked"]
    revoke(olga, preset)
    assert listed(client, scope="shared") == {} and listed(client) == {}
    assert client.get(old_href).status_code == 404
    assert client.get("/presets/export/", {"scope": "shared"}).json()["presets"] == []


def test_the_new_link_lists_it_again(client, alice, olga):
    preset = make_preset(olga, "Linked", visibility="link")
    client.get(f"/presets/{preset.pk}/", {"link": preset.link_token})
    preset_share(actor=olga, preset=preset, visibility="link", new_link=True)
    assert listed(client, scope="shared") == {}
    client.get(f"/presets/{preset.pk}/", {"link": preset.link_token})
    assert client.get(listed(client, scope="shared")["Linked"]).status_code == 200
    assert PresetLinkVisit.objects.count() == 1


def test_a_visit_without_the_token_opens_nothing(client, alice, olga):
    preset = make_preset(olga, "Linked", visibility="link")
    client.get(f"/presets/{preset.pk}/", {"link": preset.link_token})
    # Remembering the visit lists the preset; it is no permission of its own.
    for path in ("", "open/", "export/", "diff/?old=1&new=1"):
        assert client.get(f"/presets/{preset.pk}/{path}").status_code == 404


def test_anonymous_link_visitors_record_nothing(olga):
    preset = make_preset(olga, "Public", visibility="link", link_allows_anonymous=True)
    response = Client().get(f"/presets/{preset.pk}/", {"link": preset.link_token})
    assert response.status_code == 200
    assert not PresetLinkVisit.objects.exists()


def test_an_outsider_who_never_opened_the_link_does_not_see_it(client, alice, olga):
    preset = make_preset(olga, "Linked", visibility="link")
    client.get(f"/presets/{preset.pk}/", {"link": preset.link_token})
    oscar = Client()
    oscar.force_login(make_user("oscar"))
    assert listed(oscar) == {} and listed(oscar, scope="shared") == {}
    assert listed(oscar, q="Linked") == {}
    assert oscar.get("/presets/export/").json()["presets"] == []


def test_owner_and_team_members_are_unaffected(client, alice, olga):
    team = make_team("Core", olga="owner", alice="viewer")
    preset = make_preset(olga, "Team linked", team_id=team.pk, visibility="link")
    client.get(f"/presets/{preset.pk}/", {"link": preset.link_token})
    owner = Client()
    owner.force_login(olga)
    owner.get(f"/presets/{preset.pk}/", {"link": preset.link_token})
    # Only someone the link lets in is remembered; the team already lists it for Alice.
    assert not PresetLinkVisit.objects.exists()
    assert listed(client, scope="shared") == {"Team linked": f"/presets/{preset.pk}/"}
    assert listed(owner, scope="mine") == {"Team linked": f"/presets/{preset.pk}/"}

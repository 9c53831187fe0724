"""The watch page: for the run's team while it runs, its history entry once it has ended,
"not found" for everyone else and for a link that was not made here."""

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from playground.live.links import LiveRunRef, live_ref, watch_url
from tests.presets.factories import make_team, make_user
from tests.runs.factories import make_run

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people():
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    team = make_team("Core", alice="editor", bob="owner")
    return alice, bob, carol, team


def live_link(owner, team=None, run_id=None) -> str:
    ref = LiveRunRef(
        run_id=str(run_id or uuid.uuid4()),
        channel="specific.test!runner",
        owner_id=owner.pk,
        team_id=team.pk if team else None,
    )
    return watch_url(ref)


def test_a_teammate_opens_a_live_run_and_sees_who_runs_it_and_stop_for_team_owners(people):
    alice, bob, _, team = people
    url = live_link(alice, team)
    page = signed_in(bob).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Run by alice · team Core" in text
    assert 'id="stop-button"' in text  # bob owns the team
    assert 'ws-connect="/ws/watch/' in text


def test_a_team_member_who_is_no_owner_gets_no_stop_button(people):
    alice, bob, _, team = people
    url = live_link(bob, team)  # bob runs; alice (an editor) watches
    page = signed_in(alice).get(url)
    assert page.status_code == 200 and 'id="stop-button"' not in page.content.decode()


def test_someone_outside_the_team_or_with_a_forged_link_gets_not_found(people):
    alice, _, carol, team = people
    url = live_link(alice, team)
    assert signed_in(carol).get(url).status_code == 404
    assert signed_in(alice).get(url[:-4] + "abcd").status_code == 404
    assert signed_in(alice).get(url.split("?")[0]).status_code == 404  # no link, no row
    # A link made for one run does not open another.
    other = f"/history/{uuid.uuid4()}/watch/?{url.split('?')[1]}"
    assert signed_in(alice).get(other).status_code == 404


def test_a_run_that_has_ended_opens_its_page_in_the_history(people):
    alice, bob, carol, team = people
    run = make_run(user=alice, team=team)
    url = live_link(alice, team, run_id=run.pk)
    response = signed_in(bob).get(url)
    assert response.status_code == 302 and response["Location"] == f"/history/{run.pk}/"
    assert signed_in(carol).get(url).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(people):
    alice, _, _, team = people
    response = Client().get(live_link(alice, team))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_link_names_the_run_its_owner_and_its_team_signed(people):
    alice, _, _, team = people
    run_id = uuid.uuid4()
    url = live_link(alice, team, run_id)
    assert url.startswith(f"/history/{run_id}/watch/?live=")
    ref = live_ref(run_id, parse_qs(urlsplit(url).query)["live"][0])
    assert ref is not None and (ref.owner_id, ref.team_id) == (alice.pk, team.pk)
    assert live_ref(uuid.uuid4(), parse_qs(urlsplit(url).query)["live"][0]) is None

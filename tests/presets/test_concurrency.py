"""Changes to one preset sent at once, on the real database (PostgreSQL when DATABASE_URL
names one, else SQLite): the history always says what the preset is, and a change made
from a page that is out of date is refused with "changed meanwhile, reload", not applied
over the other one.

Each change runs in its own thread with its own database connection; a barrier lines them
up so that both have read the preset before either writes.
"""

import re
import threading
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client

from playground.presets.models import Preset, PresetMove
from playground.presets.selectors import preset_get_any
from playground.presets.services import preset_move, preset_share
from tests.presets.factories import make_preset, make_team, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions in threads released together; return their results (or exceptions)."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int, action: Callable[[], Any]) -> None:
        try:
            results[index] = action(barrier)
        except BaseException as error:  # kept for the assertions; a thread's would vanish
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "a change never finished"
    return results


def form_fields(page: str, action: str) -> dict[str, str]:
    """The values a browser would send with the form posting to ``action``, as loaded."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', page, re.S)
    assert form, f"no form posting to {action}"
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form[0]):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and "checkbox" not in tag:
            fields[name[1]] = unescape(value[1]) if value else ""
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form[0], re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        fields[name] = selected[1] if selected else ""
    return fields


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def history_agrees(preset: Preset, first_team: Any) -> None:
    """The moves, replayed from the first team, end at the preset's team."""
    team = first_team
    for move in PresetMove.objects.filter(preset=preset).order_by("created_at", "pk"):
        assert move.from_team_id == (team.pk if team else None), "a move from where it was not"
        team = move.to_team
    assert preset.team == team, "the history says one team, the preset is in another"


@pytest.fixture
def world():
    alice, olga = make_user("alice"), make_user("olga")
    core = make_team("Core", alice="owner", olga="owner")
    lab = make_team("Lab", alice="owner", olga="owner")
    preset = make_preset(alice, "Shared", team_id=core.pk, visibility="team")
    return alice, olga, core, lab, preset


@pytest.mark.parametrize("first", ["move", "share"])
def test_a_share_change_and_a_move_at_once_leave_the_history_and_the_preset_agreeing(world, first):
    """No form token (a script, the services): row locks alone keep the two consistent.

    Both read the preset, then the ``first`` one writes and holds its transaction open
    (a slow request) while the other starts: the other must not write what it read before.
    """
    alice, olga, core, lab, preset = world
    started = threading.Barrier(2)

    def hold_open_if_first(name: str, change: Callable[[], Any]) -> Any:
        if name != first:
            started.wait()
            return change()
        with transaction.atomic():
            result = change()
            started.wait()
        return result

    def move(barrier: threading.Barrier) -> Any:
        loaded = preset_get_any(user=olga, preset_id=preset.pk)
        barrier.wait()
        return hold_open_if_first(
            "move", lambda: preset_move(actor=olga, preset=loaded, team_id=lab.pk)
        )

    def share(barrier: threading.Barrier) -> Any:
        loaded = preset_get_any(user=alice, preset_id=preset.pk)
        barrier.wait()
        return hold_open_if_first(
            "share", lambda: preset_share(actor=alice, preset=loaded, visibility="link")
        )

    results = at_once(move, share)
    assert [r for r in results if isinstance(r, BaseException)] == []
    preset.refresh_from_db()
    history_agrees(preset, core)
    # Neither change was lost: they touch different things.
    assert (preset.team, preset.visibility) == (lab, "link")
    assert preset.link_token


def test_a_share_form_and_a_move_from_the_same_page_one_is_told_to_reload(world):
    alice, olga, core, lab, preset = world
    url = f"/presets/{preset.pk}/share/"
    alice_page = signed_in(alice).get(f"/presets/{preset.pk}/").content.decode()
    olga_page = signed_in(olga).get(f"/presets/{preset.pk}/").content.decode()
    alice_form = form_fields(alice_page, url) | {"visibility": "link"}
    olga_form = form_fields(olga_page, url) | {"team": str(lab.pk)}

    def post(client: Client, form: dict[str, str]) -> Callable[[threading.Barrier], Any]:
        def send(barrier: threading.Barrier) -> Any:
            barrier.wait()
            return client.post(url, form)

        return send

    answers = at_once(post(signed_in(alice), alice_form), post(signed_in(olga), olga_form))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [302, 409], "both forms were loaded before either change: one is stale"
    refused = next(answer for answer in answers if answer.status_code == 409).content.decode()
    assert "changed meanwhile" in refused and "reload" in refused.lower()
    preset.refresh_from_db()
    history_agrees(preset, core)
    # The change that went through is all there is: nothing of the refused one.
    assert (preset.team, preset.visibility) in {(lab, "team"), (core, "link")}


def test_two_renames_from_the_same_loaded_page_the_second_is_told(world):
    alice, olga, _, _, preset = world
    url = f"/presets/{preset.pk}/rename/"
    forms = {}
    for user in (alice, olga):
        page = signed_in(user).get(f"/presets/{preset.pk}/").content.decode()
        forms[user.username] = form_fields(page, url) | {"name": f"Named by {user.username}"}

    def rename(user: User) -> Callable[[threading.Barrier], Any]:
        client = signed_in(user)

        def send(barrier: threading.Barrier) -> Any:
            barrier.wait()
            return client.post(url, forms[user.username])

        return send

    answers = at_once(rename(alice), rename(olga))
    assert sorted(answer.status_code for answer in answers) == [302, 409]
    winner = "alice" if answers[0].status_code == 302 else "olga"
    loser = "olga" if winner == "alice" else "alice"
    refused = answers[1 if winner == "alice" else 0].content.decode()
    assert "changed meanwhile" in refused
    # The refused user is shown what is there now and what they had typed, to redo it.
    assert f"Named by {winner}" in refused and f"Named by {loser}" in refused
    preset.refresh_from_db()
    assert preset.name == f"Named by {winner}"


def test_a_rename_after_a_reload_goes_through(world):
    """The token is the page's, not a lock: a page loaded after the change saves."""
    alice, _, _, _, preset = world
    url = f"/presets/{preset.pk}/rename/"
    client = signed_in(alice)
    stale = form_fields(client.get(f"/presets/{preset.pk}/").content.decode(), url)
    assert client.post(url, stale | {"name": "First"}).status_code == 302
    assert client.post(url, stale | {"name": "Second"}).status_code == 409
    fresh = form_fields(client.get(f"/presets/{preset.pk}/").content.decode(), url)
    assert client.post(url, fresh | {"name": "Second"}).status_code == 302
    preset.refresh_from_db()
    assert preset.name == "Second"

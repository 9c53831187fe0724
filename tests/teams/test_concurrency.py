"""Two team owners changing each other's role at the same instant, on the real database
(PostgreSQL when DATABASE_URL names one, else SQLite): one change goes through, the other
is refused in words (its actor is no longer an owner, or the team would have none), never
a database error, and the team always keeps an owner."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from playground.teams.models import Membership, Role, Team
from playground.teams.services import TeamInputInvalid, membership_remove, membership_set_role
from tests.presets.factories import make_team, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*actions: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int, action: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = action()
        except BaseException as error:  # kept for the assertions; a thread's would vanish
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.mark.parametrize("change", ["demote", "remove"])
def test_two_owners_demoting_each_other_at_once_leave_one_owner(change):
    for round in range(6):
        Team.objects.all().delete()
        alice, olga = make_user(f"alice{round}"), make_user(f"olga{round}")
        team = make_team(f"Core{round}", **{alice.username: "owner", olga.username: "owner"})

        def act(actor: Any, other: Any, team: Team = team) -> Callable[[], Any]:
            if change == "demote":
                return lambda: membership_set_role(
                    actor=actor, team=team, user_id=other.pk, role=Role.EDITOR
                )
            return lambda: membership_remove(actor=actor, team=team, user_id=other.pk)

        results = at_once(act(alice, olga), act(olga, alice))
        refused = [r for r in results if isinstance(r, BaseException)]
        assert len(refused) == 1, f"round {round}: {results}"
        assert isinstance(refused[0], PermissionDenied | TeamInputInvalid), repr(refused[0])
        owners = Membership.objects.filter(team=team, role=Role.OWNER).count()
        assert owners == 1, f"round {round}: the team has {owners} owners"

"""The watch link of a live run: its id, and a signed note of where it runs and whose it is.

A live run has no row to look up, so the link carries what a watcher's process needs: the
channel of the runner's socket (to ask it for the state so far, or to stop it) and the ids
of its owner and team (to check who may watch with the history's rule). It is signed, not
secret: it is no permission (every viewer is checked against the team's members as they
are now) and a forged one is refused. Nothing is stored per run, so an unwatched run costs
no write anywhere.
"""

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.urls import reverse

# The query parameter of the watch page and socket that holds the signed note.
TOKEN_PARAMETER = "live"


@dataclass(frozen=True)
class LiveRunRef:
    """Where a live run is and whose it is, as its watch link says."""

    run_id: str
    channel: str  # the runner socket's channel name
    owner_id: int | None
    team_id: int | None


def group_name(run_id: Any) -> str:
    """The group a run's watchers join (the channel layer allows letters, digits, - . _)."""
    return f"live-run.{run_id}"


def _salt(run_id: str) -> str:
    # Per run: a note signed for one run does not open another.
    return f"playground.live:{run_id}"


def live_token(ref: LiveRunRef) -> str:
    return signing.dumps(
        {"c": ref.channel, "u": ref.owner_id, "t": ref.team_id}, salt=_salt(ref.run_id)
    )


def live_ref(run_id: Any, token: str | None) -> LiveRunRef | None:
    """The run the token names, or None for a missing, malformed or forged one."""
    if not token:
        return None
    run = str(run_id)
    try:
        note = signing.loads(token, salt=_salt(run))
    except signing.BadSignature:
        return None
    if not isinstance(note, dict) or not isinstance(note.get("c"), str):
        return None
    owner, team = note.get("u"), note.get("t")
    if not (owner is None or isinstance(owner, int)) or not (team is None or isinstance(team, int)):
        return None
    return LiveRunRef(run_id=run, channel=note["c"], owner_id=owner, team_id=team)


def watch_url(ref: LiveRunRef) -> str:
    """The page a teammate opens to watch the run (its history entry once it has ended)."""
    query = urlencode({TOKEN_PARAMETER: live_token(ref)})
    return f"{reverse('run-watch', args=[uuid.UUID(ref.run_id)])}?{query}"


def socket_path(ref: LiveRunRef) -> str:
    return f"/ws/watch/{ref.run_id}/?{urlencode({TOKEN_PARAMETER: live_token(ref)})}"

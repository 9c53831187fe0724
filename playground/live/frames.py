"""The live-watch fragments: the runner's share link, and a watcher's notes.

A watcher's page is built like the runner's output (templates/playground/_run_output.html),
so the run's own frames land there by the same ids.
"""

from django.template.loader import render_to_string
from django.utils.functional import Promise as StrPromise
from django.utils.html import escape
from django.utils.translation import gettext_lazy


def share_link(url: str, *, team: int | None) -> str:
    """The "Share live" link, swapped in with the run's first frame (the runner's page only)."""
    return render_to_string("live/_share.html", {"url": url, "team": team, "oob": True}).strip()


def watch_note(message: "str | StrPromise", *, alert: bool = False) -> str:
    """A line above the watched run about the watching itself (not the run's status)."""
    role = "alert" if alert else "status"
    return f'<p id="live-note" class="live-note" role="{role}" hx-swap-oob="outerHTML">{escape(str(message))}</p>'


NOT_RUNNING = gettext_lazy(
    "This run is no longer running, and it is not in the history (it was not saved, or the "
    "server that ran it stopped)."
)
STOP_REFUSED = gettext_lazy(
    "Only the person who started this run, or an owner of its team, may stop it."
)
RAW_LATER = gettext_lazy(
    "The raw answer is on the run's page in the history once the run has ended."
)


def raw_later() -> str:
    return (
        f'<pre class="raw-chunks" id="raw-chunks" hx-swap-oob="outerHTML">{escape(RAW_LATER)}</pre>'
    )

"""Helpers for the live-watch tests: a runner's page and a watcher's, read as a browser would."""

import html
import re
from urllib.parse import parse_qs, urlsplit

from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from playground.asgi import websocket_urlpatterns
from playground.live.links import TOKEN_PARAMETER
from tests.conftest import RunClient

SHARE_LINK = re.compile(
    r'id="live-share-link"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*id="live-share-link"'
)


def share_url(frames: list[str]) -> str:
    """The "Share live" link the runner's page got."""
    for frame in frames:
        match = SHARE_LINK.search(frame)
        if match:
            return html.unescape(match.group(1) or match.group(2))
    raise AssertionError("no Share live link in the runner's frames")


def socket_path(url: str) -> str:
    """The watch socket's path for a watch page's URL (as the page's ws-connect says)."""
    parts = urlsplit(url)
    run_id = parts.path.rstrip("/").split("/")[-2]
    token = parse_qs(parts.query)[TOKEN_PARAMETER][0]
    return f"/ws/watch/{run_id}/?{TOKEN_PARAMETER}={token}"


def run_id_of(url: str) -> str:
    return urlsplit(url).path.rstrip("/").split("/")[-2]


async def open_socket(user, path: str) -> tuple[bool, RunClient, int | None]:
    """A socket through the site's routes (as asgi.py routes them), signed in as ``user``."""
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    return connected, RunClient(communicator), code


def shown_reply(frames: list[str], index: int = 0) -> str:
    """Candidate ``index``'s text as the page shows it: a run's first frame (and a watcher's
    snapshot, which starts with it) empties the candidates, later frames append."""
    starts = [n for n, frame in enumerate(frames) if 'id="candidates"' in frame]
    since = frames[starts[-1] :] if starts else frames
    pattern = re.compile(rf'<span id="reply-{index}" hx-swap-oob="beforeend">(.*?)</span>', re.S)
    return "".join(html.unescape(m) for frame in since for m in pattern.findall(frame))


async def receive_until(client: RunClient, needle: str, timeout: float = 10) -> str:
    """Read frames until one holds ``needle``."""
    while True:
        frame = await client.receive(timeout)
        if needle in frame:
            return frame

"""A pytest plugin: collect every HTML page, websocket frame, exported snippet and log record
the suite produces, and fail the session if any configured secret appears in one.

It wraps only test tooling (Django's test clients, Channels' WebsocketCommunicator,
the export renderers' registry and the root logger), never the app's internals. The
browser tests add what Chromium received from the live server (every page's final
document, every websocket frame) and the live server's log (tests/browser/conftest.py);
the manage.py tests add what the commands printed (run_request, export_request).
tests/test_key_leaks.py drives runs for every failure kind through it on purpose.
"""

import base64
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.conftest import BROWSER_API_KEY, TEST_API_KEY
from tests.providerconfig.factories import DB_API_KEY, DB_HEADER_SECRET

SECRETS = (TEST_API_KEY, DB_API_KEY, DB_HEADER_SECRET, BROWSER_API_KEY)


def leak_forms(secret: str) -> dict[str, str]:
    """The forms a hostile upstream echoes a secret in (tests/hostile_upstream.py), each of
    which the scan looks for, ignoring case. Written out here, independently of the app's
    scrubber (playground/secrets_scrub.py), so that the scan does not check it with itself."""
    raw = secret.encode()
    return {
        "as sent": secret,
        "upper case": secret.upper(),
        "swapped case": secret.swapcase(),
        "base64": base64.b64encode(raw).decode(),
        "base64, shifted one byte": base64.b64encode(b"x" + raw).decode()[2:],
        "base64, shifted two bytes": base64.b64encode(b"xy" + raw).decode()[3:],
        "base64 of Bearer": base64.b64encode(b"Bearer " + raw).decode(),
        "URL-safe base64": base64.urlsafe_b64encode(b"xy" + raw).decode()[3:],
        "percent-encoded": "".join(f"%{byte:02X}" for byte in raw),
        "\\u-escaped": "".join(f"\\u{ord(c):04x}" for c in secret),
    }


# Lower case: the scan ignores case (base64 forms are long enough not to match by chance).
_FORMS = {
    secret: sorted({form.lower() for form in leak_forms(secret).values()}) for secret in SECRETS
}


@dataclass
class Collected:
    items: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, test, text)
    current_test: str = ""

    def add(self, kind: str, text: str) -> None:
        self.items.append((kind, self.current_test, text))

    def count(self, kind: str) -> int:
        return sum(1 for k, _, _ in self.items if k == kind)

    def leaks(self) -> list[tuple[str, str, str]]:
        """Each text with a secret in it, in any of its ``leak_forms``."""
        found = []
        for kind, test, text in self.items:
            lowered = text.lower()
            for secret in SECRETS:
                place = next((lowered.find(f) for f in _FORMS[secret] if f in lowered), -1)
                if place >= 0:
                    start = max(0, place - 60)
                    found.append((kind, test, text[start : start + 160]))
        return found


collected = Collected()


class _LogCapture(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        collected.add("log", f"{record.name}: {text}")


@pytest.fixture(scope="session", autouse=True)
def _collect_what_users_and_logs_see() -> Iterator[None]:
    from channels.testing import WebsocketCommunicator
    from django.test.client import AsyncClient, Client

    from playground.export import RENDERERS

    patcher = pytest.MonkeyPatch()

    sync_request = Client.request

    def recording_request(self, **request):
        response = sync_request(self, **request)
        if not getattr(response, "streaming", False):
            collected.add("html", response.content.decode("utf-8", "replace"))
        return response

    async_request = AsyncClient.request

    async def recording_async_request(self, **request):
        response = await async_request(self, **request)
        if not getattr(response, "streaming", False):
            collected.add("html", response.content.decode("utf-8", "replace"))
        return response

    receive_output = WebsocketCommunicator.receive_output

    async def recording_receive_output(self, timeout=1):
        message = await receive_output(self, timeout)
        if isinstance(message, dict) and message.get("text"):
            collected.add("frame", message["text"])
        return message

    def recording(render):
        def render_and_record(*args, **kwargs):
            snippet = render(*args, **kwargs)
            collected.add("snippet", snippet)
            return snippet

        return render_and_record

    patcher.setattr(Client, "request", recording_request)
    patcher.setattr(AsyncClient, "request", recording_async_request)
    patcher.setattr(WebsocketCommunicator, "receive_output", recording_receive_output)
    for lang, render in list(RENDERERS.items()):
        patcher.setitem(RENDERERS, lang, recording(render))
    handler = _LogCapture(level=logging.DEBUG)
    logging.getLogger().addHandler(handler)
    yield
    logging.getLogger().removeHandler(handler)
    patcher.undo()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    collected.current_test = item.nodeid
    return (yield)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not collected.items:
        return
    leaks = collected.leaks()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    counts = ", ".join(
        f"{collected.count(kind)} {label}"
        for kind, label in (
            ("html", "pages"),
            ("frame", "frames"),
            ("snippet", "snippets"),
            ("log", "log records"),
            ("terminal", "terminal outputs"),
        )
    )
    if reporter is not None:
        reporter.write_line(f"key-leak scan: {counts} scanned, {len(leaks)} leaks")
    if leaks:
        for kind, test, excerpt in leaks[:20]:
            if reporter is not None:
                reporter.write_line(f"  KEY LEAK in a {kind} of {test}: {excerpt!r}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

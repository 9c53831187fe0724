"""Cross-site websocket hijacking, tried in Chromium: a page on another port of the same host
opens the playground's socket with the signed-in user's cookies; it must be refused."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

# Opens the run socket and asks the offline model for a reply; says what happened in #result.
PROBE = """
(target) => {
  const result = document.getElementById("result");
  const socket = new WebSocket(target);
  let opened = false;
  socket.onopen = () => {
    opened = true;
    result.textContent = "open";
    socket.send(JSON.stringify({action: "run", request: {mode: "chat", provider: "offline",
      body: {model: "offline-1", messages: [{role: "user", content: "hello"}], stream: true}}}));
  };
  socket.onmessage = (event) => {
    if (event.data.includes('id="reply-0"')) { result.textContent = "replied"; }
  };
  socket.onclose = () => { if (!opened) { result.textContent = "refused"; } };
}
"""


@pytest.fixture
def foreign_site() -> Iterator[str]:
    """Another site on 127.0.0.1 (its own port): an empty page with a #result element."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'<!doctype html><title>Elsewhere</title><p id="result">waiting</p>'
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_a_page_on_another_port_cannot_open_the_socket(
    signed_in_page: Page, live_server_url: str, foreign_site: str
) -> None:
    target = live_server_url.replace("http://", "ws://") + "/ws/run/"

    # The probe works: from the site's own page it opens the socket and gets a reply.
    signed_in_page.evaluate(
        "() => document.body.insertAdjacentHTML('beforeend', '<p id=\"result\"></p>')"
    )
    signed_in_page.evaluate(PROBE, target)
    expect(signed_in_page.locator("#result")).to_have_text("replied")

    # The same user's browser (same cookies) on another port of the same host: refused.
    foreign = signed_in_page.context.new_page()
    foreign.goto(foreign_site + "/")
    foreign.evaluate(PROBE, target)
    expect(foreign.locator("#result")).to_have_text("refused")

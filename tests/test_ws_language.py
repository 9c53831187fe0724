"""A websocket's frames are written in its page's language."""

from typing import Any

from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.utils import translation

from playground.ws_language import WebsocketLanguage, scope_language
from tests.conftest import RunClient, UnrecordedRunConsumer, chat_request


def scope(cookies: dict[str, str] | None = None, accept: str | None = None) -> dict[str, Any]:
    headers = [(b"accept-language", accept.encode())] if accept else []
    return {"type": "websocket", "cookies": cookies or {}, "headers": headers}


def test_the_browsers_accept_language_chooses_chinese():
    assert scope_language(scope(accept="zh-CN,zh;q=0.9,en;q=0.8")) == "zh-hans"


def test_the_language_switchs_cookie_wins_over_the_browser():
    chosen = scope(cookies={"django_language": "en"}, accept="zh-CN,zh;q=0.9")
    assert scope_language(chosen) == "en"


def test_without_either_the_site_language_is_english():
    assert scope_language(scope()) == "en"


def test_a_language_the_site_does_not_speak_falls_back_to_english():
    assert scope_language(scope(accept="fr-FR,fr;q=0.9")) == "en"


async def test_the_whole_connection_runs_in_the_sockets_language():
    seen: list[str] = []

    async def application(scope: dict, receive: Any, send: Any) -> None:
        seen.append(translation.get_language())

    with translation.override("en"):
        await WebsocketLanguage(application)(scope(accept="zh-Hans"), None, None)
        assert translation.get_language() == "en"  # the socket's language ended with it
    assert seen == ["zh-hans"]


async def chinese_run_client(accept: str = "zh-CN,zh;q=0.9") -> RunClient:
    communicator = WebsocketCommunicator(
        WebsocketLanguage(UnrecordedRunConsumer.as_asgi()),
        "/ws/run/",
        headers=[(b"accept-language", accept.encode())],
    )
    communicator.scope["user"] = User(username="tester")
    connected, _ = await communicator.connect()
    assert connected
    return RunClient(communicator)


async def test_a_refused_request_is_explained_in_chinese_to_a_chinese_page():
    client = await chinese_run_client()
    try:
        await client.send(chat_request("你好", provider="offline", temperature=5))
        assert await client.receive_until_state() == "invalid"
        status = client.status_text()
        assert "请求未发送。请修正以下问题后重新运行：" in status
        assert "5 超出范围（允许：0 到 2）" in status
        assert "temperature" in status  # the field keeps its API name
    finally:
        await client.communicator.disconnect()


async def test_a_finished_run_says_done_in_chinese_inside_its_background_task():
    client = await chinese_run_client()
    try:
        await client.send(chat_request("你好", provider="offline"))
        assert await client.receive_until_state() == "done"
        assert "完成。" in client.status_text()
    finally:
        await client.communicator.disconnect()

"""The websocket's Origin check compares scheme, host and port with the site's own origin
(or DJANGO_CSRF_TRUSTED_ORIGINS): a page elsewhere cannot use the user's cookies."""

import logging

import pytest
from channels.testing import WebsocketCommunicator

from playground.asgi import application
from playground.origin import origin_allowed


def scope(origin: str | None, host: str | None, scheme: str = "ws", **headers: str) -> dict:
    sent = [(b"origin", origin), (b"host", host)] + [
        (name.replace("_", "-").encode(), value) for name, value in headers.items()
    ]
    return {
        "type": "websocket",
        "scheme": scheme,
        "headers": [(name, value.encode()) for name, value in sent if value is not None],
    }


@pytest.fixture(autouse=True)
def site(settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "playground.example.com"]
    settings.CSRF_TRUSTED_ORIGINS = []
    settings.SECURE_PROXY_SSL_HEADER = None
    return settings


@pytest.mark.parametrize(
    ("origin", "host", "scheme"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000", "ws"),
        ("http://localhost", "localhost", "ws"),
        ("http://localhost:80", "localhost", "ws"),  # the default port, written or not
        ("HTTP://LocalHost:8000", "localhost:8000", "ws"),
        ("https://localhost", "localhost", "wss"),
        ("https://localhost:443", "localhost:443", "wss"),
        ("http://[::1]:8000", "[::1]:8000", "ws"),
    ],
)
def test_the_sites_own_pages_may_open_the_socket(origin, host, scheme):
    assert origin_allowed(scope(origin, host, scheme))


@pytest.mark.parametrize(
    ("origin", "host", "scheme"),
    [
        ("http://127.0.0.1:9999", "127.0.0.1:8000", "ws"),  # another port of the same host
        ("http://127.0.0.1", "127.0.0.1:8000", "ws"),
        ("http://localhost:8000", "localhost", "ws"),
        ("https://localhost", "localhost", "ws"),  # another scheme
        ("https://127.0.0.1:8000", "127.0.0.1:8000", "ws"),
        ("http://localhost", "localhost", "wss"),  # a plain-http page on a TLS site
        ("http://localhost:443", "localhost", "wss"),
        ("http://evil.example", "localhost", "ws"),  # another host
        ("http://localhost.evil.example", "localhost", "ws"),
        ("http://127.0.0.1:8000", "localhost:8000", "ws"),  # the same server, other name
        ("null", "localhost", "ws"),  # sandboxed frames, file:// pages
        ("file://", "localhost", "ws"),
        ("chrome-extension://abc", "localhost", "ws"),
        ("http://localhost:notaport", "localhost", "ws"),
        ("http://user@localhost", "localhost", "ws"),
        (None, "localhost", "ws"),  # no Origin at all
        ("http://localhost", None, "ws"),  # no Host
        ("", "localhost", "ws"),
    ],
)
def test_a_page_elsewhere_may_not(origin, host, scheme):
    assert not origin_allowed(scope(origin, host, scheme))


def test_a_host_the_site_does_not_serve_is_refused_even_when_origin_matches_it():
    # DNS rebinding: evil.example resolves to this server; its page's origin and the
    # Host it connects to agree, but the site does not serve that name.
    assert not origin_allowed(scope("http://evil.example:8000", "evil.example:8000"))


def test_behind_a_tls_proxy_the_scheme_comes_from_secure_proxy_ssl_header(site):
    https_page = scope("https://playground.example.com", "playground.example.com")
    forwarded = scope(
        "https://playground.example.com", "playground.example.com", x_forwarded_proto="https"
    )
    http_page = scope(
        "http://playground.example.com", "playground.example.com", x_forwarded_proto="https"
    )
    # Without the setting, a client's X-Forwarded-Proto is not believed.
    assert not origin_allowed(forwarded)
    site.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert origin_allowed(forwarded)
    assert not origin_allowed(http_page)
    # The proxy said plain http (or nothing: the scheme of the connection then counts).
    assert not origin_allowed(
        scope("https://playground.example.com", "playground.example.com", x_forwarded_proto="http")
    )
    assert not origin_allowed(https_page)
    # Django reads the first of comma-separated values, and so does the check.
    assert origin_allowed(
        scope(
            "https://playground.example.com",
            "playground.example.com",
            x_forwarded_proto="https, http",
        )
    )


def test_csrf_trusted_origins_may_open_the_socket_with_their_exact_scheme_and_port(site):
    site.CSRF_TRUSTED_ORIGINS = ["https://playground.example.com", "https://*.corp.example"]
    internal = "127.0.0.1:8000"  # a proxy that does not pass the public Host on
    assert origin_allowed(scope("https://playground.example.com", internal))
    assert origin_allowed(scope("https://playground.example.com:443", internal))
    assert origin_allowed(scope("https://team.corp.example", internal))
    assert not origin_allowed(scope("http://playground.example.com", internal))
    assert not origin_allowed(scope("https://playground.example.com:8443", internal))
    assert not origin_allowed(scope("http://team.corp.example", internal))
    assert not origin_allowed(scope("https://team.corp.example:8443", internal))
    assert not origin_allowed(scope("https://corp.example.evil", internal))
    # The Host must still be one the site serves.
    assert not origin_allowed(scope("https://playground.example.com", "evil.example"))


def test_debug_without_allowed_hosts_serves_localhost_as_django_does(site):
    site.ALLOWED_HOSTS = []
    site.DEBUG = True
    assert origin_allowed(scope("http://localhost:8000", "localhost:8000"))
    assert not origin_allowed(scope("http://localhost:9999", "localhost:8000"))
    site.DEBUG = False
    assert not origin_allowed(scope("http://localhost:8000", "localhost:8000"))


@pytest.mark.django_db(transaction=True)
async def test_the_application_refuses_another_port_and_says_so_in_the_log(async_client, caplog):
    from django.contrib.auth.models import User

    user = await User.objects.acreate(username="someone")
    await async_client.aforce_login(user)
    cookie = f"sessionid={async_client.cookies['sessionid'].value}".encode()
    host = (b"host", b"127.0.0.1:8000")

    own = WebsocketCommunicator(
        application,
        "/ws/run/",
        headers=[host, (b"origin", b"http://127.0.0.1:8000"), (b"cookie", cookie)],
    )
    assert (await own.connect())[0]
    await own.disconnect()

    foreign = WebsocketCommunicator(
        application,
        "/ws/run/",
        headers=[host, (b"origin", b"http://127.0.0.1:9999"), (b"cookie", cookie)],
    )
    with caplog.at_level(logging.WARNING, logger="playground.origin"):
        assert not (await foreign.connect())[0]
    assert "'http://127.0.0.1:9999'" in caplog.text and "'127.0.0.1:8000'" in caplog.text

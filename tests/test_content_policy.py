"""The Content-Security-Policy header, and templates that need nothing it forbids."""

import re
from pathlib import Path

import pytest

from tests.providerconfig.factories import make_provider_config

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()
    }


def test_every_page_gets_the_policy_with_its_own_socket(admin_client):
    policy = directives(admin_client.get("/"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"
    assert policy["connect-src"] == "'self' ws://testserver"
    # Generated images are data: URLs; no image loads from another server.
    assert policy["img-src"] == "'self' data:"
    # The sign-in page and its lockout page too.
    assert "script-src" in directives(admin_client.get("/login/"))


def test_behind_a_tls_proxy_the_socket_is_wss(admin_client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["playground.example.com"]
    response = admin_client.get(
        "/", HTTP_HOST="playground.example.com", HTTP_X_FORWARDED_PROTO="https"
    )
    assert directives(response)["connect-src"] == "'self' wss://playground.example.com"


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_no_template_has_inline_script_handlers_or_styles(path):
    text = path.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "an inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", text), "an on* handler attribute"
    assert not re.search(r"\sstyle\s*=", text), "a style attribute"
    assert "<style" not in text, "a <style> element"


def test_removing_a_provider_asks_first_without_an_inline_handler(admin_client):
    make_provider_config("http://127.0.0.1:9/v1", name="gateway")
    page = admin_client.get("/providers/").content.decode()
    assert 'data-confirm="Remove provider gateway?"' in page

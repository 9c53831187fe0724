"""One set of base-URL rules for OPENAI_BASE_URL, stored providers and inline export
providers: the same URLs are refused everywhere, and a credential is never echoed."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from playground.export.shared import inline_target
from playground.providerconfig.services import validate_base_url
from playground.providers.base_url import (
    base_url_problem,
    normalized_base_url,
    private_address_problem,
)
from playground.spec import RequestInvalid

ROOT = Path(__file__).resolve().parents[2]
KEY_HINT = "Put the key in OPENAI_API_KEY."

NOT_A_URL = "must start with http:// or https:// and name a host, with no spaces or quotes"
REFUSED = [
    ("localhost:11434/v1", NOT_A_URL),
    ("ftp://files.example/v1", NOT_A_URL),
    ("javascript:alert(1)", NOT_A_URL),
    ("https://gw.example/v1\nrm -rf ~", NOT_A_URL),
    ('https://gw.example/v1"', NOT_A_URL),
    ("http://gw.example:99999/v1", NOT_A_URL),
    ("https://me:SECRET-pw@gw.example/v1", "must not contain a user name or password"),
    ("https://gw.example/v1?key=SECRET-q", "must not have a query string or fragment"),
    ("https://gw.example/v1#SECRET-frag", "must not have a query string or fragment"),
]
ACCEPTED = ["https://api.openai.com/v1", "http://127.0.0.1:11434/v1/", "https://gw.example"]


@pytest.mark.parametrize(("url", "problem"), REFUSED)
def test_a_bad_base_url_is_refused_in_the_same_words_everywhere(url, problem):
    assert problem in base_url_problem(url, key_hint=KEY_HINT)
    with pytest.raises(ValidationError) as stored:
        validate_base_url(url)
    assert f"The base URL {problem}" in stored.value.message_dict["base_url"][0]
    with pytest.raises(RequestInvalid) as inline:
        inline_target({"base_url": url})
    assert problem in inline.value.errors["provider.base_url"]
    # A credential is never echoed back, wherever it was refused.
    shown = [
        base_url_problem(url, key_hint=KEY_HINT),
        *stored.value.message_dict["base_url"],
        inline.value.errors["provider.base_url"],
    ]
    assert not any("SECRET" in text for text in shown)


@pytest.mark.parametrize("url", ACCEPTED)
def test_a_good_base_url_is_accepted_everywhere(url):
    assert base_url_problem(url, key_hint=KEY_HINT) is None
    validate_base_url(url)
    assert inline_target({"base_url": url}).base_url == normalized_base_url(url)


def test_each_place_says_where_the_key_goes_instead():
    url = "https://gw.example/v1?key=k"
    assert base_url_problem(url, key_hint=KEY_HINT) == (
        "must not have a query string or fragment (? or #): paths such as /chat/completions "
        "are appended to it. Put the key in OPENAI_API_KEY."
    )
    with pytest.raises(ValidationError) as stored:
        validate_base_url(url)
    assert stored.value.message_dict["base_url"][0].endswith(
        "Put the key in the API key field, or in an extra header."
    )
    with pytest.raises(RequestInvalid) as inline:
        inline_target({"base_url": url})
    assert inline.value.errors["provider.base_url"].endswith(
        "The key comes from the variable named in api_key_env."
    )


def test_a_private_address_is_told_with_or_without_a_lookup(fake_dns):
    fake_dns.answer("intranet.test", "10.1.2.3")
    assert private_address_problem("http://127.0.0.1:11434/v1", resolve=False) == (
        "This deployment does not allow provider URLs on private or loopback addresses, and "
        "127.0.0.1 is one. Use the provider's public address."
    )
    assert private_address_problem("http://intranet.test/v1", resolve=False) is None
    assert fake_dns.lookups["intranet.test"] == 0
    assert private_address_problem("http://intranet.test/v1") == (
        "This deployment does not allow provider URLs on private or loopback addresses, and "
        "intranet.test resolves to 10.1.2.3. Use the provider's public address."
    )
    assert "was not found" in private_address_problem("http://no-such-host.invalid/v1")
    fake_dns.answer("public.test", "93.184.215.14")
    assert private_address_problem("https://public.test/v1") is None


def test_settings_can_load_the_rules_before_django_is_set_up():
    # settings.py checks OPENAI_BASE_URL with them while Django is still loading it: nothing
    # they import may read the settings (django.conf) or the database. The messages' gettext
    # (django.utils.translation) is fine: it reads nothing until a message is translated.
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, playground.providers.base_url; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'"
            " and m.split('.')[1:2] in (['conf'], ['db'], ['contrib'], ['template'])))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "[]"

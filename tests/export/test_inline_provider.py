"""An inline provider ({base_url, api_key_env}) is checked like any other field: its values
are written into code (a shell line, Python and JS literals), so they must be what they claim."""

import pytest

from playground.export import export
from playground.spec import RequestInvalid

BODY = {"model": "m", "messages": [{"role": "user", "content": "Hi"}]}


def _export(lang: str, provider: dict) -> str:
    return export(lang, {"mode": "chat", "provider": provider, "body": BODY})


@pytest.mark.parametrize(
    ("provider", "field", "message"),
    [
        # Would run `touch` in the curl snippet's Authorization line.
        (
            {"base_url": "https://x.example/v1", "api_key_env": 'K}"; touch /tmp/p; echo "${Y'},
            "provider.api_key_env",
            "environment variable name",
        ),
        # The key pasted where its variable's name goes: refused, and not echoed back.
        ({"api_key_env": "sk-pasted-SECRET-1234"}, "provider.api_key_env", "never goes"),
        ({"base_url": "https://x.example/v1", "api_key_env": "1KEY"}, "provider.api_key_env", ""),
        ({"base_url": "https://x.example/v1", "api_key_env": 5}, "provider.api_key_env", ""),
        ({"base_url": "javascript:alert(1)"}, "provider.base_url", "http:// or https://"),
        ({"base_url": "https://x.example/v1\nrm -rf ~"}, "provider.base_url", ""),
        ({"base_url": 123}, "provider.base_url", ""),
        # A credential in the URL would be written into the code: refused, not echoed.
        ({"base_url": "https://me:SECRET-pw@gw.example/v1"}, "provider.base_url", "password"),
        # A key in the query string: also a credential, and paths are appended after it.
        ({"base_url": "https://gw.example/v1?key=SECRET-q"}, "provider.base_url", "query"),
        ({"base_url": "https://gw.example/v1#SECRET-frag"}, "provider.base_url", "query"),
        # A key written into the request would be silently dropped: say where it goes instead.
        (
            {"base_url": "https://x.example/v1", "api_key": "sk-abc"},
            "provider.api_key",
            "api_key_env",
        ),
    ],
)
def test_a_bad_inline_provider_is_refused_with_the_field_named(provider, field, message):
    for lang in ("python", "node", "curl", "json"):
        with pytest.raises(RequestInvalid) as refused:
            _export(lang, provider)
        assert field in refused.value.errors, refused.value.errors
        assert message in refused.value.errors[field]
        assert "SECRET" not in str(refused.value.errors) and "sk-abc" not in str(
            refused.value.errors
        )


def test_a_good_inline_provider_still_exports():
    snippet = _export("curl", {"base_url": "http://127.0.0.1:8000/v1/", "api_key_env": "VLLM_KEY"})
    assert "'http://127.0.0.1:8000/v1/chat/completions'" in snippet
    assert '"Authorization: Bearer $VLLM_KEY"' in snippet
    # Both keys are optional: OpenAI's URL and variable.
    snippet = _export("python", {})
    assert "os.environ['OPENAI_API_KEY']" in snippet and "base_url" not in snippet

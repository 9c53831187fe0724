"""Settings from the environment: a mistyped OPENAI_BASE_URL or OPENAI_API_KEY stops the
start with a message naming the variable, instead of failing every run later."""

import pytest

from tests.providerconfig.test_startup import start


@pytest.mark.parametrize("url", ["localhost:11434/v1", "api.openai.com/v1", "ftp://x/v1"])
def test_a_base_url_without_http_refuses_to_start(tmp_path, url):
    result = start(tmp_path, OPENAI_BASE_URL=url, OPENAI_API_KEY="sk-x")
    assert result.returncode != 0
    assert "OPENAI_BASE_URL must start with http:// or https://" in result.stderr
    assert url in result.stderr


def test_a_key_with_a_character_http_cannot_carry_refuses_to_start(tmp_path):
    result = start(tmp_path, OPENAI_API_KEY="sk-abc\u200bdef")
    assert result.returncode != 0
    assert "OPENAI_API_KEY contains a character that is not ASCII" in result.stderr
    assert "sk-abc" not in result.stderr  # the key is not printed, not even in part


def test_a_local_server_url_starts(tmp_path):
    result = start(tmp_path, OPENAI_BASE_URL="http://127.0.0.1:11434/v1")
    assert result.returncode == 0, result.stderr


def test_a_base_url_with_a_query_string_refuses_to_start_without_printing_it(tmp_path):
    result = start(tmp_path, OPENAI_BASE_URL="https://gw.example/v1?key=sk-SECRET-q")
    assert result.returncode != 0
    assert "OPENAI_BASE_URL must not have a query string" in result.stderr
    assert "SECRET" not in result.stderr


def test_a_base_url_with_a_password_refuses_to_start_without_printing_it(tmp_path):
    # It would otherwise be shown in the provider list ("OpenAI-compatible (…)").
    result = start(tmp_path, OPENAI_BASE_URL="https://me:SECRET-pw@gw.example/v1")
    assert result.returncode != 0
    assert "OPENAI_BASE_URL must not contain a user name or password" in result.stderr
    assert "SECRET" not in result.stderr

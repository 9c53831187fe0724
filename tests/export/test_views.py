"""POST /export/<lang> and the page's export panel."""

import json

import pytest
from django.contrib.auth.models import User

from tests.conftest import TEST_API_KEY

pytestmark = pytest.mark.django_db

REQUEST = {
    "mode": "chat",
    "provider": "openai",
    "body": {"model": "fake-model", "messages": [{"role": "user", "content": "Hi </script>"}]},
}


@pytest.fixture
def signed_in(client):
    client.force_login(User.objects.create_user("ana", password="pw-ana-12345"))
    return client


def _post(client, lang: str, data) -> object:
    payload = data if isinstance(data, str) else json.dumps(data)
    return client.post(f"/export/{lang}", payload, content_type="application/json")


@pytest.mark.parametrize("lang", ["python", "node", "curl", "json"])
def test_each_language_comes_back_as_plain_text_without_the_key(signed_in, lang):
    response = _post(signed_in, lang, REQUEST)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "Hi </script>" in text
    assert TEST_API_KEY not in text


def test_the_json_tab_is_the_body_alone(signed_in):
    response = _post(signed_in, "json", REQUEST)

    assert json.loads(response.content) == REQUEST["body"]


def test_an_invalid_request_is_refused_naming_the_field(signed_in):
    bad = {**REQUEST, "body": {**REQUEST["body"], "temperature": 3}}

    response = _post(signed_in, "python", bad)

    assert response.status_code == 400
    assert response.content.decode().startswith("temperature: 3")
    assert "0 to 2" in response.content.decode()


def test_a_body_that_is_not_json_is_refused(signed_in):
    response = _post(signed_in, "curl", "{not json")

    assert response.status_code == 400
    assert "not valid JSON" in response.content.decode()


def test_an_unknown_language_names_the_allowed_ones(signed_in):
    response = _post(signed_in, "ruby", REQUEST)

    assert response.status_code == 404
    assert "python, node, curl, json" in response.content.decode()


def test_signed_out_users_cannot_export(client):
    response = _post(client, "python", REQUEST)

    assert response.status_code == 401


def test_node_refuses_integers_javascript_cannot_hold(signed_in):
    big = {**REQUEST, "body": {**REQUEST["body"], "seed": 2**60}}

    response = _post(signed_in, "node", big)

    assert response.status_code == 400
    assert response.content.decode().startswith("body.seed: is beyond 2^53")
    # Python and curl carry the exact digits.
    assert str(2**60) in _post(signed_in, "python", big).content.decode()
    assert str(2**60) in _post(signed_in, "curl", big).content.decode()


def test_the_panel_renders_the_form_as_highlighted_code(signed_in):
    form = {
        "provider": "openai",
        "model": "fake-model",
        "system": "Be <b>brief</b>",
        "messages-0-role": "user",
        "messages-0-content": "Hello",
        "temperature": "0.5",
    }

    # The page's form, posted to the same URL scripts post a request JSON to.
    response = signed_in.post("/export/node", form)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="export-code"' in html
    assert '<span class="' in html  # Pygments tokens
    assert "Be &lt;b&gt;brief&lt;/b&gt;" in html  # user text escaped
    assert '"temperature"' in html
    assert 'data-lang="node" aria-selected="true"' in html
    assert 'data-lang="python" aria-selected="false"' in html
    assert TEST_API_KEY not in html


def test_the_panel_lists_what_to_fix_instead_of_code(signed_in):
    form = {
        "provider": "openai",
        "model": "fake-model",
        "messages-0-role": "user",
        "messages-0-content": "Hi",
        "top_p": "7",
    }

    response = signed_in.post("/export/python", form)

    html = response.content.decode()
    assert 'id="export-code"' not in html
    assert "<code>top_p</code>" in html
    assert "0 to 1" in html


@pytest.mark.parametrize("lang", ["python", "node", "curl", "json"])
def test_an_unpaired_surrogate_is_refused_with_the_field_named(signed_in, lang):
    # "\ud83d" is half an emoji: valid JSON text, but no character; no UTF-8 snippet holds it.
    payload = json.dumps(REQUEST).replace("Hi </script>", "half \\ud83d emoji")

    response = _post(signed_in, lang, payload)

    assert response.status_code == 400
    text = response.content.decode()
    assert "body.messages[0].content" in text and "surrogate" in text


def test_a_body_nested_too_deeply_to_read_is_refused_not_a_server_error(signed_in):
    response = _post(signed_in, "python", "[" * 100_000 + "]" * 100_000)

    assert response.status_code == 400
    assert "nested too deeply" in response.content.decode()

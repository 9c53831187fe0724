"""Pages and sign-in: everything requires a signed-in user; the sign-in link works once."""

import json
import re
from io import StringIO

import pytest
from channels.testing import WebsocketCommunicator
from django.core.management import call_command

from playground.asgi import application
from tests.conftest import TEST_API_KEY

pytestmark = pytest.mark.django_db


def test_the_page_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_page_shows_providers_parameters_and_no_key(admin_client):
    page = admin_client.get("/").content.decode()
    assert 'ws-connect="/ws/run/"' in page
    assert "Offline model (built in)" in page
    assert '<option value="openai"' in page
    assert 'name="temperature"' in page and 'min="0"' in page and 'max="2"' in page
    assert 'name="messages-0-content"' in page
    assert TEST_API_KEY not in page


def test_no_template_comment_leaks_into_the_page(admin_client):
    # Django's {# #} comments are one line only: a multi-line one is printed as page text.
    page = admin_client.get("/").content.decode()
    assert "{#" not in page and "#}" not in page


def test_model_options_list_the_providers_models(admin_client, fake_upstream):
    options = admin_client.get("/models/", {"provider": "openai"}).content.decode()
    assert '<option value="fake-model">' in options
    assert '<option value="fake-model-mini">' in options


def test_model_options_for_an_unknown_provider_are_empty(admin_client):
    assert "<option" not in admin_client.get("/models/", {"provider": "nope"}).content.decode()


def sign_in_link() -> tuple[str, str]:
    out = StringIO()
    call_command("ensure_local_user", "--base-url", "http://testserver", stdout=out)
    text = out.getvalue()
    return text, re.search(r"http://testserver(/signin/\S+)", text).group(1)


def test_ensure_local_user_creates_the_account_once_and_prints_a_link(django_user_model):
    first, _ = sign_in_link()
    second, _ = sign_in_link()
    assert "password:" in first
    assert "password:" not in second
    assert django_user_model.objects.filter(username="admin", is_superuser=True).count() == 1


def test_the_sign_in_link_signs_in_once(client):
    _, link = sign_in_link()
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.logout()
    reused = client.get(link)
    assert reused.status_code == 400
    assert "no longer works" in reused.content.decode()


def test_a_forged_sign_in_link_is_refused(client):
    assert client.get("/signin/MQ/abc-123/").status_code == 400
    assert client.get("/signin/!!/abc-123/").status_code == 400


@pytest.mark.django_db(transaction=True)
async def test_the_socket_refuses_anonymous_users():
    communicator = WebsocketCommunicator(
        application, "/ws/run/", headers=[(b"origin", b"http://localhost")]
    )
    connected, _ = await communicator.connect()
    assert not connected


@pytest.mark.django_db(transaction=True)
async def test_the_socket_accepts_a_signed_in_session_from_an_allowed_origin(async_client):
    from django.contrib.auth.models import User

    user = await User.objects.acreate(username="someone")
    await async_client.aforce_login(user)
    cookie = f"sessionid={async_client.cookies['sessionid'].value}".encode()

    allowed = WebsocketCommunicator(
        application, "/ws/run/", headers=[(b"origin", b"http://localhost"), (b"cookie", cookie)]
    )
    assert (await allowed.connect())[0]
    await allowed.disconnect()

    foreign = WebsocketCommunicator(
        application, "/ws/run/", headers=[(b"origin", b"http://evil.example"), (b"cookie", cookie)]
    )
    assert not (await foreign.connect())[0]


def test_the_page_offers_every_mode_and_the_spec_parameters(admin_client):
    page = admin_client.get("/").content.decode()
    for mode in ("chat", "completion", "edit", "embedding", "moderation"):
        assert f'<option value="{mode}"' in page
    for name in (
        "top_logprobs",
        "logit_bias",
        "response_format",
        "tool_choice",
        "best_of",
        "dimensions",
    ):
        assert f'name="{name}"' in page
    assert 'id="param-top_logprobs"' in page and 'min="0" max="20"' in page.replace("\n", " ")
    assert 'id="request-json"' in page and 'id="raw-response"' in page


def test_form_values_become_request_json_for_the_editor(admin_client):
    form = {
        "mode": "chat",
        "provider": "openai",
        "model": "m",
        "messages-0-role": "user",
        "messages-0-content": "hi",
        "seed": str(2**63 - 1),
        "extensions": '{"top_k": 40}',
    }
    answer = admin_client.post("/request/json/", form).json()
    assert '"seed": 9223372036854775807' in answer["text"]  # a number, every digit kept
    assert answer["extensions"] == ["top_k"]
    bad = admin_client.post("/request/json/", {**form, "logit_bias": "{oops"})
    assert bad.status_code == 400 and "logit_bias" in bad.json()["errors"]


def test_request_json_becomes_form_values_with_big_numbers_kept(admin_client):
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "seed": 2**63 - 1}
    text = json.dumps({"mode": "chat", "provider": "openai", "body": body})
    answer = admin_client.post("/request/form-values/", text, content_type="application/json")
    values = answer.json()["values"]
    assert values["seed"] == "9223372036854775807"
    assert values["messages-0-content"] == "hi"
    bad = admin_client.post("/request/form-values/", "{nope", content_type="application/json")
    assert bad.status_code == 400 and "not valid JSON" in bad.json()["errors"]["request"]


def test_the_editor_endpoints_need_sign_in(client):
    assert client.post("/request/json/", {}).status_code == 302
    assert (
        client.post("/request/form-values/", "{}", content_type="application/json").status_code
        == 302
    )


def test_rare_parameters_are_folded_under_more_parameters(admin_client):
    page = admin_client.get("/").content.decode()
    visible, folded = page.split('<details id="more-parameters"', 1)
    folded = folded.split("</details>", 1)[0]
    for name in ("temperature", "top_p", "max_tokens", "n", "stop", "seed"):
        assert f'id="param-{name}"' in visible and f'id="param-{name}"' not in folded
    for name in ("presence_penalty", "logit_bias", "tool_choice", "logprobs", "best_of"):
        assert f'name="{name}"' in folded and f'name="{name}"' not in visible


def test_request_json_nested_too_deeply_to_read_is_refused_not_a_server_error(admin_client):
    deep = "[" * 100_000 + "]" * 100_000
    answer = admin_client.post("/request/form-values/", deep, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["errors"]["request"] == "is nested too deeply to read"


def test_applying_json_the_api_would_refuse_fills_the_form_and_names_the_problem(admin_client):
    # The form takes the value (nothing the user typed is lost), and the editor says at once
    # what Run would refuse, instead of "Applied" and a surprise at Run.
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "temperature": 5}
    text = json.dumps({"mode": "chat", "provider": "openai", "body": body})
    answer = admin_client.post("/request/form-values/", text, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["values"]["temperature"] == "5"
    assert "allowed: 0 to 2" in answer.json()["problems"]["temperature"]
    body["temperature"] = 1
    text = json.dumps({"mode": "chat", "provider": "openai", "body": body})
    answer = admin_client.post("/request/form-values/", text, content_type="application/json")
    assert answer.json()["problems"] == {}

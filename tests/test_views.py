"""Pages and sign-in: everything requires a signed-in user; the sign-in link works once."""

import html
import json
import re
from io import StringIO

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.core.management import call_command

from playground.asgi import application
from playground.presets.services import preset_create
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
        application, "/ws/run/", headers=[(b"host", b"localhost"), (b"origin", b"http://localhost")]
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
        application,
        "/ws/run/",
        headers=[(b"host", b"localhost"), (b"origin", b"http://localhost"), (b"cookie", cookie)],
    )
    assert (await allowed.connect())[0]
    await allowed.disconnect()

    foreign = WebsocketCommunicator(
        application,
        "/ws/run/",
        headers=[(b"host", b"localhost"), (b"origin", b"http://evil.example"), (b"cookie", cookie)],
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


CHAT_REQUEST = {
    "mode": "chat",
    "provider": "offline",
    "body": {"model": "offline-1", "messages": [{"role": "user", "content": "hi"}]},
}
CHAT_FORM = {
    "mode": "chat",
    "provider": "openai",
    "model": "m",
    "messages-0-role": "user",
    "messages-0-content": "hi",
    "seed": str(2**63 - 1),
    "extensions": '{"top_k": 40}',
}


def editor_text(page: str) -> str:
    """The JSON editor's text in a rendered page or partial, as the browser reads it."""
    return html.unescape(
        page.split('id="request-json"', 1)[1].split(">", 1)[1].split("</textarea>")[0]
    )


def test_the_json_view_shows_the_forms_request_with_every_digit(admin_client):
    answer = admin_client.post("/request/json/", CHAT_FORM)
    page = answer.content.decode()
    assert answer.status_code == 200
    data = json.loads(editor_text(page))
    assert data["body"]["seed"] == 2**63 - 1 and data["body"]["top_k"] == 40
    assert '"seed": 9223372036854775807' in editor_text(page)
    # The JSON view is the enabled one; the form is disabled, so Run sends only the text.
    assert '<fieldset id="request-form" class="request-form" disabled hidden>' in page
    assert (
        'name="request" rows="24" class="code" spellcheck="false" aria-label="Request JSON" autofocus>'
        in page
    )
    assert (
        '<span id="request-view-status" class="request-view-status muted" role="status">Extensions: top_k</span>'
        in page
    )


def test_the_json_view_refuses_a_form_input_that_is_not_json_and_changes_nothing(admin_client):
    answer = admin_client.post("/request/json/", {**CHAT_FORM, "logit_bias": "{oops"})
    assert answer["HX-Retarget"] == "#request-view-status"
    assert answer["HX-Reswap"] == "outerHTML"
    status = answer.content.decode()
    assert status.startswith(
        '<span id="request-view-status" class="request-view-status muted error"'
    )
    assert "The form cannot be shown as JSON: logit_bias: is not valid JSON (" in status
    assert "request-form" not in status


def test_applying_json_renders_the_form_with_big_numbers_kept(admin_client):
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "seed": 2**63 - 1}
    text = json.dumps({"mode": "chat", "provider": "openai", "body": body, "variables": {"a": "b"}})
    answer = admin_client.post("/request/form/", {"request": text})
    page = answer.content.decode()
    assert 'name="seed" type="number"' in page and 'value="9223372036854775807"' in page
    assert (
        '<textarea name="messages-0-content" rows="2" placeholder="Write a message…" aria-label="Message">hi</textarea>'
        in page
    )
    assert 'name="variables" value="{&quot;a&quot;: &quot;b&quot;}"' in page
    assert (
        '<option value="openai" data-default-model="fake-model" data-offline="false" selected>'
        in page
    )
    assert 'role="status">Applied to the form.</span>' in page
    # The form is the enabled view again; the editor is disabled and empty.
    assert '<fieldset id="request-form" class="request-form">' in page
    assert 'aria-label="Request JSON" disabled></textarea>' in page


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            '{"mode": "chat",\n "body": {"model": "m",}}',
            "Not applied: request: is not valid JSON (Expecting property name enclosed in double quotes: line 2 column 24 (char 40)).",
        ),
        ("[1]", "Not applied: request: must be a JSON object."),
        (
            '{"mode": "video", "body": {}}',
            "Not applied: mode: must be one of chat, completion, edit, embedding, moderation, image, "
            "speech, responses, transcription, translation, fine_tuning.",
        ),
        ('{"mode": "chat", "body": [1]}', "Not applied: body: must be a JSON object."),
        ("[" * 100_000 + "]" * 100_000, "Not applied: request: is nested too deeply to read."),
    ],
    ids=["not-json", "not-an-object", "unknown-mode", "body-not-an-object", "too-deep"],
)
def test_json_the_form_cannot_hold_is_not_applied_and_the_status_says_where(
    admin_client, text, says
):
    answer = admin_client.post("/request/form/", {"request": text})
    assert answer.status_code == 200  # htmx swaps only 2xx answers
    assert answer["HX-Retarget"] == "#request-view-status"
    assert html.unescape(answer.content.decode()).strip() == (
        f'<span id="request-view-status" class="request-view-status muted error" role="status">{says}</span>'
    )


def test_the_editor_views_need_sign_in_and_a_known_view(client, admin_client):
    # Signed out (in another tab): the status says so, instead of a sign-in page in the form.
    for view, form in (("json", CHAT_FORM), ("form", {"request": "{}"})):
        answer = client.post(f"/request/{view}/", form)
        assert answer["HX-Retarget"] == "#request-view-status"
        assert "You are signed out: sign in again" in answer.content.decode()
        assert "request-form" not in answer.content.decode()
    assert admin_client.post("/request/raw/", CHAT_FORM).status_code == 404
    assert admin_client.get("/request/json/").status_code == 405


def test_rare_parameters_are_folded_under_more_parameters(admin_client):
    page = admin_client.get("/").content.decode()
    visible, folded = page.split('<details id="more-parameters"', 1)
    folded = folded.split("</details>", 1)[0]
    for name in ("temperature", "top_p", "max_tokens", "n", "stop", "seed"):
        assert f'id="param-{name}"' in visible and f'id="param-{name}"' not in folded
    for name in ("presence_penalty", "logit_bias", "tool_choice", "logprobs", "best_of"):
        assert f'name="{name}"' in folded and f'name="{name}"' not in visible


def test_applying_json_the_api_would_refuse_fills_the_form_and_names_the_problem(admin_client):
    # The form takes the value (nothing the user typed is lost), and the status says at once
    # what Run would refuse, instead of "Applied" and a surprise at Run.
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "temperature": 5}
    text = json.dumps({"mode": "chat", "provider": "openai", "body": body})
    page = admin_client.post("/request/form/", {"request": text}).content.decode()
    assert 'id="param-temperature" name="temperature"' in page and 'value="5"' in page
    assert (
        '<span id="request-view-status" class="request-view-status muted error" role="status">'
        "Applied to the form, but Run would refuse it: temperature: 5 is out of range "
        "(allowed: 0 to 2).</span>"
    ) in page
    body["temperature"] = 1
    text = json.dumps({"mode": "chat", "provider": "openai", "body": body})
    page = admin_client.post("/request/form/", {"request": text}).content.decode()
    assert 'class="request-view-status muted" role="status">Applied to the form.</span>' in page


def test_a_key_outside_the_body_is_not_applied_since_the_form_would_drop_it(admin_client):
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    text = json.dumps({"mode": "chat", "provider": "openai", "body": body, "top_k": 1})
    status = html.unescape(admin_client.post("/request/form/", {"request": text}).content.decode())
    assert (
        "Not applied: top_k: is not a known request key (allowed: mode, provider, body, variables)."
        in status
    )


def test_the_first_render_is_a_fresh_request_for_the_real_provider(admin_client):
    # The offline model is listed, but a configured provider is what a user came to try.
    page = admin_client.get("/").content.decode()
    assert '<option value="chat" data-suggested-model="" selected>Chat</option>' in page
    assert (
        '<option value="openai" data-default-model="fake-model" data-offline="false" selected>'
        in page
    )
    assert 'data-offline="true" selected' not in page
    assert (
        '<input id="model" name="model" list="model-options" value="fake-model" required>' in page
    )
    # One empty user row; the JSON view is there but disabled, so Run sends the form.
    assert page.count("data-message>") == 2  # the row, and the page's <template> of a new one
    assert '<option value="user" selected>user</option>' in page
    assert 'aria-label="Request JSON" disabled></textarea>' in page
    assert 'hx-post="/request/json/"' in page and 'hx-post="/request/form/"' not in page


def test_message_roles_are_the_ones_a_row_can_send(admin_client):
    page = admin_client.get("/").content.decode()
    row = page.split('<select name="messages-0-role"', 1)[1].split("</select>", 1)[0]
    roles = re.findall(r'<option value="(\w+)"', row)
    assert roles == ["system", "developer", "user", "assistant", "tool"]  # not "function"


def test_only_pages_that_run_load_the_run_scripts(admin_client, admin_user):
    playground = admin_client.get("/").content.decode()
    assert "playground/run.js" in playground and "playground/playground.js" in playground
    assert "htmx-ext-ws" in playground
    presets = admin_client.get("/presets/").content.decode()
    assert "run.js" not in presets and "playground.js" not in presets
    assert "htmx-ext-ws" not in presets
    preset = preset_create(owner=admin_user, name="Runs", request=CHAT_REQUEST)
    detail = admin_client.get(f"/presets/{preset.pk}/").content.decode()
    assert "playground/run.js" in detail and "presets/history_run.js" in detail
    assert "playground/playground.js" not in detail


def test_htmx_requests_carry_the_csrf_token_one_way(admin_client):
    # static/playground/csrf.js adds the cookie's token to every htmx POST; the page
    # carries no copy of its own, which a sign-in in another tab would make stale.
    page = admin_client.get("/").content.decode()
    assert "playground/csrf.js" in page
    assert "hx-headers" not in page
    save_panel = page.split('id="save-controls"', 1)[1]
    assert "csrfmiddlewaretoken" not in save_panel


@pytest.mark.django_db
def test_the_estimate_under_the_prompt_counts_tokens_and_prices_the_run(client):
    user = User.objects.create_user("estimator")
    client.force_login(user)
    form = {
        "mode": "chat",
        "provider": "openai",
        "model": "gpt-4o",
        "messages-0-role": "user",
        "messages-0-content": "Hello!",
        "max_tokens": "100",
    }
    page = client.post("/estimate/", form).content.decode()
    assert 'data-prompt-tokens="9" data-exact="true"' in page
    assert "$0.0000225 – $0.0010225 with up to 100 completion tokens" in page
    # An answer does not ask again at load (it would loop): only on input and change.
    assert "load," not in page
    approximate = client.post("/estimate/", {**form, "model": "llama3"}).content.decode()
    assert "≈ 9 prompt tokens" in approximate and "cost unknown" in approximate
    invalid = client.post("/estimate/", {**form, "temperature": "9"}).content.decode()
    assert "No estimate until the request is valid." in invalid


def test_the_estimate_of_a_signed_out_page_asks_to_sign_in(client):
    assert "Sign in again" in client.post("/estimate/", {}).content.decode()


def test_the_site_has_a_favicon(client):
    # Every page links it, and /favicon.ico (asked for by browsers regardless) is no 404.
    page = client.get("/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.svg"


@pytest.mark.django_db
def test_the_estimate_of_a_transcription_says_the_audio_is_counted_by_the_provider(client):
    client.force_login(User.objects.create_user("listener"))
    form = {"mode": "transcription", "provider": "openai", "model": "whisper-1"}
    form["file"] = "upload:" + "a" * 64

    page = client.post("/estimate/", form).content.decode()

    assert "prompt tokens" not in page
    assert "The provider counts the audio by its length: no estimate before the run." in page

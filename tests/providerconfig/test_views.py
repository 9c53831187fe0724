"""The Providers page: staff only, keys write-only, base URL for admins, test connection
in plain words, model refresh; and the Django admin keeps the key write-only too."""

import html
import re

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import Permission, User

from playground.providerconfig.models import ProviderConfig
from tests.conftest import TEST_API_KEY
from tests.providerconfig.factories import DB_API_KEY, make_provider_config

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    """A staff member who may view and change providers, but is not an admin."""
    user = User.objects.create_user("stella", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_providerconfig", "change_providerconfig"])
    )
    client.force_login(user)
    return client


def form_data(**overrides) -> dict:
    data = {
        "name": "gateway",
        "label": "Gateway",
        "base_url": "https://gateway.example/v1",
        "default_model": "gpt-4o-mini",
        "api_key": DB_API_KEY,
        "extra_headers": "HTTP-Referer: https://playground.example\nX-Title: Playground",
        "enabled": "on",
    }
    data.update(overrides)
    return data


def test_the_page_is_for_staff_only(client, django_user_model):
    user = django_user_model.objects.create_user("norm", password="pw")
    client.force_login(user)
    assert client.get("/providers/").status_code == 403
    assert client.post("/providers/add/", form_data()).status_code == 403
    assert not ProviderConfig.objects.exists()


def test_an_admin_adds_a_provider_and_its_key_is_never_shown_again(admin_client):
    response = admin_client.post("/providers/add/", form_data())
    assert response.status_code == 302
    config = ProviderConfig.objects.get(name="gateway")
    assert config.api_key() == DB_API_KEY
    assert config.extra_headers() == {
        "HTTP-Referer": "https://playground.example",
        "X-Title": "Playground",
    }
    listing = admin_client.get("/providers/").content.decode()
    edit_page = admin_client.get(f"/providers/{config.pk}/").content.decode()
    for page in (listing, edit_page):
        assert DB_API_KEY not in page
        assert "https://playground.example" not in page  # header values are secret too
        assert "…7777" in page
    assert "Current headers: HTTP-Referer, X-Title" in edit_page


def test_a_blank_key_on_edit_keeps_the_stored_one(admin_client):
    config = make_provider_config("https://gateway.example/v1")
    response = admin_client.post(
        f"/providers/{config.pk}/", form_data(api_key="", extra_headers="", label="Renamed")
    )
    assert response.status_code == 302
    config.refresh_from_db()
    assert config.label == "Renamed"
    assert config.api_key() == DB_API_KEY


def test_the_key_can_be_removed(admin_client):
    config = make_provider_config("https://gateway.example/v1")
    admin_client.post(f"/providers/{config.pk}/", form_data(api_key="", clear_api_key="on"))
    config.refresh_from_db()
    assert config.api_key() == "" and config.api_key_hint == "no key"


def test_staff_who_are_not_admins_cannot_change_the_base_url(staff_client):
    config = make_provider_config("https://gateway.example/v1")
    staff_client.post(
        f"/providers/{config.pk}/",
        form_data(base_url="https://evil.example/v1", api_key="", label="Changed"),
    )
    config.refresh_from_db()
    assert config.base_url == "https://gateway.example/v1"
    assert config.label == "Changed"
    assert "Only an admin can change the base URL." in (
        staff_client.get(f"/providers/{config.pk}/").content.decode()
    )


def test_a_bad_header_line_is_refused_naming_the_line(admin_client):
    response = admin_client.post("/providers/add/", form_data(extra_headers="X-Ok: 1\nnonsense"))
    assert response.status_code == 200
    assert "Line 2: write each header as &#x27;Name: value&#x27;" in response.content.decode()
    assert not ProviderConfig.objects.exists()


@pytest.mark.parametrize(
    "line",
    ["X-Title: 提示词游乐场", "X-Title: Playground 🎉", "X-Tïtle: Playground", "X(Title): x"],
)
def test_a_header_http_cannot_carry_is_refused_naming_the_line(admin_client, line):
    # HTTP header names are ASCII tokens and values ASCII text: stored as typed, such a
    # header would break every request to the provider, "Test connection" included.
    response = admin_client.post("/providers/add/", form_data(extra_headers=f"X-Ok: 1\n{line}"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Line 2:" in page and "ASCII" in page
    assert not ProviderConfig.objects.exists()


def test_a_key_http_cannot_carry_is_refused_naming_the_field(admin_client):
    # A key pasted with a non-ASCII character (a full-width letter, a zero-width space).
    response = admin_client.post("/providers/add/", form_data(api_key="sk-abc\u200bdef-1234"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The API key may contain only ASCII" in page
    assert not ProviderConfig.objects.exists()


def test_private_urls_are_refused_on_save_when_the_option_is_on(admin_client, settings):
    settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS = True
    response = admin_client.post("/providers/add/", form_data(base_url="http://127.0.0.1:11434/v1"))
    assert response.status_code == 200
    assert "does not allow provider URLs on private or loopback addresses" in (
        response.content.decode()
    )
    assert not ProviderConfig.objects.exists()


def test_a_local_server_is_fine_by_default(admin_client):
    response = admin_client.post("/providers/add/", form_data(base_url="http://127.0.0.1:11434/v1"))
    assert response.status_code == 302


def test_remove(admin_client):
    config = make_provider_config("https://gateway.example/v1")
    assert admin_client.post(f"/providers/{config.pk}/delete/").status_code == 302
    assert not ProviderConfig.objects.exists()


# --- Test connection -------------------------------------------------------------------


def report(client, config) -> str:
    return client.post(f"/providers/{config.pk}/test/").content.decode()


def test_connection_ok_names_the_model_count(admin_client, fake_upstream):
    fake_upstream.accepted_keys = {DB_API_KEY}
    text = report(admin_client, make_provider_config(fake_upstream.base_url))
    assert "Connected: the key works and the provider lists 2 models." in text
    assert fake_upstream.requests[0].headers["authorization"] == f"Bearer {DB_API_KEY}"


def test_connection_with_a_wrong_key(admin_client, fake_upstream):
    fake_upstream.accepted_keys = {"sk-another"}
    text = report(admin_client, make_provider_config(fake_upstream.base_url))
    assert (
        "The provider refused the API key (401). Check the API key of provider "
        "&#x27;gateway&#x27; (Providers page)." in text
    )
    assert DB_API_KEY not in text


def test_connection_with_a_key_that_cannot_be_decrypted_says_who_must_enter_it_again(
    admin_client, fake_upstream, settings
):
    config = make_provider_config(fake_upstream.base_url)
    settings.PLAYGROUND_ENCRYPTION_KEY = Fernet.generate_key().decode()  # the key was changed
    text = report(admin_client, config)
    assert (
        "The stored API key of provider &#x27;gateway&#x27; cannot be decrypted: "
        "PLAYGROUND_ENCRYPTION_KEY changed. An admin must enter the key again under Providers."
    ) in text
    assert fake_upstream.requests == []


def test_an_environment_provider_can_be_tested_too(admin_client, test_providers, fake_upstream):
    # OPENAI_API_KEY / OPENAI_BASE_URL are set once and easy to get wrong: the admin asks
    # the same question of them as of a stored provider.
    listing = admin_client.get("/providers/").content.decode()
    assert 'hx-post="/providers/environment/openai/test/"' in listing
    assert "/providers/environment/offline/test/" not in listing  # built in: nothing to test

    fake_upstream.accepted_keys = {TEST_API_KEY}
    text = admin_client.post("/providers/environment/openai/test/").content.decode()
    assert "Connected: the key works and the provider lists 2 models." in text
    assert fake_upstream.requests[-1].headers["authorization"] == f"Bearer {TEST_API_KEY}"

    fake_upstream.accepted_keys = {"sk-another"}
    text = admin_client.post("/providers/environment/openai/test/").content.decode()
    assert "The provider refused the API key (401). Check OPENAI_API_KEY." in text
    assert TEST_API_KEY not in text

    assert admin_client.post("/providers/environment/offline/test/").status_code == 404
    assert admin_client.post("/providers/environment/nope/test/").status_code == 404


def test_testing_an_environment_provider_is_for_staff(client, django_user_model, test_providers):
    client.force_login(django_user_model.objects.create_user("norm", password="pw"))
    assert client.post("/providers/environment/openai/test/").status_code == 403


def test_connection_with_a_wrong_url(admin_client, fake_upstream):
    base = fake_upstream.base_url.removesuffix("/v1") + "/api"
    text = report(admin_client, make_provider_config(base))
    assert f"Not found (404): {base}/models does not exist." in text
    assert "usually ends in /v1" in text


def test_connection_with_no_route(admin_client):
    text = report(admin_client, make_provider_config("http://127.0.0.1:9/v1"))
    assert "Could not reach http://127.0.0.1:9/v1: the connection was refused." in text


def test_connection_with_an_unknown_host(admin_client):
    text = report(admin_client, make_provider_config("http://no-such-host.invalid/v1"))
    assert "Could not reach http://no-such-host.invalid/v1: the host was not found." in text


def test_connection_to_a_host_that_rebinds_to_a_private_address_is_refused(
    admin_client, settings, fake_upstream, fake_dns
):
    settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS = True
    # Public when saved and when the test checks the URL, 127.0.0.1 once it connects.
    fake_dns.answer("rebind.test", "93.184.215.14", "93.184.215.14", "127.0.0.1")
    config = make_provider_config(f"http://rebind.test:{fake_upstream.port}/v1")
    text = report(admin_client, config)
    assert (
        "This deployment does not allow provider URLs on private or loopback addresses, "
        "and rebind.test resolved to 127.0.0.1 when connecting." in text
    )
    assert fake_upstream.connections == 0
    assert fake_dns.lookups["rebind.test"] == 3


def test_connection_with_a_tls_error(admin_client, untrusted_tls_server):
    text = report(admin_client, make_provider_config(untrusted_tls_server))
    assert f"TLS error: the secure connection to {untrusted_tls_server} failed" in text
    assert "certificate" in text


def test_connection_to_a_url_that_redirects(admin_client, redirecting_server):
    # http:// where the provider wants https://: following would send the key elsewhere.
    text = report(admin_client, make_provider_config(redirecting_server))
    assert f"Wrong URL: {redirecting_server}/models redirects to" in text
    assert "https://provider.example/v1/models" in text
    assert "Try again in a moment" not in text


def test_refresh_models_asks_the_provider_again(admin_client, fake_upstream):
    config = make_provider_config(fake_upstream.base_url)
    text = admin_client.post(f"/providers/{config.name}/refresh-models/").content.decode()
    assert "2 models: fake-model, fake-model-mini." in text
    fake_upstream.models = ["fake-model", "fake-model-mini", "fake-model-new"]
    text = admin_client.post(f"/providers/{config.name}/refresh-models/").content.decode()
    assert "3 models: fake-model, fake-model-mini, fake-model-new." in text
    fake_upstream.models = ["fake-model", "fake-model-mini"]


def test_refresh_models_says_what_is_wrong_instead_of_listing_the_default(
    admin_client, fake_upstream
):
    # A failed listing falls back to the default model for the page's suggestions; the
    # admin who asked for a refresh must not read that as "1 models: fake-model".
    config = make_provider_config(fake_upstream.base_url)
    fake_upstream.accepted_keys = {"sk-another"}
    text = admin_client.post(f"/providers/{config.name}/refresh-models/").content.decode()
    assert "The provider refused the API key (401)." in text
    assert 'data-ok="false"' in text
    assert "1 models" not in text


# --- Django admin ----------------------------------------------------------------------


def test_the_admin_saves_the_key_encrypted_and_never_shows_it(admin_client):
    data = form_data()
    data.pop("enabled")
    data["enabled"] = "on"
    response = admin_client.post("/admin/providerconfig/providerconfig/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    config = ProviderConfig.objects.get(name="gateway")
    assert config.api_key() == DB_API_KEY
    change = admin_client.get(f"/admin/providerconfig/providerconfig/{config.pk}/change/")
    listing = admin_client.get("/admin/providerconfig/providerconfig/")
    for page in (change.content.decode(), listing.content.decode()):
        assert DB_API_KEY not in page
        assert "…7777" in page


def test_the_admin_refuses_a_name_the_environment_uses(admin_client):
    response = admin_client.post(
        "/admin/providerconfig/providerconfig/add/", form_data(name="openai")
    )
    assert response.status_code == 200
    assert "is taken by a provider set in the environment" in response.content.decode()
    assert not ProviderConfig.objects.exists()


def test_staff_who_are_not_admins_cannot_add_a_provider(staff_client):
    Permission.objects.get(codename="add_providerconfig").user_set.add(
        User.objects.get(username="stella")
    )
    response = staff_client.post("/providers/add/", form_data())
    assert response.status_code == 200
    assert "Only an admin can add a provider" in response.content.decode()
    assert not ProviderConfig.objects.exists()


def test_credentials_in_the_base_url_are_refused(admin_client):
    response = admin_client.post(
        "/providers/add/", form_data(base_url="https://user:sk-in-url@gateway.example/v1")
    )
    assert response.status_code == 200
    assert "must not contain a user name or password" in response.content.decode()
    assert not ProviderConfig.objects.exists()


def test_a_query_string_in_the_base_url_is_refused_without_echoing_it(admin_client):
    # /chat/completions is appended to the base URL, so a query would swallow it; and a
    # query is where a key would hide, shown on the Providers page and in every message.
    response = admin_client.post(
        "/providers/add/", form_data(base_url="https://gateway.example/v1?key=sk-in-query")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "must not have a query string" in page
    assert "sk-in-query" not in page.replace(
        'value="https://gateway.example/v1?key=sk-in-query"', ""
    )
    assert not ProviderConfig.objects.exists()


# Headers the HTTP client owns (framing, the connection, the proxy, the target host): a
# stored one would let whoever edits a provider break or redirect every request to it.
FORBIDDEN_HEADER_LINES = [
    "Host: internal.example",
    "Content-Length: 0",
    "Transfer-Encoding: chunked",
    "Connection: close",
    "Keep-Alive: timeout=5",
    "Proxy-Authorization: Basic Zm9vOmJhcg==",
    "Proxy-Connection: keep-alive",
    "Proxy-Authenticate: Basic",
    "TE: trailers",
    "Trailer: X-Checksum",
    "Upgrade: websocket",
    "Expect: 100-continue",
    "content-length: 10",
    "HOST: internal.example",
    "authorization: Basic Zm9vOmJhcg==",
]


@pytest.mark.parametrize("line", FORBIDDEN_HEADER_LINES)
def test_a_header_the_http_client_owns_is_refused_naming_it_and_why(admin_client, line):
    response = admin_client.post("/providers/add/", form_data(extra_headers=f"X-Ok: 1\n{line}"))
    assert response.status_code == 200
    page = response.content.decode()
    name = line.split(":")[0]
    assert f"Line 2: {name} cannot be set as an extra header: " in page
    why = html.unescape(page).split(f"{name} cannot be set as an extra header: ")[1]
    assert why.startswith(
        (
            "the HTTP client sets it",
            "it is hop-by-hop",
            "it is a proxy's",
            "it is meant for a proxy",
            "the playground sends the API key in it",
        )
    ), why[:80]
    assert not ProviderConfig.objects.exists()


def test_the_admin_refuses_a_header_the_http_client_owns(admin_client):
    data = form_data(extra_headers="Transfer-Encoding: chunked", teams=[])
    response = admin_client.post("/admin/providerconfig/providerconfig/add/", data)
    assert response.status_code == 200
    assert "Transfer-Encoding cannot be set as an extra header" in response.content.decode()
    assert not ProviderConfig.objects.exists()


def test_saving_through_the_service_refuses_a_header_the_http_client_owns():
    # Any path that stores a provider (an import, a shell, a future command) goes through
    # provider_config_save: it refuses too, not only the form.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        make_provider_config("https://gateway.example/v1", extra_headers={"Host": "evil.example"})
    assert "Host cannot be set as an extra header" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        make_provider_config("https://gateway.example/v1", extra_headers={"X-Title": "提示"})
    assert "ASCII" in str(caught.value)
    assert not ProviderConfig.objects.exists()


def test_the_moderation_model_is_set_on_the_page_and_in_the_admin(admin_client):
    page = admin_client.get("/providers/add/").content.decode()
    assert 'name="moderation_model"' in page and "Blank: omni-moderation-latest" in page
    admin_client.post("/providers/add/", form_data(moderation_model="llama-guard-3"))
    assert ProviderConfig.objects.get(name="gateway").moderation_model == "llama-guard-3"
    data = form_data(name="other", moderation_model="text-moderation-stable", teams=[])
    response = admin_client.post("/admin/providerconfig/providerconfig/add/", data)
    assert response.status_code == 302
    assert ProviderConfig.objects.get(name="other").moderation_model == "text-moderation-stable"
    change = admin_client.get(
        f"/admin/providerconfig/providerconfig/{ProviderConfig.objects.get(name='other').pk}/change/"
    )
    assert 'name="moderation_model"' in change.content.decode()


def test_the_edit_page_says_which_stored_headers_are_not_sent(admin_client):
    config = make_provider_config("https://gateway.example/v1")
    config.set_extra_headers({"Host": "internal.example", "X-Title": "Playground"})
    config.save()  # stored before the rule
    page = html.unescape(admin_client.get(f"/providers/{config.pk}/").content.decode())
    assert "Current headers: Host, X-Title. Not sent: Host (the HTTP client sets" in page
    assert "internal.example" not in page


def field_blocks(page: str) -> dict[str, str]:
    """Each field's block of the page's form, by the field's name."""
    form = page.split('class="site-form', 1)[1].split("</form>", 1)[0]
    blocks = form.split('<div class="form-field')[1:]
    return {re.search(r' id="id_(\w+)"', block).group(1): block for block in blocks}


def test_the_provider_form_looks_like_the_sites_other_forms(admin_client):
    page = admin_client.get("/providers/add/").content.decode()
    # The card every other form of the site sits in (sign in, import, budgets, …).
    assert '<main class="pages narrow form-page">' in page
    # Not Django's default markup: labels without colons, help texts as the site's hints.
    assert 'class="helptext"' not in page and "errorlist" not in page
    fields = field_blocks(page)
    assert list(fields) == [
        "name", "label", "base_url", "default_model", "moderation_model", "teams",
        "connect_timeout", "first_token_timeout", "token_gap_timeout", "enabled",
        "api_key", "clear_api_key", "extra_headers", "clear_extra_headers",
    ]  # fmt: skip
    base_url = fields["base_url"]
    assert '<label for="id_base_url">Base URL</label>' in base_url
    assert (
        '<p class="hint" id="id_base_url_helptext">'
        "The OpenAI-compatible API root, usually ending in /v1.</p>"
    ) in base_url
    assert 'aria-describedby="id_base_url_helptext"' in base_url
    # A check box sits before its words, as on the preset pages.
    assert (
        '<label class="check" for="id_enabled"><input type="checkbox" name="enabled"'
        in (fields["enabled"])
    )
    assert '<button type="submit" class="primary">Save</button>' in page
    assert '<a href="/providers/">Cancel</a>' in page


def test_a_refused_value_is_told_next_to_its_field(admin_client):
    response = admin_client.post(
        "/providers/add/", form_data(base_url="https://user:sk-in-url@gateway.example/v1")
    )
    fields = field_blocks(response.content.decode())
    base_url = fields["base_url"]
    assert 'aria-invalid="true"' in base_url
    assert '<div class="field-error" id="id_base_url_error"><p>' in base_url
    assert "must not contain a user name or password" in base_url
    assert "aria-invalid" not in fields["name"]


def test_a_refusal_of_the_whole_form_is_told_above_it(staff_client):
    Permission.objects.get(codename="add_providerconfig").user_set.add(
        User.objects.get(username="stella")
    )
    page = staff_client.post("/providers/add/", form_data()).content.decode()
    above = page.split('<div class="form-field', 1)[0]
    assert '<div class="error" role="alert">' in above
    assert "Only an admin can add a provider" in above

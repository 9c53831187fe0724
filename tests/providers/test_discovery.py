"""Model lists come from GET /models once, then from the cache, until refreshed."""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def model_gets(upstream) -> int:
    return sum(1 for r in upstream.requests if r.path == "/v1/models")


def test_the_model_list_is_cached_and_the_refresh_button_asks_again(admin_client, fake_upstream):
    first = admin_client.get("/models/", {"provider": "openai"}).content.decode()
    assert '<option value="fake-model-mini">' in first
    fake_upstream.models = ["fake-model", "fake-model-mini", "fake-model-new"]
    try:
        again = admin_client.get("/models/", {"provider": "openai"}).content.decode()
        assert "fake-model-new" not in again
        assert model_gets(fake_upstream) == 1
        refreshed = admin_client.get(
            "/models/", {"provider": "openai", "refresh": "1"}
        ).content.decode()
        assert '<option value="fake-model-new">' in refreshed
        assert model_gets(fake_upstream) == 2
    finally:
        fake_upstream.models = ["fake-model", "fake-model-mini"]


def test_the_page_offers_refresh_and_lets_any_model_name_be_typed(admin_client):
    page = admin_client.get("/").content.decode()
    assert 'id="refresh-models"' in page
    assert 'hx-vals=\'{"refresh": "1"}\'' in page
    assert '<input id="model" name="model" list="model-options"' in page


def test_a_failed_listing_falls_back_to_the_default_model(admin_client, settings, test_providers):
    settings.PLAYGROUND_PROVIDERS = {
        **test_providers,
        "openai": {**test_providers["openai"], "base_url": "http://127.0.0.1:9/v1"},
    }
    options = admin_client.get("/models/", {"provider": "openai"}).content.decode()
    assert options.count("<option") == 1
    assert '<option value="fake-model">' in options


def test_with_private_addresses_refused_the_model_list_is_not_asked_of_loopback(
    admin_client, settings, fake_upstream
):
    settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS = True
    options = admin_client.get("/models/", {"provider": "openai"}).content.decode()
    assert options.count("<option") == 1
    assert '<option value="fake-model">' in options
    assert fake_upstream.connections == 0

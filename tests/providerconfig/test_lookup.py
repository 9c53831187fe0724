"""get_provider and available_providers merge the environment's and the stored providers,
filtered to what the user may use; runs through a stored provider send its key and headers."""

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

from playground.consumers import RunConsumer
from playground.providerconfig import crypto
from playground.providerconfig.lookup import available_providers, get_provider, provider_names
from playground.providers import UpstreamError
from playground.providers.descriptor import ProviderDescriptor
from playground.teams.models import Team
from tests.conftest import RunClient, chat_request
from tests.fake_upstream import Scenario
from tests.providerconfig.factories import DB_API_KEY, make_member, make_provider_config

pytestmark = pytest.mark.django_db(transaction=True)


def names(providers) -> list[str]:
    return [provider.name for provider in providers]


async def run_once(provider: str = "gateway") -> tuple[str, RunClient]:
    """One run through the socket, as a signed-in user; its end state and what it received."""
    communicator = WebsocketCommunicator(RunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = User(username="guest")
    assert (await communicator.connect())[0]
    client = RunClient(communicator)
    try:
        await client.send(chat_request(provider=provider))
        return await client.receive_until_state(), client
    finally:
        await communicator.disconnect()


def test_stored_providers_follow_the_environments(fake_upstream):
    make_provider_config(fake_upstream.base_url, name="gateway", label="Gateway")
    assert names(available_providers()) == ["offline", "openai", "gateway"]
    provider = get_provider("gateway")
    assert provider.label == "Gateway"
    assert provider.base_url == fake_upstream.base_url


def test_listing_providers_decrypts_no_key_and_resolves_no_host(
    settings, monkeypatch, fake_dns, admin_client
):
    fake_dns.answer("gateway.example", "93.184.215.14")
    make_provider_config("https://gateway.example/v1", label="Gateway", default_model="gw-1")
    make_provider_config("https://other.example/v1", name="other", default_model="")
    # The costly parts of building a client, watched: the key's decryption and DNS.
    decrypted = []
    real_decrypt = crypto.decrypt
    monkeypatch.setattr(
        crypto, "decrypt", lambda token: decrypted.append(token) or real_decrypt(token)
    )
    settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS = True  # when a build looks hosts up
    fake_dns.lookups = {"gateway.example": 0}

    assert available_providers() == [
        ProviderDescriptor("offline", "Offline model (built in)", "offline-1", "offline"),
        ProviderDescriptor("openai", "Fake upstream", "fake-model", "openai"),
        ProviderDescriptor("gateway", "Gateway", "gw-1", "openai"),
        ProviderDescriptor("other", "other", "gpt-4o-mini", "openai"),
    ]
    assert provider_names() == ["offline", "openai", "gateway", "other"]
    page = admin_client.get("/").content.decode()
    assert (
        '<option value="gateway" data-default-model="gw-1" data-offline="false">Gateway</option>'
        in page
    )
    assert decrypted == []
    assert fake_dns.lookups == {"gateway.example": 0}

    # Building the one provider a run needs does both (so the watch above can see them).
    get_provider("gateway")
    assert len(decrypted) == 1  # the key
    assert fake_dns.lookups == {"gateway.example": 1}


def test_a_providers_client_says_what_its_descriptor_says(fake_upstream):
    make_provider_config(fake_upstream.base_url, label="Gateway", default_model="")
    for descriptor in available_providers():
        provider = get_provider(descriptor.name)
        assert (provider.name, provider.label, provider.default_model, provider.offline) == (
            descriptor.name,
            descriptor.label,
            descriptor.default_model,
            descriptor.offline,
        )


def test_a_team_provider_is_only_for_that_teams_members(fake_upstream):
    research = Team.objects.create(name="Research")
    make_provider_config(fake_upstream.base_url, name="team-only", teams=[research])
    make_provider_config(fake_upstream.base_url, name="open")
    member = make_member("rita", research)
    outsider = User.objects.create_user("otto")
    admin = User.objects.create_superuser("root", password="x")

    assert names(available_providers(member)) == ["offline", "openai", "open", "team-only"]
    assert names(available_providers(outsider)) == ["offline", "openai", "open"]
    assert "team-only" in names(available_providers(admin))
    with pytest.raises(UpstreamError) as caught:
        get_provider("team-only", outsider)
    assert "There is no provider named 'team-only' that you may use" in caught.value.message
    assert "(configured: offline, openai, open)" in caught.value.message
    assert get_provider("team-only", member).name == "team-only"


def test_a_disabled_provider_is_not_offered(fake_upstream):
    make_provider_config(fake_upstream.base_url, name="paused", enabled=False)
    assert "paused" not in names(available_providers())
    with pytest.raises(UpstreamError):
        get_provider("paused")


def test_a_name_taken_by_the_environment_is_refused(fake_upstream):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        make_provider_config(fake_upstream.base_url, name="openai")
    assert "taken by a provider set in the environment" in str(caught.value)


async def test_a_run_through_a_stored_provider_sends_its_key_and_headers(fake_upstream):
    from channels.db import database_sync_to_async

    await database_sync_to_async(make_provider_config)(
        fake_upstream.base_url,
        extra_headers={"HTTP-Referer": "https://playground.example", "X-Title": "Playground"},
    )
    fake_upstream.accepted_keys = {DB_API_KEY}
    state, client = await run_once()
    assert state == "done"
    assert client.reply() == "".join(f" word{i}" for i in range(20))
    sent = fake_upstream.chat_requests[0].headers
    assert sent["authorization"] == f"Bearer {DB_API_KEY}"
    assert sent["http-referer"] == "https://playground.example"
    assert sent["x-title"] == "Playground"
    assert DB_API_KEY not in "".join(client.frames)


async def test_a_wrong_stored_key_names_where_to_fix_it(fake_upstream):
    from channels.db import database_sync_to_async

    await database_sync_to_async(make_provider_config)(fake_upstream.base_url)
    fake_upstream.accepted_keys = {"sk-the-right-one"}
    state, client = await run_once()
    assert state == "error"
    assert (
        "The provider refused the API key (401). Check the API key of provider 'gateway' "
        "(Providers page)." in client.status_text()
    )


def test_private_addresses_are_refused_when_the_option_is_on(settings, fake_upstream):
    make_provider_config(fake_upstream.base_url, name="local")
    settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS = True
    with pytest.raises(UpstreamError) as caught:
        get_provider("local")
    assert "does not allow provider URLs on private or loopback addresses" in caught.value.message
    assert "127.0.0.1" in caught.value.message
    assert "local" not in names(available_providers())


async def test_a_stored_host_that_rebinds_to_a_private_address_is_refused_at_connect_time(
    settings, fake_upstream, fake_dns
):
    from channels.db import database_sync_to_async

    settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS = True
    # A rebinding name: public when saved and when the run looks the provider up, then
    # 127.0.0.1 (where the fake upstream listens) by the time the run connects.
    fake_dns.answer("rebind.test", "93.184.215.14", "93.184.215.14", "127.0.0.1")
    await database_sync_to_async(make_provider_config)(
        f"http://rebind.test:{fake_upstream.port}/v1"
    )
    state, client = await run_once()
    assert state == "error"
    status = client.status_text()
    assert (
        "This deployment does not allow provider URLs on private or loopback addresses, "
        "and rebind.test resolved to 127.0.0.1 when connecting." in status
    )
    assert "the base URL of provider 'gateway' (Providers page)" in status
    assert fake_upstream.connections == 0
    assert fake_dns.lookups["rebind.test"] == 3


async def test_a_stored_header_http_cannot_carry_names_itself_and_where_to_fix_it(fake_upstream):
    # Saved before such headers were refused at saving (or written straight to the table):
    # the run must say which header is wrong and where to fix it, not end in "internal error".
    from channels.db import database_sync_to_async

    def store_bad_header():
        config = make_provider_config(fake_upstream.base_url)
        config.set_extra_headers({"X-Title": "提示词游乐场"})
        config.save()

    await database_sync_to_async(store_bad_header)()
    state, client = await run_once()
    assert state == "error"
    status = client.status_text()
    assert "X-Title" in status and "ASCII" in status
    assert "provider 'gateway'" in status and "Providers page" in status
    assert "internal error" not in status.lower()
    assert fake_upstream.chat_requests == []


def test_a_stored_key_http_cannot_carry_says_to_enter_it_again(fake_upstream):
    config = make_provider_config(fake_upstream.base_url)
    config.set_api_key("sk-\u200bpasted")  # a zero-width space, stored before keys were checked
    config.save()
    with pytest.raises(UpstreamError) as caught:
        get_provider("gateway")
    assert "The stored API key of provider 'gateway' contains a character" in caught.value.message
    assert "enter the key again on the Providers page" in caught.value.message
    assert "pasted" not in caught.value.message.split("(")[0]  # the key itself is not shown


async def test_a_stored_header_the_http_client_owns_is_not_sent(fake_upstream, caplog):
    # Stored before such headers were refused (or written straight to the table): the run
    # goes on without them, and the log says which was dropped and where to remove it.
    from channels.db import database_sync_to_async

    def store_forbidden_headers():
        config = make_provider_config(fake_upstream.base_url)
        config.set_extra_headers(
            {"Host": "internal.example", "Connection": "close", "X-Title": "Playground"}
        )
        config.save()

    await database_sync_to_async(store_forbidden_headers)()
    with caplog.at_level("WARNING"):
        state, _client = await run_once()
    assert state == "done"
    sent = fake_upstream.chat_requests[0].headers
    assert sent["host"] == f"127.0.0.1:{fake_upstream.port}"
    assert sent.get("connection") != "close"
    assert sent["x-title"] == "Playground"
    warnings = " ".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert "Host" in warnings and "Connection" in warnings and "provider 'gateway'" in warnings
    assert "internal.example" not in warnings  # a header's value may be a secret


async def test_a_stored_providers_moderation_model_is_what_the_check_names(fake_upstream):
    from channels.db import database_sync_to_async

    await database_sync_to_async(make_provider_config)(
        fake_upstream.base_url, moderation_model="llama-guard-3"
    )
    fake_upstream.default = Scenario(moderation_needs_model=True)
    communicator = WebsocketCommunicator(RunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = User(username="guest")
    assert (await communicator.connect())[0]
    client = RunClient(communicator)
    try:
        await client.send({**chat_request(provider="gateway"), "moderate": "on"})
        assert await client.receive_until_state() == "done", client.status_text()
        # The reply is checked after the run ends: its verdict is the next frame.
        assert "Moderation of reply" in await client.receive()
    finally:
        await communicator.disconnect()
    assert [r.body["model"] for r in fake_upstream.moderation_requests] == [
        "llama-guard-3",
        "llama-guard-3",
    ]


async def test_a_stored_providers_failed_moderation_check_says_where_to_set_the_model(
    fake_upstream,
):
    from channels.db import database_sync_to_async

    await database_sync_to_async(make_provider_config)(fake_upstream.base_url, label="LiteLLM")
    fake_upstream.answer_next(Scenario(status=500, error_message="No deployment for that model"))
    communicator = WebsocketCommunicator(RunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = User(username="guest")
    assert (await communicator.connect())[0]
    client = RunClient(communicator)
    try:
        await client.send({**chat_request(provider="gateway"), "moderate": "on"})
        assert await client.receive_until_state() == "error"
    finally:
        await communicator.disconnect()
    status = " ".join(client.status_text().split())
    assert status.startswith(
        "LiteLLM could not check the prompt with its moderation model omni-moderation-latest: "
    ), status
    assert "No deployment for that model. The prompt was not sent" in status
    assert (
        "set another moderation model: the moderation model of provider 'gateway' on the "
        "Providers page." in status
    )
    assert fake_upstream.chat_requests == []


def test_a_host_on_the_cloud_metadata_address_100_100_100_200_is_refused_on_save(
    settings, fake_dns
):
    from django.core.exceptions import ValidationError

    settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS = True
    fake_dns.answer("metadata.test", "100.100.100.200")
    with pytest.raises(ValidationError) as caught:
        make_provider_config("http://metadata.test/v1")
    assert "metadata.test resolves to 100.100.100.200" in str(caught.value)


async def test_a_host_that_rebinds_to_the_shared_address_space_is_refused_at_connect_time(
    settings, fake_upstream, fake_dns
):
    from channels.db import database_sync_to_async

    settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS = True
    fake_dns.answer("rebind.test", "93.184.215.14", "93.184.215.14", "100.64.0.7")
    await database_sync_to_async(make_provider_config)(
        f"http://rebind.test:{fake_upstream.port}/v1", connect_timeout=0.5
    )
    state, client = await run_once()
    assert state == "error"
    assert "rebind.test resolved to 100.64.0.7 when connecting" in client.status_text()
    assert fake_upstream.connections == 0

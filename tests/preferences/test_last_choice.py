"""A fresh playground page starts on the provider, model and mode the user ran last."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.test import Client

from playground.consumers import RunConsumer
from playground.runs.models import Source
from tests.conftest import RunClient, chat_request
from tests.runs.factories import make_run

pytestmark = pytest.mark.django_db(transaction=True)


class RecordingRunConsumer(RunConsumer):
    records_runs = True  # the last choice is read from the history


def preference_last_run_set(user: User, *, provider: str, model: str, mode: str) -> None:
    """The user ran this from the playground page: it is in their history."""
    make_run(user=user, provider=provider, model=model, mode=mode, source=Source.PAGE)


def page_values(user: User) -> tuple[str, str, str]:
    client = Client()
    client.force_login(user)
    context = client.get("/").context
    return (context["provider"].name, context["values"]["model"], context["mode"].name)


async def test_running_on_the_page_remembers_the_provider_model_and_mode():
    user = await User.objects.acreate(username="ana")
    communicator = WebsocketCommunicator(RecordingRunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = user
    assert (await communicator.connect())[0]
    client = RunClient(communicator)
    await client.send(chat_request("Hi", provider="offline", model="offline-mini"))
    assert await client.receive_until_state() == "done"
    await client.receive_record()
    await communicator.disconnect()
    assert await sync_to_async(page_values)(user) == ("offline", "offline-mini", "chat")


def test_a_fresh_page_opens_on_the_users_last_choice(settings):
    user = User.objects.create_user("bo")
    preference_last_run_set(user, provider="offline", model="offline-mini", mode="embedding")
    assert page_values(user) == ("offline", "offline-mini", "embedding")


def test_a_last_provider_that_is_gone_falls_back_to_the_default():
    user = User.objects.create_user("cy")
    preference_last_run_set(user, provider="removed-gateway", model="m", mode="chat")
    provider, _model, mode = page_values(user)
    assert provider != "removed-gateway" and mode == "chat"


def test_an_opened_preset_wins_over_the_last_choice():
    from playground.presets.services import preset_create

    user = User.objects.create_user("di")
    preference_last_run_set(user, provider="offline", model="offline-mini", mode="embedding")
    preset = preset_create(
        owner=user,
        name="Chat preset",
        request={
            "mode": "chat",
            "provider": "offline",
            "body": {"model": "offline-1", "messages": [{"role": "user", "content": "x"}]},
        },
    )
    client = Client()
    client.force_login(user)
    context = client.get("/", {"preset": str(preset.pk)}).context
    assert (context["values"]["model"], context["mode"].name) == ("offline-1", "chat")


def test_with_remembering_off_every_fresh_page_starts_on_the_default(settings):
    settings.PLAYGROUND_REMEMBER_LAST_RUN = False
    user = User.objects.create_user("ed")
    preference_last_run_set(user, provider="offline", model="offline-mini", mode="embedding")
    assert page_values(user)[2] == "chat"


def remembering(name: str, provider: str, model: str = "m-1", mode: str = "embedding") -> User:
    user = User.objects.create_user(name)
    preference_last_run_set(user, provider=provider, model=model, mode=mode)
    return user


def test_a_preset_opened_through_its_shared_link_wins_over_the_last_choice():
    from playground.presets.services import preset_create, preset_share

    owner = User.objects.create_user("fay")
    preset = preset_create(
        owner=owner,
        name="Shared",
        request={
            "mode": "completion",
            "provider": "openai",
            "body": {"model": "shared-model", "prompt": "Once"},
        },
    )
    preset = preset_share(actor=owner, preset=preset, visibility="link", new_link=True)
    visitor = remembering("gus", provider="offline", model="offline-mini")
    client = Client()
    client.force_login(visitor)
    context = client.get("/", {"preset": str(preset.pk), "link": preset.link_token}).context
    assert (context["provider"].name, context["values"]["model"], context["mode"].name) == (
        "openai",
        "shared-model",
        "completion",
    )


def test_a_run_opened_from_the_history_wins_over_the_last_choice():
    user = remembering("hal", provider="offline", model="offline-mini")
    run = make_run(user=user, provider="openai", model="gpt-4o", mode="chat", source=Source.PRESET)
    client = Client()
    client.force_login(user)
    context = client.get("/", {"run": str(run.pk)}).context
    assert (context["provider"].name, context["values"]["model"], context["mode"].name) == (
        "openai",
        "gpt-4o",
        "chat",
    )


def test_a_last_provider_the_user_may_no_longer_use_falls_back_to_the_default(fake_upstream):
    from playground.teams.models import Membership, Team
    from tests.providerconfig.factories import make_member, make_provider_config

    research = Team.objects.create(name="Research")
    make_provider_config(fake_upstream.base_url, name="team-gateway", teams=[research])
    member = make_member("ivy", research)
    preference_last_run_set(member, provider="team-gateway", model="fake-model", mode="chat")
    assert page_values(member) == ("team-gateway", "fake-model", "chat")

    Membership.objects.filter(user=member).delete()  # she left the team
    assert page_values(member) == ("openai", "fake-model", "chat")


def test_a_disabled_last_provider_falls_back_to_the_default(fake_upstream):
    from playground.providerconfig.models import ProviderConfig
    from tests.providerconfig.factories import make_provider_config

    make_provider_config(fake_upstream.base_url, name="paused-gateway")
    user = remembering("jo", provider="paused-gateway", model="fake-model", mode="chat")
    assert page_values(user)[0] == "paused-gateway"
    ProviderConfig.objects.filter(name="paused-gateway").update(enabled=False)
    assert page_values(user) == ("openai", "fake-model", "chat")


def test_a_mode_this_server_no_longer_has_falls_back_to_the_default():
    user = remembering("kim", provider="offline", model="offline-1", mode="retired-mode")
    assert page_values(user) == ("openai", "fake-model", "chat")


def test_the_last_choice_wins_over_the_default_provider_setting(settings):
    settings.PLAYGROUND_DEFAULT_PROVIDER = "openai"
    user = remembering("lu", provider="offline", model="offline-mini", mode="completion")
    assert page_values(user) == ("offline", "offline-mini", "completion")
    assert page_values(User.objects.create_user("mo")) == ("openai", "fake-model", "chat")


async def test_a_later_run_with_another_model_moves_the_remembered_choice():
    user = await User.objects.acreate(username="ned")
    communicator = WebsocketCommunicator(RecordingRunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = user
    assert (await communicator.connect())[0]
    client = RunClient(communicator)
    for model in ("offline-1", "offline-1", "offline-mini"):
        await client.send(chat_request("Hi", provider="offline", model=model))
        assert await client.receive_until_state() == "done"
        await client.receive_record()
    await communicator.disconnect()
    assert (await sync_to_async(page_values)(user))[:2] == ("offline", "offline-mini")


async def test_a_refused_run_is_not_remembered():
    user = await User.objects.acreate(username="oz")
    communicator = WebsocketCommunicator(RecordingRunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = user
    assert (await communicator.connect())[0]
    client = RunClient(communicator)
    await client.send(chat_request("Hi", provider="offline", model="offline-mini", temperature=9))
    assert await client.receive_until_state() == "invalid"
    await communicator.disconnect()
    assert (await sync_to_async(page_values)(user))[1] != "offline-mini"

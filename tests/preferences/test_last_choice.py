"""A fresh playground page starts on the provider, model and mode the user ran last."""

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.test import Client

from playground.consumers import RunConsumer
from playground.preferences.models import UserPreference
from playground.preferences.services import preference_last_run_set
from tests.conftest import RunClient, chat_request

pytestmark = pytest.mark.django_db(transaction=True)


class UnrecordedRunConsumer(RunConsumer):
    records_runs = False


def page_values(user: User) -> tuple[str, str, str]:
    client = Client()
    client.force_login(user)
    context = client.get("/").context
    return (context["provider"].name, context["values"]["model"], context["mode"].name)


async def test_running_on_the_page_remembers_the_provider_model_and_mode():
    user = await User.objects.acreate(username="ana")
    communicator = WebsocketCommunicator(UnrecordedRunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = user
    assert (await communicator.connect())[0]
    client = RunClient(communicator)
    await client.send(chat_request("Hi", provider="offline", model="offline-1"))
    assert await client.receive_until_state() == "done"
    await communicator.disconnect()
    chosen = await UserPreference.objects.aget(user=user)
    assert (chosen.last_provider, chosen.last_model, chosen.last_mode) == (
        "offline",
        "offline-1",
        "chat",
    )


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

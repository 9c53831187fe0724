"""A speech request keeps its mode in a preset: saved from the page, opened in its form."""

import pytest
from django.contrib.auth.models import User

from playground.presets.models import Preset
from tests.presets.factories import make_user

pytestmark = pytest.mark.django_db

SPEECH_FORM = {
    "mode": "speech",
    "provider": "offline",
    "model": "gpt-4o-mini-tts",
    "input": "Welcome to {{city}}.",
    "variable.city": "Oslo",
    "voice": "sage",
    "instructions": "Warm and slow.",
    "response_format": "wav",
    "speed": "0.75",
}


@pytest.fixture
def alice(client) -> User:
    user = make_user("alice")
    client.force_login(user)
    return user


def test_a_speech_request_saved_from_the_page_opens_in_its_form(client, alice):
    created = client.post("/presets/new/", {**SPEECH_FORM, "preset_name": "Greeting"})
    assert "Saved as “Greeting”, version 1." in created.content.decode()
    preset = Preset.objects.get(name="Greeting")
    assert preset.versions.get().request == {
        "mode": "speech",
        "provider": "offline",
        "body": {
            "model": "gpt-4o-mini-tts",
            "input": "Welcome to {{city}}.",
            "voice": "sage",
            "instructions": "Warm and slow.",
            "response_format": "wav",
            "speed": 0.75,
        },
        "variables": {"city": "Oslo"},
    }
    page = client.get("/", {"preset": preset.pk}).content.decode()
    assert (
        '<option value="speech" data-suggested-model="gpt-4o-mini-tts" selected>Speech</option>'
        in page
    )
    assert 'id="speech-input" name="input"' in page and ">Welcome to {{city}}.</textarea>" in page
    assert '<option value="sage" selected>sage</option>' in page
    assert ">Warm and slow.</textarea>" in page
    assert 'id="speech-param-speed" name="speed"' in page and 'value="0.75"' in page
    assert "preset-extra-notice" not in page

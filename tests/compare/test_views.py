"""The compare page: opened fresh, from the playground or from saved presets; a column
added without losing what was typed; the comparison saved as presets, all or none."""

import json

import pytest

from playground.compare.columns import column_requests, form_from_requests
from playground.presets.models import Preset
from playground.spec import RequestInvalid
from tests.presets.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client):
    user = make_user("alice")
    client.force_login(user)
    return user


def test_a_fresh_page_has_two_columns_with_scoped_outputs(client, alice):
    page = client.get("/compare/").content.decode()
    assert 'id="provider-0"' in page and 'id="provider-1"' in page and 'id="provider-2"' not in page
    assert 'id="c0-run-status"' in page and 'id="c1-reply-0"' in page
    assert 'ws-connect="/ws/compare/"' in page


def test_the_playground_opens_its_request_in_two_columns(client, alice):
    response = client.post(
        "/compare/from-playground/",
        {
            "provider": "offline",
            "model": "offline-1",
            "system": "Be brief.",
            "messages-0-role": "user",
            "messages-0-content": "Hi {{name}}",
            "temperature": "0.4",
            "variables": '{"name": "Ada"}',
        },
    )
    assert response.status_code == 204 and response["HX-Redirect"] == "/compare/"
    page = client.get("/compare/").content.decode()
    assert page.count('value="offline-1"') == 2
    assert "Be brief." in page and "Hi {{name}}" in page and "name = Ada" in page
    assert page.count("&quot;temperature&quot;: 0.4") == 2


def test_adding_a_column_keeps_everything_typed(client, alice):
    form = {
        "system": "Shared <b>",
        "conversation": '[{"role": "user", "content": "typed"}]',
        "variables": "",
        "provider-0": "offline",
        "model-0": "first-model",
        "provider-1": "offline",
        "model-1": "second-model",
        "parameters-1": '{"top_p": 0.5}',
    }
    page = client.post("/compare/?columns=3", form).content.decode()
    assert 'id="provider-2"' in page and 'id="c2-run-status"' in page
    assert "Shared &lt;b&gt;" in page and 'value="second-model"' in page
    assert "&quot;top_p&quot;: 0.5" in page


def form(**extra):
    return {
        "name": "Tone",
        "system": "",
        "conversation": json.dumps([{"role": "user", "content": "Hello"}]),
        "variables": "",
        "label-0": "cold",
        "provider-0": "offline",
        "model-0": "offline-1",
        "parameters-0": '{"temperature": 0.1}',
        "label-1": "warm",
        "provider-1": "offline",
        "model-1": "offline-1",
        "parameters-1": '{"temperature": 1.2}',
        **extra,
    }


def test_a_comparison_is_saved_as_presets_and_reopens(client, alice):
    saved = client.post("/compare/save/", form()).content.decode()
    presets = list(Preset.objects.order_by("name"))
    assert [p.name for p in presets] == ["Tone · cold", "Tone · warm"]
    assert 'id="compare-reopen"' in saved
    reopen = saved.split('href="')[1].split('"')[0]
    page = client.get(reopen.replace("&amp;", "&")).content.decode()
    assert "&quot;temperature&quot;: 0.1" in page and "&quot;temperature&quot;: 1.2" in page


def test_a_bad_column_saves_nothing_and_names_it(client, alice):
    saved = client.post(
        "/compare/save/", form(**{"parameters-1": '{"temperature": 5}'})
    ).content.decode()
    assert "Not saved:" in saved and "column 2 · temperature" in saved
    assert not Preset.objects.exists()


def test_a_column_may_not_set_the_model_or_messages_in_its_parameters():
    with pytest.raises(RequestInvalid) as invalid:
        column_requests(form(**{"parameters-0": '{"messages": []}'}))
    assert "may not set messages" in invalid.value.errors["column 1 · parameters"]


def test_requests_and_form_read_each_other_back():
    columns = column_requests(form(system="Sys", variables="name = Ada\nCity = 北京"))
    again = column_requests(
        {**form_from_requests([c.request for c in columns]), "label-0": "cold", "label-1": "warm"}
    )
    assert [c.request for c in again] == [c.request for c in columns]
    assert columns[0].request["variables"] == {"name": "Ada", "City": "北京"}

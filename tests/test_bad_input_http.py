"""Numbers beyond what the database can look up, in URLs, queries and forms: 404s and form
errors, never a 500.

Python's sqlite3 raises OverflowError for an integer above 2**63 - 1, so every id or
number that reached a query unchecked (``/teams/99999999999999999999999/``) was a 500.
The first test walks the URL configuration: every integer in a path goes through the
bounded ``<dbint:…>`` converter, and each such URL answers 404 for a number out of range.
"""

import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, converters, get_resolver

from playground.presets.models import Preset
from playground.providerconfig.models import ProviderConfig
from playground.row_ids import ROW_NUMBER_MAX, RowNumberConverter
from tests.presets.factories import make_preset, make_team

pytestmark = pytest.mark.django_db

BIG = "99999999999999999999999"
OUT_OF_RANGE = [BIG, str(ROW_NUMBER_MAX + 1), "9" * 5000]


def routes(patterns=None, prefix: str = "") -> list[tuple[str, dict]]:
    """Every route of the site (the admin's own aside) with its converters."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                continue
            found += routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            found.append((prefix + route, getattr(entry.pattern, "converters", {})))
    return found


def integer_routes() -> list[str]:
    return [
        route
        for route, convs in routes()
        if any(isinstance(c, converters.IntConverter | RowNumberConverter) for c in convs.values())
    ]


def test_every_integer_in_a_path_goes_through_the_bounded_converter():
    integers = 0
    for route, convs in routes():
        for name, converter in convs.items():
            if isinstance(converter, converters.IntConverter):
                raise AssertionError(f"{route}: <int:{name}> is unbounded; use <dbint:{name}>")
            integers += isinstance(converter, RowNumberConverter)
    assert integers >= 9  # teams (6), provider configs (3), preset versions (1)


def url_with(route: str, number: str) -> str:
    """The route with ``number`` for each integer and a made-up value for the others."""

    def value(match: re.Match) -> str:
        kind = match.group(1)
        return {"dbint": number, "int": number, "uuid": str(uuid.uuid4())}.get(kind, "x")

    return "/" + re.sub(r"<(\w+):\w+>", value, route)


@pytest.fixture
def superuser_client() -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.create_superuser("root", "root@example.com"))
    return client


@pytest.mark.parametrize("number", OUT_OF_RANGE, ids=["23 digits", "2**63", "5000 digits"])
def test_each_integer_url_answers_404_for_a_number_beyond_the_database(superuser_client, number):
    assert integer_routes()
    for route in integer_routes():
        url = url_with(route, number)
        for method in (superuser_client.get, superuser_client.post):
            answer = method(url)
            assert answer.status_code == 404, (method.__name__, url, answer.status_code)


def test_the_largest_row_number_is_looked_up_and_not_found(superuser_client):
    for route in integer_routes():
        answer = superuser_client.get(url_with(route, str(ROW_NUMBER_MAX)))
        assert answer.status_code in {404, 405}, route  # no such row; or a POST-only view


@pytest.fixture
def alice_client() -> tuple[Client, User]:
    alice = User.objects.create_user("alice")
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    return client, alice


@pytest.mark.parametrize("team", [BIG, str(ROW_NUMBER_MAX + 1), "²", "9" * 5000])
def test_a_team_filter_beyond_the_database_lists_nothing_of_it(alice_client, team):
    client, alice = alice_client
    make_preset(alice, "Mine")
    for url in ("/presets/", "/presets/export/"):
        answer = client.get(url, {"team": team})
        assert answer.status_code == 200, url


@pytest.mark.parametrize("team", [BIG, str(ROW_NUMBER_MAX + 1), "²"])
def test_a_team_field_beyond_the_database_is_a_form_error_naming_it(alice_client, team):
    client, alice = alice_client
    make_team("Core", alice="owner")
    preset = make_preset(alice, "Mine")
    answer = client.post(
        f"/presets/{preset.pk}/share/", {"team": team, "visibility": "team"}, follow=True
    )
    assert answer.status_code == 200
    assert "team: pick one of your teams" in answer.content.decode()


@pytest.mark.parametrize("version", [BIG, str(ROW_NUMBER_MAX + 1), "²", "x"])
def test_a_version_field_beyond_the_database_is_a_form_error_naming_it(alice_client, version):
    client, alice = alice_client
    preset = make_preset(alice, "Mine")
    answer = client.post(f"/presets/{preset.pk}/fork/", {"version": version}, follow=True)
    assert answer.status_code == 200
    assert "version: must be a version number" in answer.content.decode()
    assert Preset.objects.filter(owner=alice).count() == 1  # nothing was forked


@pytest.mark.parametrize("version", [BIG, str(ROW_NUMBER_MAX + 1), "²"])
def test_a_version_in_a_page_address_beyond_the_database_is_not_found(alice_client, version):
    client, alice = alice_client
    preset = make_preset(alice, "Mine")
    for url in (f"/presets/{preset.pk}/", f"/presets/{preset.pk}/export/", "/"):
        answer = client.get(url, {"preset": str(preset.pk), "version": version})
        assert answer.status_code in {200, 404}, url
    diff = client.get(f"/presets/{preset.pk}/diff/", {"old": version, "new": "1"})
    assert diff.status_code == 404


@pytest.mark.parametrize("base", [BIG, str(ROW_NUMBER_MAX + 1), "²"])
def test_a_base_version_beyond_the_database_is_refused_not_saved_on_top(alice_client, base):
    client, alice = alice_client
    preset = make_preset(alice, "Mine")
    form = {
        "mode": "chat",
        "provider": "offline",
        "model": "offline-1",
        "messages-0-role": "user",
        "messages-0-content": "edited",
        "base_version": base,
    }
    answer = client.post(f"/presets/{preset.pk}/save/", form, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    assert "must be the number of the version you edited" in answer.content.decode()
    assert preset.versions.count() == 1  # nothing was saved over the latest


PROVIDER_FORM = {
    "name": "gw",
    "label": "Gateway",
    "base_url": "http://127.0.0.1:9/v1",
    "default_model": "m",
    "connect_timeout": "10",
    "enabled": "on",
}


@pytest.mark.parametrize("team", [BIG, str(ROW_NUMBER_MAX + 1), "9" * 5000])
@pytest.mark.parametrize("url", ["/providers/add/", "/admin/providerconfig/providerconfig/add/"])
def test_a_team_choice_beyond_the_database_is_a_form_error_on_the_provider_form(
    superuser_client, url, team
):
    answer = superuser_client.post(url, {**PROVIDER_FORM, "teams": [team]})
    assert answer.status_code == 200
    assert "is not a valid value" in answer.content.decode()
    assert not ProviderConfig.objects.exists()

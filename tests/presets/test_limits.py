"""Bounds on what one page shows and one import holds: a long history is paged (and a page
number that is not one never fails), an import file past the limits is refused whole with
the limit and the count found, and nothing of it is stored."""

import io
import json
import re

import pytest
from django.contrib.auth.models import User

from playground.presets.models import Preset, PresetMove, PresetVersion
from tests.presets.factories import make_preset, make_request, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client) -> User:
    user = make_user("alice")
    client.force_login(user)
    return user


@pytest.fixture
def long_history(alice) -> Preset:
    """120 versions (v1 from make_preset) and 60 moves between two teams."""
    preset = make_preset(alice, "Long")
    PresetVersion.objects.bulk_create(
        PresetVersion(preset=preset, number=n, request=make_request(f"v{n}"), author=alice)
        for n in range(2, 121)
    )
    core, lab = make_team("Core", alice="owner"), make_team("Lab", alice="owner")
    PresetMove.objects.bulk_create(
        PresetMove(
            preset=preset,
            actor=alice,
            from_team_name=f"From{n}",
            to_team_name=(core if n % 2 else lab).name,
        )
        for n in range(1, 61)
    )
    return preset


def shown_versions(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-version="(\d+)">', page)]


def shown_moves(page: str) -> list[str]:
    return re.findall(r"from team (From\d+)", page)


def test_the_history_shows_one_page_of_versions_with_links_to_the_others(
    client, long_history, settings
):
    assert settings.PLAYGROUND_HISTORY_PAGE_SIZE == 50  # the documented default
    url = f"/presets/{long_history.pk}/"
    first = client.get(url).content.decode()
    assert shown_versions(first) == list(range(120, 70, -1))
    assert 'href="?page=2"' in first and "Page 1 of 3" in first
    last = client.get(url, {"page": 3}).content.decode()
    assert shown_versions(last) == list(range(20, 0, -1))
    # On every page, the latest version is the one "Run latest" runs and no "Restore" offers.
    assert "Run latest (v120)" in last
    assert "/versions/120/restore/" not in last and "/versions/20/restore/" in last


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        ("abc", 1),
        ("", 1),
        ("0", 3),
        ("-1", 3),
        ("4", 3),
        ("99999999999999999999999999", 3),
        ("2.5", 1),
        ("\u0663", 3),  # an Arabic-Indic three: int() reads it as 3
    ],
)
def test_a_page_number_that_is_not_one_shows_the_first_or_the_last_page(
    client, long_history, page, shown
):
    response = client.get(f"/presets/{long_history.pk}/", {"page": page})
    assert response.status_code == 200
    assert f"Page {shown} of 3" in response.content.decode()


def test_moves_between_teams_are_paged_apart_from_the_versions(client, long_history):
    url = f"/presets/{long_history.pk}/"
    first = client.get(url).content.decode()
    assert shown_moves(first) == [f"From{n}" for n in range(60, 10, -1)]
    # The versions' page stays where it is when the moves' page changes.
    second = client.get(url, {"page": 2, "moves_page": 2}).content.decode()
    assert shown_moves(second) == [f"From{n}" for n in range(10, 0, -1)]
    assert shown_versions(second) == list(range(70, 20, -1))
    assert 'href="?page=2&amp;moves_page=1"' in second


def upload(name: str, document: object) -> io.BytesIO:
    file = io.BytesIO(json.dumps(document).encode())
    file.name = name
    return file


def presets(count: int, versions: int = 1) -> list[dict]:
    return [
        {
            "name": f"P{i}",
            "versions": [{"request": make_request(f"{i}.{j}")} for j in range(versions)],
        }
        for i in range(count)
    ]


def test_an_import_with_more_presets_than_allowed_is_refused_whole(client, alice, settings):
    settings.PLAYGROUND_IMPORT_MAX_PRESETS = 3
    response = client.post("/presets/import/", {"file": upload("many.json", presets(4))})
    page = response.content.decode()
    assert response.status_code == 400
    assert "4 presets found; an import may hold at most 3 presets" in page
    assert "PLAYGROUND_IMPORT_MAX_PRESETS" in page
    assert not Preset.objects.exists()
    # Counted over all the files of one import.
    response = client.post(
        "/presets/import/",
        {"file": [upload("a.json", presets(2)), upload("b.json", presets(2))]},
    )
    assert "4 presets found" in response.content.decode() and not Preset.objects.exists()
    assert (
        client.post("/presets/import/", {"file": upload("ok.json", presets(3))}).status_code == 302
    )
    assert Preset.objects.count() == 3


def test_an_import_with_more_versions_than_allowed_is_refused_whole(client, alice, settings):
    settings.PLAYGROUND_IMPORT_MAX_VERSIONS = 5
    response = client.post("/presets/import/", {"file": upload("v.json", presets(2, versions=3))})
    page = response.content.decode()
    assert response.status_code == 400
    assert "6 versions found; an import may hold at most 5 versions in all" in page
    assert not Preset.objects.exists() and not PresetVersion.objects.exists()


def test_the_limits_are_counted_before_the_requests_are_checked(client, alice, settings):
    """Past the limit, no request is validated: the bound bounds the work as well."""
    settings.PLAYGROUND_IMPORT_MAX_PRESETS = 2
    bad = [{"name": "Bad", "request": {"mode": "nope"}}] * 3
    page = client.post("/presets/import/", {"file": upload("bad.json", bad)}).content.decode()
    assert "3 presets found" in page


def test_an_import_larger_than_allowed_is_refused_before_it_is_read(client, alice, settings):
    settings.PLAYGROUND_IMPORT_MAX_BYTES = 1000
    # A name past 200 characters would be refused too: the size is checked first.
    big = upload("big.json", [*presets(1), {"name": "x" * 1200, "request": make_request()}])
    response = client.post("/presets/import/", {"file": big})
    page = response.content.decode()
    assert response.status_code == 400
    size = len(big.getvalue())
    assert f"the file holds {size:,} bytes; an import may hold at most 1,000 bytes" in page
    # Several files: their sizes add up.
    halves = [upload("a.json", presets(1)), upload("b.json", presets(1))]
    total = sum(len(h.getvalue()) for h in halves)
    settings.PLAYGROUND_IMPORT_MAX_BYTES = total - 1
    page = client.post("/presets/import/", {"file": halves}).content.decode()
    assert f"the 2 files hold {total:,} bytes" in page
    assert not Preset.objects.exists()


def test_the_import_page_says_the_limits(client, alice):
    page = client.get("/presets/import/").content.decode()
    assert "at most 500 presets, 5000 versions and 5.0\u00a0MB in all" in page

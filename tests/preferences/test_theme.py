"""The colour theme: light, dark or the device's, switched in the header and remembered."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from playground.preferences.models import UserPreference
from tests.preferences.test_language import PASSWORD, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def user() -> User:
    return User.objects.create_user("mei", password=PASSWORD)


def html_tag(client: Client, path: str = "/") -> str:
    page = client.get(path).content.decode()
    return page[page.index("<html") : page.index(">", page.index("<html")) + 1]


def test_by_default_the_page_follows_the_device_and_offers_light_next(user):
    client = signed_in(user)
    assert "data-theme" not in html_tag(client)
    assert 'name="theme" value="light"' in client.get("/").content.decode()


def test_a_chosen_theme_is_drawn_from_the_first_paint(user):
    client = signed_in(user)
    answer = client.post("/account/theme/", {"theme": "dark", "next": "/history/"})
    assert answer.status_code == 302 and answer["Location"] == "/history/"
    assert 'data-theme="dark"' in html_tag(client, "/history/")
    assert 'name="theme" value="system"' in client.get("/").content.decode()


def test_the_theme_is_remembered_for_the_user_on_another_device(user):
    signed_in(user).post("/account/theme/", {"theme": "light"})
    assert UserPreference.objects.get(user=user).theme == "light"
    assert 'data-theme="light"' in html_tag(signed_in(user))


def test_back_to_system_follows_the_device_again(user):
    client = signed_in(user)
    client.post("/account/theme/", {"theme": "dark"})
    client.post("/account/theme/", {"theme": "system"})
    assert "data-theme" not in html_tag(client)
    assert "data-theme" not in html_tag(signed_in(user))


def test_a_visitor_not_signed_in_keeps_the_theme_in_a_cookie():
    client = Client()
    answer = client.post("/account/theme/", {"theme": "dark", "next": "/login/"})
    assert answer.cookies["playground_theme"].value == "dark"
    assert 'data-theme="dark"' in html_tag(client, "/login/")
    assert not UserPreference.objects.exists()


def test_an_unknown_theme_is_refused_naming_the_field_and_the_choices(user):
    answer = signed_in(user).post("/account/theme/", {"theme": "neon"})
    assert answer.status_code == 400
    assert answer.content.decode() == "theme: must be one of system, light, dark."


def test_a_forged_theme_cookie_is_ignored():
    client = Client()
    client.cookies["playground_theme"] = '"><script>alert(1)</script>'
    assert "data-theme" not in html_tag(client, "/login/")


def test_the_switch_takes_effect_before_its_post_arrives(user):
    """The page's script writes the cookie at once: a reload right after the click (its POST
    still on the way) is drawn in the new theme, not the account's previous one."""
    client = signed_in(user)
    client.post("/account/theme/", {"theme": "dark"})
    client.cookies["playground_theme"] = "light"  # what site.js writes on the click
    assert 'data-theme="light"' in html_tag(client)


def test_signing_in_brings_the_accounts_theme_over_a_choice_made_signed_out(user):
    signed_in(user).post("/account/theme/", {"theme": "light"})
    client = Client()
    client.post("/account/theme/", {"theme": "dark", "next": "/login/"})
    assert 'data-theme="dark"' in html_tag(client, "/login/")
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert 'data-theme="light"' in html_tag(client)


def test_the_switch_names_the_cookie_its_script_writes(user):
    page = signed_in(user).get("/").content.decode()
    assert 'data-cookie="playground_theme"' in page

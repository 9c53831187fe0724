"""The interface's language: switched in the header, remembered for the user everywhere."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from playground.preferences.models import UserPreference

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple-7"


@pytest.fixture
def user() -> User:
    return User.objects.create_user("lin", password=PASSWORD)


def signed_in(user: User, **headers: str) -> Client:
    client = Client(**headers)
    assert (
        client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    )
    return client


def page_language(client: Client, path: str = "/") -> str:
    html = client.get(path).content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_new_visitor_gets_the_language_their_browser_asks_for():
    assert page_language(Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9"), "/login/") == "zh-hans"
    assert page_language(Client(HTTP_ACCEPT_LANGUAGE="en-GB"), "/login/") == "en"
    assert page_language(Client(), "/login/") == "en"


def test_the_switch_changes_the_language_at_once_and_returns_to_the_page(user):
    client = signed_in(user)
    answer = client.post("/account/language/", {"language": "zh-hans", "next": "/history/"})
    assert answer.status_code == 302 and answer["Location"] == "/history/"
    assert answer.cookies["django_language"].value == "zh-hans"
    assert page_language(client, "/history/") == "zh-hans"
    assert "历史记录" in client.get("/").content.decode()


def test_the_choice_is_remembered_for_the_user_on_another_device(user):
    signed_in(user).post("/account/language/", {"language": "zh-hans", "next": "/"})
    assert UserPreference.objects.get(user=user).language == "zh-hans"
    # Another browser, which asks for English and holds no cookie: the user's choice wins.
    elsewhere = signed_in(user, HTTP_ACCEPT_LANGUAGE="en-US")
    answer = elsewhere.get("/")
    assert '<html lang="zh-hans">' in answer.content.decode()
    # ... and the page's websocket will speak it too: the cookie now says so.
    assert answer.cookies["django_language"].value == "zh-hans"


def test_switching_back_to_english_is_remembered_as_well(user):
    client = signed_in(user)
    client.post("/account/language/", {"language": "zh-hans"})
    client.post("/account/language/", {"language": "en"})
    assert UserPreference.objects.get(user=user).language == "en"
    assert page_language(signed_in(user, HTTP_ACCEPT_LANGUAGE="zh-CN")) == "en"


def test_a_visitor_not_signed_in_can_switch_too_with_the_cookie_only():
    client = Client()
    client.post("/account/language/", {"language": "zh-hans", "next": "/login/"})
    assert page_language(client, "/login/") == "zh-hans"
    assert not UserPreference.objects.exists()


def test_an_unknown_language_is_refused_naming_the_field_and_the_choices(user):
    answer = signed_in(user).post("/account/language/", {"language": "fr"})
    assert answer.status_code == 400
    assert answer.content.decode() == "language: must be one of en, zh-hans."
    assert not UserPreference.objects.exists()


def test_the_switch_never_sends_anyone_to_another_site(user):
    answer = signed_in(user).post(
        "/account/language/", {"language": "en", "next": "https://evil.example/"}
    )
    assert answer["Location"] == "/"


def test_the_switch_only_takes_a_post(user):
    assert signed_in(user).get("/account/language/").status_code == 405

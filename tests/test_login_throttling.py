"""Sign-in throttling (django-axes): after a run of wrong passwords from one address, even
the right one is refused for a while, with a page that says when to try again; the admin's
sign-in too."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "right-horse-battery-9"


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password=PASSWORD, is_staff=True)


def sign_in(client, password: str, url: str = "/login/", address: str = "127.0.0.1"):
    return client.post(url, {"username": "alice", "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def fail_until_locked(client, settings, url: str = "/login/") -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "wrong", url).status_code == 200  # the form again, with its error
    assert sign_in(client, "wrong", url).status_code == 429


def test_the_right_password_is_refused_after_too_many_wrong_ones(client, settings, alice):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    fail_until_locked(client, settings)

    response = sign_in(client, PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many sign-in attempts" in page
    assert f"after {settings.AXES_FAILURE_LIMIT} wrong passwords" in page
    retry_at = (timezone.now() + timedelta(minutes=15)).strftime("%H:%M")
    assert "Try again in 15 minutes" in page and retry_at in page
    assert response["Retry-After"] == "900"
    assert 'href="/static/playground/playground.css"' in page  # the site's own page
    assert not signed_in(client)


def test_after_the_cool_off_the_right_password_works(client, settings, alice):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    fail_until_locked(client, settings)
    assert sign_in(client, PASSWORD).status_code == 429
    later(minutes=15, seconds=1)

    response = sign_in(client, PASSWORD)

    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client)


def test_an_administrator_can_lift_a_lockout(client, settings, alice):
    fail_until_locked(client, settings)
    call_command("axes_reset", verbosity=0)
    assert sign_in(client, PASSWORD).status_code == 302


def test_the_admin_sign_in_is_throttled_too(client, settings, alice):
    fail_until_locked(client, settings, url="/admin/login/")

    response = sign_in(client, PASSWORD, url="/admin/login/")

    assert response.status_code == 429
    assert "Try again in" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # still sent to the admin's sign-in


def test_the_admin_and_the_site_count_the_same_failures(client, settings, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "wrong", url="/admin/login/")
    assert sign_in(client, "wrong").status_code == 429


def test_a_success_clears_the_count_and_other_addresses_are_not_locked(client, settings, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "wrong").status_code == 200
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()

    fail_until_locked(client, settings)
    assert sign_in(client, PASSWORD, address="192.0.2.7").status_code == 302


def test_an_attempt_during_the_pause_starts_it_again(client, settings, alice):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    fail_until_locked(client, settings)
    # Ten minutes on, another try: refused, and the fifteen minutes now count from it ...
    later(minutes=10)
    assert sign_in(client, PASSWORD).status_code == 429
    # ... so six minutes after that (sixteen after the last wrong password) it still holds.
    later(minutes=6)
    assert sign_in(client, PASSWORD).status_code == 429
    later(minutes=15, seconds=1)
    assert sign_in(client, PASSWORD).status_code == 302


def later(**elapsed: float) -> None:
    """Time passes for the recorded attempts (their clock moves back rather than waiting)."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(**elapsed))

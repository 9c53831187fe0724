"""Sessions with a Redis that does not answer (playground/session_store.py).

Sessions are kept in the database and read through the cache (Redis when REDIS_URL is
set). A Redis that is down must cost the cache, not the sign-in: pages and the websocket
handshake go on from the database.
"""

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from playground import session_store, ws_auth
from tests.conftest import socket_opens
from tests.ports import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _redis_answers_again_after_each_test():
    # Each cache skips Redis for a while after a failure: the next test's Redis answers.
    yield
    session_store.outage.clear()
    ws_auth.outage.clear()


def _redis_that_is_down() -> dict:
    # Nothing listens on a port just freed: every call fails at once with a refused connection.
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_a_signed_in_page_opens_while_redis_is_down(client):
    user = User.objects.create_user("someone")
    with override_settings(CACHES=_redis_that_is_down()):
        client.force_login(user)
        response = client.get("/")
        assert response.status_code == 200
        assert response.wsgi_request.user == user
        client.logout()
        assert client.get("/").status_code == 302  # signed out: sent to the sign-in page


async def test_a_websocket_opens_while_redis_is_down(async_client):
    user = await User.objects.acreate(username="someone")
    with override_settings(CACHES=_redis_that_is_down()):
        await async_client.aforce_login(user)
        cookie = f"sessionid={async_client.cookies['sessionid'].value}".encode()
        assert await socket_opens(cookie)

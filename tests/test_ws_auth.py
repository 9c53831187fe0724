"""The websocket handshake's sign-in check (playground/ws_auth.py): cheap, and still Django's.

A handshake reads the session and the user from the cache, not the database; a
password change, a deactivated user and a signed-out session still refuse the socket.
"""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.db import connection

from tests.conftest import socket_opens

pytestmark = pytest.mark.django_db(transaction=True)


async def _signed_in(async_client, username: str = "someone") -> tuple[User, bytes]:
    user = await User.objects.acreate(username=username)
    await async_client.aforce_login(user)
    return user, f"sessionid={async_client.cookies['sessionid'].value}".encode()


class WorkerQueries:
    """Every SQL statement run in channels' database thread, where the handshake reads.

    Uses Django's documented ``connection.execute_wrapper`` on that thread's connection
    (channels runs all its database calls in one thread)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def _record(self, execute, sql, params, many, context):
        self.statements.append(sql)
        return execute(sql, params, many, context)

    async def __aenter__(self) -> "WorkerQueries":
        def install() -> None:
            self._wrapping = connection.execute_wrapper(self._record)
            self._wrapping.__enter__()

        await database_sync_to_async(install)()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await database_sync_to_async(lambda: self._wrapping.__exit__(None, None, None))()


async def test_a_handshake_reads_neither_session_nor_user_from_the_database(async_client):
    _, cookie = await _signed_in(async_client)
    assert await socket_opens(cookie)  # the page's first socket: fills the caches
    async with WorkerQueries() as queries:
        assert await socket_opens(cookie)
        assert await socket_opens(cookie)
    assert queries.statements == []


async def test_a_password_change_signs_the_other_sessions_out(async_client):
    user, cookie = await _signed_in(async_client)
    assert await socket_opens(cookie)
    user.set_password("a-new-password-1234")
    await user.asave()
    assert not await socket_opens(cookie)


async def test_a_deactivated_user_cannot_open_a_socket(async_client):
    user, cookie = await _signed_in(async_client)
    assert await socket_opens(cookie)
    user.is_active = False
    await user.asave()
    assert not await socket_opens(cookie)


async def test_a_deleted_user_cannot_open_a_socket(async_client):
    user, cookie = await _signed_in(async_client)
    assert await socket_opens(cookie)
    await user.adelete()
    assert not await socket_opens(cookie)


async def test_a_signed_out_session_cannot_open_a_socket(async_client):
    _, cookie = await _signed_in(async_client)
    assert await socket_opens(cookie)
    await async_client.alogout()
    assert not await socket_opens(cookie)

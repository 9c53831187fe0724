"""Sessions: kept in the database, read through the cache, and never lost to a cache outage.

Django's ``cached_db`` store makes the websocket handshake cost no query (the session
comes from the cache: Redis with REDIS_URL, else the process's memory). But with Redis
down it fails a signed-in page with a 500 (it writes the cache back after a database
read, and deletes from it at sign-out). Here every cache call that fails is skipped, with
one warning per outage: the database holds every session, so nothing is lost.

A sign-out during an outage cannot drop the cached copy; the session row is gone, and the
copy expires with the session (documented in docs/deploy.md).
"""

from typing import Any

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DBStore

from playground.redis_shared import RedisOutage, redis_errors

outage = RedisOutage("Sessions", "reading and writing them in the database only meanwhile")


class SessionStore(cached_db.SessionStore):
    def load(self) -> dict[str, Any]:
        if outage.active():
            return DBStore.load(self)
        try:
            return super().load()
        except redis_errors() as error:
            outage.note(error)
            return DBStore.load(self)

    def exists(self, session_key: str) -> bool:
        if not outage.active():
            try:
                return super().exists(session_key)
            except redis_errors() as error:
                outage.note(error)
        return DBStore.exists(self, session_key)

    def save(self, must_create: bool = False) -> None:
        if outage.active():
            DBStore.save(self, must_create)
            return
        # Django's own save already logs and skips a cache that fails after the database write.
        super().save(must_create)

    def delete(self, session_key: str | None = None) -> None:
        if outage.active():
            DBStore.delete(self, session_key)
            return
        try:
            super().delete(session_key)
        except redis_errors() as error:
            # The database row is already gone (super() deletes it first): signed out.
            outage.note(error)

    # The async twins (the test client and async views use them), with the same fallbacks.
    async def aload(self) -> dict[str, Any]:
        if outage.active():
            return await DBStore.aload(self)
        try:
            return await super().aload()
        except redis_errors() as error:
            outage.note(error)
            return await DBStore.aload(self)

    async def aexists(self, session_key: str) -> bool:
        if not outage.active():
            try:
                return await super().aexists(session_key)
            except redis_errors() as error:
                outage.note(error)
        return await DBStore.aexists(self, session_key)

    async def asave(self, must_create: bool = False) -> None:
        if outage.active():
            await DBStore.asave(self, must_create)
            return
        await super().asave(must_create)

    async def adelete(self, session_key: str | None = None) -> None:
        if outage.active():
            await DBStore.adelete(self, session_key)
            return
        try:
            await super().adelete(session_key)
        except redis_errors() as error:
            outage.note(error)

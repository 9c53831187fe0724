"""Who opens a websocket: the session and its user, read from the cache.

channels' ``AuthMiddlewareStack`` reads the session and then the user row on every
handshake (two queries, and with SQLite a new connection, in a worker thread): about
4 ms of server CPU, paid by every page load and by every reconnect of a burst of
pages after a restart. Here the session comes from the cache (``SESSION_ENGINE`` is
``cached_db``, settings.py) and so does the user, under its primary key, for at most
``USER_CACHE_SECONDS``. The checks are channels' (and Django's) own: the session's
backend must be configured, the backend's ``get_user`` must return the user (an
inactive one is refused), and the session's auth hash must match the user's, so a
password change signs the user's other sessions out. The cached user is dropped as
soon as the user is saved or deleted (signals below), in every process that shares the
cache (Redis when ``REDIS_URL`` is set; otherwise the one process's memory, where a
change made by another process, such as ``manage.py changepassword``, takes effect
within ``USER_CACHE_SECONDS``).
"""

from importlib import import_module
from typing import Any

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.sessions import CookieMiddleware
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils.crypto import constant_time_compare

from playground.redis_shared import RedisOutage, redis_errors

USER_CACHE_SECONDS = 30
_KEY = "playground:ws-user:{}"

# A Redis that does not answer costs the cache, not the sign-in (nor a save of a user).
outage = RedisOutage("Websocket sign-in cache", "reading users from the database meanwhile")


def _cached_user(key: str) -> Any:
    if outage.active():
        return None
    try:
        return cache.get(key)
    except redis_errors() as error:
        outage.note(error)
        return None


def _cache_user(key: str, user: Any) -> None:
    if outage.active():
        return
    try:
        cache.set(key, user, USER_CACHE_SECONDS)
    except redis_errors() as error:
        outage.note(error)


def _cache_key(user_id: Any) -> str:
    return _KEY.format(user_id)


def session_user(session: Any) -> Any:
    """The signed-in user of ``session``, or AnonymousUser (runs in a worker thread)."""
    try:
        user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except (KeyError, ValueError, TypeError):
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    key = _cache_key(user_id)
    user = _cached_user(key)
    if user is None:
        user = load_backend(backend_path).get_user(user_id)
        if user is None:
            return AnonymousUser()
        _cache_user(key, user)
    session_hash = session.get(HASH_SESSION_KEY)
    if not (session_hash and constant_time_compare(session_hash, user.get_session_auth_hash())):
        # What Django's get_user does with a stale session (the password changed).
        session.flush()
        return AnonymousUser()
    return user


class SessionUserMiddleware(BaseMiddleware):
    """Puts ``scope["session"]`` and ``scope["user"]``, as channels' SessionMiddleware and
    AuthMiddleware do together, in one trip to the database thread.

    Unlike channels' SessionMiddleware it does not wrap ``send``: that wrapper saves a
    modified session on ``http.response.start``, which a websocket never sends, yet it
    looked at the session for every frame of every stream."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        scope = dict(scope)
        session_key = scope["cookies"].get(settings.SESSION_COOKIE_NAME)
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        scope["session"] = session
        scope["user"] = await database_sync_to_async(session_user)(session)
        return await super().__call__(scope, receive, send)


def websocket_auth_stack(inner: Any) -> Any:
    """channels' AuthMiddlewareStack, with the cached session and user lookup."""
    return CookieMiddleware(SessionUserMiddleware(inner))


def _forget_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    # A saved user may have a new password, be inactive or have lost rights: read it again.
    # During a Redis outage the copy cannot be dropped: it expires within USER_CACHE_SECONDS.
    try:
        cache.delete(_cache_key(instance.pk))
    except redis_errors() as error:
        outage.note(error)


post_save.connect(_forget_user, sender=settings.AUTH_USER_MODEL, dispatch_uid="ws-user-save")
post_delete.connect(_forget_user, sender=settings.AUTH_USER_MODEL, dispatch_uid="ws-user-delete")

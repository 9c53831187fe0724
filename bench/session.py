"""Prepare the benchmark's database and print a signed-in session key.

Run as ``python -m bench.session`` with the bench's environment (``DJANGO_DATA_DIR``
pointing at a temporary folder): it migrates, creates a user and prints the value
of the ``sessionid`` cookie that the websocket handshake sends. It is a separate
process so that the benchmark process never loads Django.
"""

import os
from importlib import import_module


def signed_in_session_key(username: str = "bench") -> str:
    """Migrate, make sure ``username`` exists, and return a new session key signed in as them."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
    django.setup()

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username=username)
    # What django.contrib.auth.login() stores, without needing a request.
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


if __name__ == "__main__":
    print(signed_in_session_key(), flush=True)

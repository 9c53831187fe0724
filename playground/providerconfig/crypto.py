"""API keys at rest: Fernet with the key(s) from settings.PLAYGROUND_ENCRYPTION_KEY.

Several comma-separated keys rotate: the first encrypts, any of them decrypts.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class KeyUnreadable(Exception):
    """A stored secret that the configured encryption key(s) cannot decrypt."""


@cache
def _fernet(keys: str) -> MultiFernet:
    return MultiFernet([Fernet(key.strip()) for key in keys.split(",") if key.strip()])


def encrypt(secret: str) -> str:
    return _fernet(settings.PLAYGROUND_ENCRYPTION_KEY).encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.PLAYGROUND_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken:
        raise KeyUnreadable() from None


def reencrypt(token: str) -> str:
    """The same secret, encrypted with the first key (after a rotation)."""
    try:
        return _fernet(settings.PLAYGROUND_ENCRYPTION_KEY).rotate(token.encode()).decode()
    except InvalidToken:
        raise KeyUnreadable() from None

"""Reading and changing a user's preferences (``<entity>_<action>``)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User

from playground.preferences.models import Theme, UserPreference

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def preference_get(user: Any) -> UserPreference:
    """The user's preferences, unsaved defaults when they never changed one."""
    found = UserPreference.objects.filter(user=user).first()
    return found if found is not None else UserPreference(user=user)


def preference_language_set(user: User, language: str) -> UserPreference:
    """Remember ``language`` (a code of settings.LANGUAGES, or "" for the browser's)."""
    if language and language not in LANGUAGE_CODES:
        raise ValueError(f"language: must be one of {', '.join(sorted(LANGUAGE_CODES))} or empty")
    preference, _created = UserPreference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return preference


def preference_theme_set(user: User, theme: str) -> UserPreference:
    """Remember ``theme`` ("system", "light" or "dark")."""
    if theme not in Theme.values:
        raise ValueError(f"theme: must be one of {', '.join(Theme.values)}")
    preference, _created = UserPreference.objects.update_or_create(
        user=user, defaults={"theme": theme}
    )
    return preference

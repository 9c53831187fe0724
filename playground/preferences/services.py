"""Reading and changing a user's preferences (``<entity>_<action>``)."""

from django.conf import settings
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from playground.preferences.models import Theme, UserPreference

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def language_check(language: str) -> None:
    """ValueError, naming the field and the choices, unless ``language`` is one of the site's."""
    if language not in LANGUAGE_CODES:
        raise ValueError(
            _("language: must be one of %(codes)s.") % {"codes": ", ".join(sorted(LANGUAGE_CODES))}
        )


def theme_check(theme: str) -> None:
    """ValueError, naming the field and the choices, unless ``theme`` is a theme."""
    if theme not in Theme.values:
        raise ValueError(
            _("theme: must be one of %(themes)s.") % {"themes": ", ".join(Theme.values)}
        )


def preference_language_set(user: User, language: str) -> UserPreference:
    """Remember ``language`` (a code of settings.LANGUAGES)."""
    language_check(language)
    preference, _created = UserPreference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return preference


def preference_theme_set(user: User, theme: str) -> UserPreference:
    """Remember ``theme`` ("system", "light" or "dark")."""
    theme_check(theme)
    preference, _created = UserPreference.objects.update_or_create(
        user=user, defaults={"theme": theme}
    )
    return preference

"""``gettext_noop`` for modules that settings.py imports while it loads.

Django's own ``gettext_noop`` reads the settings (whether translation is on), which are not
there yet when settings.py imports the body models and the mode registry. This one only
marks a literal for ``makemessages`` (which finds it by the function's name) and returns
it untranslated; the page translates it when it shows it (``{% translate label %}``).
"""


def gettext_noop(message: str) -> str:
    """``message``, marked for the catalogue and not translated here."""
    return message


def gettext_once_configured(message: str) -> str:
    """``gettext(message)`` once the settings are loaded; ``message`` untranslated while
    settings.py itself runs the caller (it checks OPENAI_BASE_URL with the same words).

    Modules that settings.py imports import it as ``_``, so that ``makemessages`` finds
    their messages."""
    from django.conf import settings

    if not settings.configured:
        return message
    from django.utils.translation import gettext

    return gettext(message)

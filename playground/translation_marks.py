"""``gettext_noop`` for modules that settings.py imports while it loads.

Django's own ``gettext_noop`` reads the settings (whether translation is on), which are not
there yet when settings.py imports the body models and the mode registry. This one only
marks a literal for ``makemessages`` (which finds it by the function's name) and returns
it untranslated; the page translates it when it shows it (``{% translate label %}``).
"""


def gettext_noop(message: str) -> str:
    """``message``, marked for the catalogue and not translated here."""
    return message

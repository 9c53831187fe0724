"""The colour theme a page is drawn in: the user's choice, else the device's.

A choice ("light" or "dark") is written on <html data-theme=…> by the server, so that the
first paint has the right colours (no flash); "system" leaves the attribute off and the
stylesheet follows prefers-color-scheme. Signed in, the choice is the user's (copied into
the session at sign-in, like the language: no query per page); otherwise a cookie keeps it.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse

from playground.preferences.models import Theme

SESSION_KEY = "playground_theme"
COOKIE = "playground_theme"
COOKIE_AGE = 365 * 24 * 60 * 60
# The header's switch moves through the themes in this order.
NEXT_THEME = {Theme.SYSTEM: Theme.LIGHT, Theme.LIGHT: Theme.DARK, Theme.DARK: Theme.SYSTEM}


def request_theme(request: HttpRequest) -> str:
    session = getattr(request, "session", None)
    chosen = (session.get(SESSION_KEY) if session is not None else None) or request.COOKIES.get(
        COOKIE
    )
    return chosen if chosen in Theme.values else Theme.SYSTEM


def theme_cookie_set(response: HttpResponse, theme: str) -> None:
    response.set_cookie(COOKIE, theme, max_age=COOKIE_AGE, samesite="Lax")


def theme_context(request: HttpRequest) -> dict[str, Any]:
    """For base.html: the theme to draw in, and the switch's next step."""
    theme = Theme(request_theme(request))
    following = NEXT_THEME[theme]
    return {"theme": theme.value, "theme_label": theme.label, "next_theme": following.value}

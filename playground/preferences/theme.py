"""The colour theme a page is drawn in: the browser's choice, else the device's.

A choice ("light" or "dark") is written on <html data-theme=…> by the server, so that the
first paint has the right colours (no flash); "system" leaves the attribute off and the
stylesheet follows prefers-color-scheme. The browser's choice is a cookie, which the header's
switch (site.js) writes the moment it is pressed, so that a reload or a link followed right
away is drawn in it, whether or not its POST has arrived. Signed in, the POST also keeps the
choice in the user's preferences, and signing in brings it to the browser (the cookie, set by
``AccountThemeMiddleware`` on the sign-in's answer), replacing a choice made signed out.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from playground.preferences.models import Theme

COOKIE = "playground_theme"
COOKIE_AGE = 365 * 24 * 60 * 60
# What the sign-in (signals.py) leaves on the request for AccountThemeMiddleware to send.
ACCOUNT_THEME = "playground_account_theme"
# The header's switch moves through the themes in this order.
NEXT_THEME = {Theme.SYSTEM: Theme.LIGHT, Theme.LIGHT: Theme.DARK, Theme.DARK: Theme.SYSTEM}


def request_theme(request: HttpRequest) -> str:
    chosen = request.COOKIES.get(COOKIE)
    return chosen if chosen in Theme.values else Theme.SYSTEM


def theme_cookie_set(response: HttpResponse, theme: str) -> None:
    # Not HttpOnly: the switch's script writes the same cookie (site.js).
    response.set_cookie(COOKIE, theme, max_age=COOKIE_AGE, samesite="Lax")


class AccountThemeMiddleware:
    """Signing in sends the account's theme to the browser with the sign-in's answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        chosen = getattr(request, ACCOUNT_THEME, None)
        if chosen in Theme.values:
            theme_cookie_set(response, chosen)
        return response


def theme_context(request: HttpRequest) -> dict[str, Any]:
    """For base.html: the theme to draw in, the switch's next step and the cookie it writes."""
    theme = Theme(request_theme(request))
    following = NEXT_THEME[theme]
    return {
        "theme": theme.value,
        "theme_label": theme.label,
        "next_theme": following.value,
        "theme_cookie": COOKIE,
        "theme_cookie_age": COOKIE_AGE,
    }

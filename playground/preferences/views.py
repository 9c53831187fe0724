"""The header's language switch: remembered for the user, in the session and in a cookie."""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from playground.preferences import theme
from playground.preferences.language import SESSION_KEY, language_cookie_set
from playground.preferences.services import (
    language_check,
    preference_language_set,
    preference_theme_set,
    theme_check,
)


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    try:
        language_check(language)
    except ValueError as refused:
        return HttpResponseBadRequest(str(refused))
    if request.user.is_authenticated:
        preference_language_set(request.user, language)
        request.session[SESSION_KEY] = language
    response = HttpResponseRedirect(_safe_next(request))
    language_cookie_set(response, language)
    return response


@require_POST
def theme_switch(request: HttpRequest) -> HttpResponse:
    """The header's theme switch: the page's script applies it at once and posts here; without
    the script, the form posts and the page comes back in the new theme."""
    chosen = request.POST.get("theme", "")
    try:
        theme_check(chosen)
    except ValueError as refused:
        return HttpResponseBadRequest(str(refused))
    if request.user.is_authenticated:
        preference_theme_set(request.user, chosen)
    response = HttpResponseRedirect(_safe_next(request))
    theme.theme_cookie_set(response, chosen)
    return response


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target

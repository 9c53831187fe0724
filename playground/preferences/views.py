"""The header's language switch: remembered for the user, in the session and in a cookie."""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from playground.preferences.language import SESSION_KEY, language_cookie_set
from playground.preferences.services import LANGUAGE_CODES, preference_language_set


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language not in LANGUAGE_CODES:
        return HttpResponseBadRequest(
            _("language: must be one of %(codes)s.") % {"codes": ", ".join(sorted(LANGUAGE_CODES))}
        )
    if request.user.is_authenticated:
        preference_language_set(request.user, language)
        request.session[SESSION_KEY] = language
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    language_cookie_set(response, language)
    return response

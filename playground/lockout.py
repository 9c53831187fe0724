"""The page a locked-out sign-in gets (django-axes calls it: ``AXES_LOCKOUT_CALLABLE``).

Axes' own page says only that the account is locked; this one says when to try again.
Every failed attempt during a lockout starts the cool-off again
(``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``), so the lockout ends one cool-off after
this very attempt.
"""

from datetime import timedelta
from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """429 with the site's page: too many failed sign-ins, try again at a given time.

    Axes passes the original response and the credentials, positionally or not depending on
    its sync or async path; neither is needed here.
    """
    cool_off = get_cool_off(request) or timedelta(0)
    minutes = max(1, round(cool_off.total_seconds() / 60))
    response = render(
        request,
        "registration/locked_out.html",
        {
            "retry_at": timezone.now() + cool_off if cool_off else None,
            "minutes": minutes,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()) or 1)
    return response

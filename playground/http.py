"""Request types for views, so a view behind login_required reads its user as signed in."""

from django.contrib.auth.models import User
from django.http import HttpRequest


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view that only signed-in users reach (login_required)."""

    user: User

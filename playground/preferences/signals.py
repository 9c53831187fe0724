"""At sign-in, the user's remembered language goes into their session (language.py)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from playground.preferences.language import SESSION_KEY
from playground.preferences.models import UserPreference


@receiver(user_logged_in)
def language_to_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    language = UserPreference.objects.filter(user=user).values_list("language", flat=True).first()
    if language:
        request.session[SESSION_KEY] = language

"""At sign-in, the user's remembered language goes into their session and their theme to
the browser (theme.AccountThemeMiddleware sets its cookie on the sign-in's answer)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from playground.preferences import theme
from playground.preferences.language import SESSION_KEY
from playground.preferences.models import UserPreference


@receiver(user_logged_in)
def language_to_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    chosen = UserPreference.objects.filter(user=user).values("language", "theme").first()
    if chosen is None:
        return
    if chosen["language"]:
        request.session[SESSION_KEY] = chosen["language"]
    setattr(request, theme.ACCOUNT_THEME, chosen["theme"])

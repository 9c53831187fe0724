"""One row per user who changed a preference; a user without one gets the defaults."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    # A code of settings.LANGUAGES, or "" to follow the browser (Accept-Language).
    language = models.CharField(_("language"), max_length=16, blank=True, default="")

    def __str__(self) -> str:
        return f"preferences of {self.user}"

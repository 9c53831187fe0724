"""One row per user who changed a preference; a user without one gets the defaults."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Theme(models.TextChoices):
    SYSTEM = "system", _("System")
    LIGHT = "light", _("Light")
    DARK = "dark", _("Dark")


class UserPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    # A code of settings.LANGUAGES, or "" to follow the browser (Accept-Language).
    language = models.CharField(_("language"), max_length=16, blank=True, default="")
    # "system" follows the device's prefers-color-scheme.
    theme = models.CharField(_("theme"), max_length=6, choices=Theme.choices, default=Theme.SYSTEM)

    def __str__(self) -> str:
        return f"preferences of {self.user}"

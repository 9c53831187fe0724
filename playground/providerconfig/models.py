"""Providers that admins add in the page or the Django admin, beside those from the environment.

The API key and the extra headers (gateways sometimes authenticate with one) are
stored encrypted; only the key's last four characters are kept in clear, to
recognise it by.
"""

import json

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from playground.providerconfig import crypto
from playground.providers.descriptor import DEFAULT_MODERATION_MODEL
from playground.teams.models import Team

NAME_RULE = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]*$",
    gettext_lazy(
        "Use lowercase letters, digits, '-' and '_' (it is the name requests and presets use)."
    ),
)


class ProviderConfig(models.Model):
    name = models.CharField(
        gettext_lazy("name"),
        max_length=50,
        unique=True,
        validators=[NAME_RULE],
        help_text=gettext_lazy(
            "The name requests, presets and exported code use, e.g. 'openrouter'."
        ),
    )
    label = models.CharField(
        gettext_lazy("label"),
        max_length=100,
        blank=True,
        help_text=gettext_lazy("Shown in the provider list."),
    )
    base_url = models.URLField(
        gettext_lazy("base URL"),
        max_length=500,
        help_text=gettext_lazy("The OpenAI-compatible API root, usually ending in /v1."),
    )
    api_key_encrypted = models.TextField(blank=True, editable=False)
    api_key_last4 = models.CharField(max_length=4, blank=True, editable=False)
    extra_headers_encrypted = models.TextField(blank=True, editable=False)
    extra_header_names = models.CharField(max_length=500, blank=True, editable=False)
    default_model = models.CharField(gettext_lazy("default model"), max_length=200, blank=True)
    moderation_model = models.CharField(
        gettext_lazy("moderation model"),
        max_length=200,
        blank=True,
        help_text=format_lazy(
            gettext_lazy(
                "The model the chat page's moderation switch checks prompts and replies with "
                "(POST /moderations). Blank: {model}. A gateway such as LiteLLM needs a "
                "moderation model it routes."
            ),
            model=DEFAULT_MODERATION_MODEL,
        ),
    )
    teams = models.ManyToManyField(
        Team,
        verbose_name=gettext_lazy("teams"),
        blank=True,
        related_name="providers",
        help_text=gettext_lazy("Teams whose members may use this provider; none means everyone."),
    )
    connect_timeout = models.FloatField(
        gettext_lazy("connect timeout"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.1)],
        help_text=gettext_lazy("Seconds."),
    )
    first_token_timeout = models.FloatField(
        gettext_lazy("first token timeout"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.1)],
        help_text=gettext_lazy("Seconds."),
    )
    token_gap_timeout = models.FloatField(
        gettext_lazy("token gap timeout"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.1)],
        help_text=gettext_lazy("Seconds of silence allowed between two tokens."),
    )
    enabled = models.BooleanField(gettext_lazy("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = gettext_lazy("provider")
        verbose_name_plural = gettext_lazy("providers")

    def __str__(self) -> str:
        return self.label or self.name

    def __repr__(self) -> str:  # never the key, not even in a traceback
        return f"<ProviderConfig {self.name} {self.base_url}>"

    # --- secrets -----------------------------------------------------------------------
    @property
    def api_key_hint(self) -> str:
        """What the page shows of the key: its last four characters, never more."""
        if not self.api_key_encrypted:
            return _("no key")
        return f"…{self.api_key_last4}" if self.api_key_last4 else _("set (too short to show)")

    def set_api_key(self, api_key: str) -> None:
        api_key = api_key.strip()
        self.api_key_encrypted = crypto.encrypt(api_key) if api_key else ""
        self.api_key_last4 = api_key[-4:] if len(api_key) >= 8 else ""

    def api_key(self) -> str:
        """The key in clear, for the upstream's Authorization header only (KeyUnreadable)."""
        return crypto.decrypt(self.api_key_encrypted) if self.api_key_encrypted else ""

    def set_extra_headers(self, headers: dict[str, str]) -> None:
        self.extra_headers_encrypted = crypto.encrypt(json.dumps(headers)) if headers else ""
        self.extra_header_names = ", ".join(headers)[:500]

    def extra_headers(self) -> dict[str, str]:
        if not self.extra_headers_encrypted:
            return {}
        return json.loads(crypto.decrypt(self.extra_headers_encrypted))

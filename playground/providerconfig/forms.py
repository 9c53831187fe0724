"""The provider form, shared by the Providers page and the Django admin.

The key field is write-only: it is never filled in when the form is shown (only the
last four characters are shown beside it), and left blank it keeps the stored key.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from playground.providerconfig.models import ProviderConfig
from playground.providerconfig.services import (
    HEADER_VALUE,
    forbidden_header_problem,
    parse_extra_headers,
    validate_base_url,
)
from playground.row_ids import RowModelMultipleChoiceField


class ProviderConfigForm(forms.ModelForm):
    base_url = forms.URLField(
        label=gettext_lazy("Base URL"),
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("The OpenAI-compatible API root, usually ending in /v1."),
    )
    api_key = forms.CharField(
        label=gettext_lazy("API key"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "Stored encrypted and never shown again. Leave blank to keep the current key."
        ),
    )
    clear_api_key = forms.BooleanField(
        label=gettext_lazy("Remove the stored key"),
        required=False,
        help_text=gettext_lazy("For servers that need no key."),
    )
    extra_headers = forms.CharField(
        label=gettext_lazy("Extra headers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=gettext_lazy(
            "One 'Name: value' per line, e.g. 'HTTP-Referer: https://example.com'. "
            "Stored encrypted like the key; leave blank to keep the current ones."
        ),
    )
    clear_extra_headers = forms.BooleanField(
        label=gettext_lazy("Remove the extra headers"), required=False
    )

    class Meta:
        model = ProviderConfig
        fields = [
            "name",
            "label",
            "base_url",
            "default_model",
            "moderation_model",
            "teams",
            "connect_timeout",
            "first_token_timeout",
            "token_gap_timeout",
            "enabled",
        ]
        widgets = {"teams": forms.CheckboxSelectMultiple}
        field_classes = {"teams": RowModelMultipleChoiceField}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            self.fields["api_key"].help_text = _(
                "Current key: %(hint)s. Stored encrypted and never shown again. Leave blank to "
                "keep the current key."
            ) % {"hint": self.instance.api_key_hint}
            names = self.instance.extra_header_names or _("none")
            unsent = [
                name.strip()
                for name in names.split(",")
                if forbidden_header_problem(name.strip()) is not None
            ]
            # Stored before the rule: runs leave them out; say so where they can be removed.
            warning = (
                _(
                    "Not sent: %(names)s (the HTTP client sets these itself); enter the headers "
                    "again without them."
                )
                % {"names": ", ".join(unsent)}
                if unsent
                else ""
            )
            current = _("Current headers: %(names)s.") % {"names": names}
            self.fields["extra_headers"].help_text = " ".join(
                part
                for part in (current, warning, str(self.fields["extra_headers"].help_text))
                if part
            )
        if "base_url" in self.fields and not getattr(user, "is_superuser", False):
            # Where the key is sent is an admin's decision: others may change the rest.
            self.fields["base_url"].disabled = True
            self.fields["base_url"].help_text = _("Only an admin can change the base URL.")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if name in settings.PLAYGROUND_PROVIDERS:
            raise ValidationError(
                _("%(name)s is taken by a provider set in the environment; pick another name.")
                % {"name": repr(name)}
            )
        return name

    def clean_base_url(self) -> str:
        url = self.cleaned_data["base_url"]
        if "base_url" in self.changed_data:
            try:
                validate_base_url(url)
            except ValidationError as error:
                raise ValidationError(error.message_dict["base_url"]) from None
        return url

    def clean_api_key(self) -> str:
        key = self.cleaned_data.get("api_key") or ""
        if not HEADER_VALUE.fullmatch(key):
            # It travels in the Authorization header; a pasted zero-width space or
            # full-width letter would make every request fail.
            raise ValidationError(
                _(
                    "The API key may contain only ASCII letters, digits and punctuation: check "
                    "for a character pasted by mistake (a zero-width or full-width one)."
                )
            )
        return key

    def clean_extra_headers(self) -> dict[str, str] | None:
        text = self.cleaned_data.get("extra_headers") or ""
        return parse_extra_headers(text) if text.strip() else None

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if not self.instance.pk and not getattr(self.user, "is_superuser", False):
            raise ValidationError(
                _("Only an admin can add a provider, because it sets a base URL.")
            )
        return cleaned

    def secrets(self) -> dict[str, Any]:
        """The service's arguments for the key and headers (None keeps the stored ones)."""
        headers = self.cleaned_data.get("extra_headers")
        if self.cleaned_data.get("clear_extra_headers"):
            headers = {}
        return {
            "api_key": self.cleaned_data.get("api_key") or None,
            "clear_api_key": bool(self.cleaned_data.get("clear_api_key")),
            "extra_headers": headers,
        }

"""Providers in the Django admin: the same form as the Providers page, key write-only."""

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from playground.providerconfig.forms import ProviderConfigForm
from playground.providerconfig.models import ProviderConfig
from playground.providerconfig.services import provider_config_save


@admin.register(ProviderConfig)
class ProviderConfigAdmin(admin.ModelAdmin):
    form = ProviderConfigForm
    list_display = ["name", "label", "base_url", "api_key_hint", "enabled"]
    list_filter = ["enabled", "teams"]
    search_fields = ["name", "label", "base_url"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "label",
                    "base_url",
                    "default_model",
                    "moderation_model",
                    "enabled",
                ]
            },
        ),
        (
            "Credentials",
            {"fields": ["api_key", "clear_api_key", "extra_headers", "clear_extra_headers"]},
        ),
        ("Who may use it", {"fields": ["teams"]}),
        ("Timeouts", {"fields": ["connect_timeout", "first_token_timeout", "token_gap_timeout"]}),
    ]

    @admin.display(description="API key")
    def api_key_hint(self, config: ProviderConfig) -> str:
        return config.api_key_hint

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm]:
        # The admin's own subclass of ProviderConfigForm, built per request (its fieldsets).
        form_class: Any = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class FormForUser(form_class):  # the admin builds forms without our user argument
            def __init__(self, *args: Any, **form_kwargs: Any) -> None:
                super().__init__(*args, user=user, **form_kwargs)

        return FormForUser

    @method_decorator(sensitive_post_parameters("api_key", "extra_headers"))
    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Error reports (DEBUG pages, ADMINS mails) must not show the typed key.
        return super().changeform_view(request, *args, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: ProviderConfig, form: ProviderConfigForm, change: bool
    ) -> None:
        provider_config_save(config=obj, **form.secrets())

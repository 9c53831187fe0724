"""The Providers page for staff: list, add, edit, remove, test connection, refresh models."""

from functools import wraps
from inspect import iscoroutinefunction
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from playground.providerconfig.connection import ConnectionReport, probe_connection
from playground.providerconfig.forms import ProviderConfigForm
from playground.providerconfig.lookup import get_provider
from playground.providerconfig.models import ProviderConfig
from playground.providerconfig.services import provider_config_save, provider_settings
from playground.providers.base import UpstreamError
from playground.providers.build import build_client
from playground.providers.descriptor import describe
from playground.providers.discovery import provider_models_store


def staff_required(view):
    """Signed-in staff only: others get 403 (not a sign-in page they cannot get past)."""
    if iscoroutinefunction(view):

        @wraps(view)
        async def async_view(request: HttpRequest, *args, **kwargs):
            user = await request.auser()
            if not (user.is_active and user.is_staff):
                raise PermissionDenied
            return await view(request, *args, **kwargs)

        return async_view

    @wraps(view)
    def sync_view(request: HttpRequest, *args, **kwargs):
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return sync_view


@require_http_methods(["GET"])
@login_required
@staff_required
@permission_required("providerconfig.view_providerconfig", raise_exception=True)
def provider_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "providerconfig/provider_list.html",
        {
            "configs": ProviderConfig.objects.prefetch_related("teams"),
            "env_providers": [
                describe(name, config) for name, config in settings.PLAYGROUND_PROVIDERS.items()
            ],
        },
    )


def _stored_config(pk: int) -> ProviderConfig:
    config = ProviderConfig.objects.filter(pk=pk).first()
    if config is None:
        raise Http404("No stored provider has this id.")  # shown on the 404 page
    return config


@sensitive_post_parameters("api_key", "extra_headers")
def _save_form(request: HttpRequest, config: ProviderConfig) -> HttpResponse:
    form = ProviderConfigForm(request.POST or None, instance=config, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = provider_config_save(
                config=form.save(commit=False),
                teams=form.cleaned_data["teams"],
                **form.secrets(),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Saved provider '%(name)s'.") % {"name": saved.name})
            return redirect("provider-list")
    return render(request, "providerconfig/provider_form.html", {"form": form, "config": config})


@require_http_methods(["GET", "POST"])
@login_required
@staff_required
@permission_required("providerconfig.add_providerconfig", raise_exception=True)
def provider_create(request: HttpRequest) -> HttpResponse:
    return _save_form(request, ProviderConfig())


@require_http_methods(["GET", "POST"])
@login_required
@staff_required
@permission_required("providerconfig.change_providerconfig", raise_exception=True)
def provider_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _save_form(request, _stored_config(pk))


@require_POST
@login_required
@staff_required
@permission_required("providerconfig.delete_providerconfig", raise_exception=True)
def provider_delete(request: HttpRequest, pk: int) -> HttpResponse:
    config = _stored_config(pk)
    config.delete()
    messages.success(request, _("Removed provider '%(name)s'.") % {"name": config.name})
    return redirect("provider-list")


@require_POST
@login_required
@staff_required
@permission_required("providerconfig.view_providerconfig", raise_exception=True)
@sensitive_variables()
async def provider_test_connection(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the provider for its models with the stored key; say in plain words what happened."""
    config = await sync_to_async(_stored_config)(pk)
    try:
        # Decrypts the key and checks the base URL (a DNS lookup when private ones are refused).
        client = await sync_to_async(_stored_client)(config)
    except UpstreamError as error:
        report = ConnectionReport(False, error.message)
    else:
        report = await probe_connection(client, wait=config.connect_timeout or 10.0)
    return render(
        request, "providerconfig/_connection_report.html", {"report": report, "config": config}
    )


def _models_listed(models: list[str]) -> str:
    """The models Refresh found, the first eight named."""
    if not models:
        return _("The provider lists no models: type the model name in the playground.")
    shown = ", ".join(models[:8])
    if len(models) > 8:
        return _("%(count)s models: %(shown)s and %(more)s more.") % {
            "count": len(models),
            "shown": shown,
            "more": len(models) - 8,
        }
    return _("%(count)s models: %(shown)s.") % {"count": len(models), "shown": shown}


def _stored_client(config: ProviderConfig) -> Any:
    return build_client(config.name, provider_settings(config))


@require_POST
@login_required
@staff_required
@permission_required("providerconfig.view_providerconfig", raise_exception=True)
@sensitive_variables()
async def env_provider_test_connection(request: HttpRequest, name: str) -> HttpResponse:
    """The same check for a provider set in the environment (OPENAI_API_KEY, OPENAI_BASE_URL)."""
    config = settings.PLAYGROUND_PROVIDERS.get(name)
    if config is None or config.get("kind") != "openai":
        raise Http404(_("No provider from the environment has this name."))
    client = build_client(name, config)
    report = await probe_connection(client, wait=config.get("connect_timeout") or 10.0)
    return render(request, "providerconfig/_connection_report.html", {"report": report})


@require_POST
@login_required
@staff_required
@permission_required("providerconfig.view_providerconfig", raise_exception=True)
@sensitive_variables()
async def provider_refresh_models(request: HttpRequest, name: str) -> HttpResponse:
    """Ask the provider for its models again, replacing the cached list; a failure is told
    as Test connection tells it (the page's suggestions fall back to the default model, which
    must not read as a one-model list here)."""
    try:
        provider = await sync_to_async(get_provider)(name, await request.auser())
    except UpstreamError as error:
        report = ConnectionReport(False, error.message)
    else:
        config = await ProviderConfig.objects.filter(name=name).afirst()
        if config is None:
            raise Http404(_("No stored provider has this name."))
        probe = await probe_connection(provider, wait=config.connect_timeout or 10.0)
        if not probe.ok:
            report = probe
        else:
            models = list(probe.models)
            await provider_models_store(provider, models or [provider.default_model])
            report = ConnectionReport(True, _models_listed(models), probe.models)
    return render(request, "providerconfig/_connection_report.html", {"report": report})

"""Thin views: the playground page, its model suggestions, and the one-time sign-in link."""

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_GET

from playground.export.views import LANGS as EXPORT_LANGS
from playground.presets.page import playground_preset_context
from playground.providers import UpstreamError, available_providers, get_provider
from playground.providers.discovery import provider_models
from playground.spec import parameter_inputs


@require_GET
@login_required
def playground_page(request: HttpRequest) -> HttpResponse:
    providers = available_providers(request.user)
    return render(
        request,
        "playground/page.html",
        {
            "providers": providers,
            "default_provider": providers[0],
            "parameters": parameter_inputs(),
            "initial_candidates": range(1),
            "export_langs": EXPORT_LANGS,
            # The open preset (?preset=<uuid>&version=N) and the save controls.
            **playground_preset_context(request),
        },
    )


@require_GET
@login_required
async def model_options(request: HttpRequest) -> HttpResponse:
    """Model names for the chosen provider, as a <datalist> that htmx swaps in.

    Cached (see providers/discovery.py); ``refresh=1`` asks the provider again.
    """
    user = await request.auser()
    try:
        provider = await sync_to_async(get_provider)(request.GET.get("provider", ""), user)
    except UpstreamError:
        return render(request, "playground/_model_options.html", {"models": []})
    models = await provider_models(provider, refresh=request.GET.get("refresh") == "1")
    return render(request, "playground/_model_options.html", {"models": models})


@require_GET
def sign_in_link(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Sign in with the link `make run` prints; it stops working once used (last_login changes)."""
    user_model = get_user_model()
    try:
        user = user_model.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError, user_model.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "registration/sign_in_link_invalid.html", status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("playground")

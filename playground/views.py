"""Thin views: the playground page, its model suggestions, the request JSON editor's
two conversions, and the one-time sign-in link."""

import json

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_GET, require_POST

from playground.capabilities import REASONING_MODEL_PATTERN
from playground.export.views import LANGS as EXPORT_LANGS
from playground.form_layout import parameter_groups
from playground.forms import form_values_from_request, request_from_form, values_from_post
from playground.modes import DEFAULT_MODE, REGISTRY, UnknownMode, get_mode
from playground.presets.page import playground_preset_context
from playground.providers import UpstreamError, available_providers, get_provider
from playground.providers.discovery import provider_models
from playground.spec import FormInvalid, RequestInvalid, extension_keys, validate_request


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
            "parameter_groups": parameter_groups(),
            "modes": list(REGISTRY.values()),
            "initial_candidates": range(1),
            "export_langs": EXPORT_LANGS,
            "reasoning_model_pattern": REASONING_MODEL_PATTERN,
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
    refresh = request.GET.get("refresh") == "1"
    models = await provider_models(provider, refresh=refresh)
    status = ""
    if refresh:  # the Refresh button: say what came back, a failed listing included
        if models == [provider.default_model]:  # what a listing that failed falls back to
            status = (
                f"The provider did not list its models (only the default, "
                f"{provider.default_model}, is suggested): type the model name, or ask an "
                "admin to check the key and base URL."
            )
        else:
            status = f"{len(models)} models listed by the provider."
    return render(request, "playground/_model_options.html", {"models": models, "status": status})


@require_POST
@login_required
def request_json(request: HttpRequest) -> HttpResponse:
    """The form's values (as the page would send them) as request JSON text, for the editor."""
    try:
        data = request_from_form(values_from_post(request.POST))
    except RequestInvalid as invalid:
        return JsonResponse({"errors": invalid.errors}, status=400)
    body = data["body"]
    return JsonResponse(
        {
            "text": json.dumps(data, indent=2, ensure_ascii=False),
            "extensions": extension_keys(data["mode"], body) if isinstance(body, dict) else [],
        }
    )


@require_POST
@login_required
def request_form_values(request: HttpRequest) -> HttpResponse:
    """Request JSON text from the editor as form values (all text, so big numbers survive)."""
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        return JsonResponse({"errors": {"request": f"is not valid JSON ({error})"}}, status=400)
    except RecursionError:
        return JsonResponse({"errors": {"request": "is nested too deeply to read"}}, status=400)
    if not isinstance(data, dict):
        return JsonResponse({"errors": {"request": "must be a JSON object"}}, status=400)
    try:
        get_mode(data.get("mode", DEFAULT_MODE))
    except UnknownMode as unknown:
        return JsonResponse({"errors": {"mode": unknown.args[0]}}, status=400)
    try:
        validate_request(data)
        problems = {}
    except RequestInvalid as invalid:
        # Still applied, so nothing typed is lost; the editor names what Run would refuse.
        problems = invalid.errors
    try:
        values = form_values_from_request(data)
    except FormInvalid as invalid:  # what the form cannot hold is not applied
        return JsonResponse({"errors": invalid.errors}, status=400)
    return JsonResponse({"values": values, "problems": problems})


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

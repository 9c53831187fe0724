"""Thin views: the playground page, its request editor's two views, its model
suggestions, and the one-time sign-in link."""

import asyncio

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from playground.capabilities import REASONING_MODEL_PATTERN
from playground.export.views import LANGS as EXPORT_LANGS
from playground.finetuning.offline_jobs import fine_tuned_models
from playground.forms import request_from_form, values_from_post
from playground.modes import REGISTRY, get_mode, modes_where
from playground.presets.page import playground_preset_context
from playground.providerconfig.lookup import get_provider
from playground.providers import UpstreamError
from playground.providers.discovery import provider_models
from playground.request_form import (
    VIEWS,
    EditorStatus,
    fresh_chat_request,
    request_editor_context,
    switch_status,
    variables_panel,
)
from playground.runs.estimate import estimate_with_price
from playground.runs.page import playground_run_context
from playground.runs.prices import price_get
from playground.spec import FormInvalid, RequestInvalid, upstream_body, validate_request
from playground.tokens import count_body_tokens


@require_GET
@login_required
def playground_page(request: HttpRequest) -> HttpResponse:
    """The playground, its form rendered from a request: an opened preset's or run's
    (``?run=<uuid>``, from the history), or a fresh one."""
    preset = playground_preset_context(request)
    if request.GET.get("run"):
        preset.update(playground_run_context(request))
    elif request.GET.get("model") and "preset_request" not in preset:
        # "Open in the playground" (a fine-tuned model's page): a fresh chat on that model.
        preset["preset_request"] = fresh_chat_request(
            str(request.GET.get("provider") or ""), str(request.GET["model"])
        )
    try:
        editor = request_editor_context(preset.get("preset_request"), user=request.user)
    except FormInvalid as invalid:  # a preset saved for a mode this server no longer has
        preset["preset_notice"] = f"This preset cannot be shown in the form: {invalid}."
        editor = request_editor_context(None, user=request.user)
    return render(
        request,
        "playground/page.html",
        {
            **editor,
            **preset,
            "initial_candidates": range(1),
            "export_langs": EXPORT_LANGS,
            "reasoning_model_pattern": REASONING_MODEL_PATTERN,
            "moderation_modes": " ".join(m.name for m in modes_where(moderation_switch=True)),
            # "Add to conversation" appends a reply to the chat rows: the modes that have them.
            "conversation_modes": " ".join(
                name for name, mode in REGISTRY.items() if mode.prompt_fields == "messages"
            ),
            # The page's <template>s of a new message row and a new tool row.
            "new_message_row": {"index": "__index__", "role": "user"},
            "new_tool_row": {"index": "__index__"},
        },
    )


@require_POST
def request_editor(request: HttpRequest, view: str) -> HttpResponse:
    """Form | JSON: the request the page holds (its form, or the editor's text), shown in
    ``view``; the answer replaces both views (playground/_request_editor.html).

    What cannot be shown (JSON that does not parse, an unknown mode) changes nothing: the
    answer is only the status beside the switch, saying what and where.
    """
    if view not in VIEWS:
        raise Http404("No such view of the request.")
    if not request.user.is_authenticated:
        # Not the sign-in page: htmx would swap it in place of the form.
        return _editor_status(request, SIGNED_OUT)
    values = values_from_post(request.POST)
    from_editor = "request" in values
    try:
        data = request_from_form(values)
        context = request_editor_context(data, user=request.user, view=view)
    except RequestInvalid as invalid:
        refusal = "Not applied" if from_editor else "The form cannot be shown as JSON"
        return _editor_status(request, f"{refusal}: {invalid}.")
    context["status"] = switch_status(data, context["mode"].name, view, applied=from_editor)
    return render(request, "playground/_request_editor.html", context)


SIGNED_OUT = (
    "You are signed out: sign in again (in another tab, so that nothing here is lost), "
    "then switch again."
)


def _editor_status(request: HttpRequest, refusal: str) -> HttpResponse:
    """Only the status beside the switch, saying why nothing changed (200: htmx swaps it)."""
    status = EditorStatus(refusal, error=True)
    response = render(request, "playground/_request_status.html", {"status": status})
    response["HX-Retarget"] = "#request-view-status"
    response["HX-Reswap"] = "outerHTML"
    return response


@require_POST
async def request_estimate_view(request: HttpRequest) -> HttpResponse:
    """Under the prompt: its tokens and the run's cost range, as the form stands (htmx
    posts the run form here as it changes; see playground/_estimate.html)."""
    user = await request.auser()
    if not user.is_authenticated:
        return render(request, "playground/_estimate.html", {"problem": SIGNED_OUT_ESTIMATE})
    try:
        run_request = validate_request(request_from_form(values_from_post(request.POST)))
        body = upstream_body(run_request)
    except RequestInvalid:
        # The status beside Run names the fields when it is run; here, only that there is
        # no estimate yet.
        return render(request, "playground/_estimate.html", {"problem": FORM_INCOMPLETE})
    not_estimated = get_mode(run_request.mode).no_estimate
    if not_estimated:
        return render(request, "playground/_estimate.html", {"problem": _(not_estimated)})
    # Off the thread that serves the database to every socket: a long prompt takes a while.
    count = await asyncio.to_thread(count_body_tokens, body)
    price = await sync_to_async(price_get)(
        provider=run_request.provider, model=str(body.get("model") or "")
    )
    estimate = estimate_with_price(count, body, price)
    return render(request, "playground/_estimate.html", {"estimate": estimate})


@require_POST
def variables_panel_view(request: HttpRequest) -> HttpResponse:
    """The Variables panel for the form as it stands (htmx posts the run form here when a
    prompt text changes; see playground/_variables.html)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)  # nothing to swap: the page says to sign in on Run
    try:
        data = request_from_form(values_from_post(request.POST))
    except FormInvalid:
        return HttpResponse(status=204)  # keep the panel as it is until the form reads
    return render(request, "playground/_variables.html", {"panel": variables_panel(data)})


SIGNED_OUT_ESTIMATE = gettext_lazy("Sign in again to see the token estimate.")
FORM_INCOMPLETE = gettext_lazy("No estimate until the request is valid.")


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
    if provider.offline:
        # The offline model's fine-tuned models (a provider lists its own in GET /models).
        models = [*models, *await database_sync_to_async(fine_tuned_models)()]
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

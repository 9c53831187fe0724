"""Thin views: the compare page, the playground's "Compare…", saving a comparison as
presets (one per column) and reopening them."""

import json
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from playground.compare.columns import (
    MAX_COLUMNS,
    MIN_COLUMNS,
    column_count,
    column_requests,
    form_from_requests,
)
from playground.compare.consumers import scoped
from playground.forms import request_from_form, values_from_post
from playground.presets.by_name import preset_request_for
from playground.presets.services import PresetInputInvalid, preset_create
from playground.providerconfig.lookup import available_providers
from playground.request_form import default_request
from playground.spec import FormInvalid, RequestInvalid


@require_http_methods(["GET", "POST"])
@login_required
def compare_page(request: HttpRequest) -> HttpResponse:
    """The page; a POST re-renders it from the form as it stands (adding or removing a
    column keeps everything typed)."""
    form = values_from_post(request.POST) if request.method == "POST" else _opened_form(request)
    asked = request.GET.get("columns", "")
    count = int(asked) if asked.isdigit() else column_count(form)
    count = max(MIN_COLUMNS, min(MAX_COLUMNS, count))
    providers = available_providers(request.user)
    columns = []
    for n in range(count):
        output = render_to_string(
            "playground/_run_output.html",
            {"idle_message": _("Ready."), "initial_candidates": range(1)},
            request=request,
        )
        columns.append(
            {
                "index": n,
                "label": form.get(f"label-{n}", ""),
                "provider": form.get(f"provider-{n}") or providers[0].name,
                "model": form.get(f"model-{n}") or providers[0].default_model,
                "system": form.get(f"system-{n}", ""),
                "parameters": form.get(f"parameters-{n}", ""),
                "output": mark_safe(scoped(output, n)),
            }
        )
    context = {
        "form": form,
        "columns": columns,
        "providers": providers,
        "more_columns": count < MAX_COLUMNS and count + 1,
        "fewer_columns": count > MIN_COLUMNS and count - 1,
    }
    return render(request, "compare/page.html", context)


def _opened_form(request: HttpRequest) -> dict[str, Any]:
    """What the page opens with: presets (``?presets=a,b``, a saved comparison), the
    playground's request (twice), or a fresh start."""
    if request.GET.get("presets"):
        lookup = preset_request_for(request.user)
        requests, labels = [], []
        for preset_id in request.GET["presets"].split(",")[:MAX_COLUMNS]:
            try:
                requests.append(lookup(preset_id))
                labels.append("")
            except LookupError as error:
                messages.error(
                    request, _("Preset %(id)s: %(error)s") % {"id": preset_id, "error": error}
                )
        if requests:
            return form_from_requests(requests, labels)
    data = request.session.pop("compare_request", None)
    if data:
        request_data = json.loads(data)
        return form_from_requests([request_data, request_data])
    fresh = default_request(available_providers(request.user))
    fresh["body"]["messages"] = [{"role": "user", "content": ""}]
    return form_from_requests([fresh, fresh])


@require_POST
@login_required
def compare_from_playground(request: HttpRequest) -> HttpResponse:
    """The playground's "Compare…": its request opens in two columns (htmx posts the run
    form; the page then opens the compare page)."""
    try:
        data = request_from_form(values_from_post(request.POST))
    except FormInvalid as invalid:
        messages.error(
            request, _("The playground's request could not be read: %(why)s.") % {"why": invalid}
        )
    else:
        request.session["compare_request"] = json.dumps(data, ensure_ascii=False)
    response = HttpResponse(status=204)
    response["HX-Redirect"] = reverse("compare")
    return response


@require_POST
@login_required
def compare_save(request: HttpRequest) -> HttpResponse:
    """Save the comparison as presets, one per column, and say how to reopen it."""
    values = values_from_post(request.POST)
    name = str(values.get("name") or "").strip() or _("Comparison")
    try:
        columns = column_requests(values)
        with transaction.atomic():  # all the columns' presets, or none
            created = [
                preset_create(
                    owner=cast(User, request.user),
                    name=f"{name} · {column.label}"[:200],
                    request=column.request,
                )
                for column in columns
            ]
    except RequestInvalid as invalid:
        return _save_status(request, _("Not saved:"), invalid.errors)
    except PresetInputInvalid as invalid:
        return _save_status(request, _("Not saved:"), invalid.errors)
    ids = ",".join(str(p.pk) for p in created)
    return _save_status(
        request,
        ngettext(
            "Saved as %(count)s preset named “%(name)s · …”.",
            "Saved as %(count)s presets named “%(name)s · …”.",
            len(created),
        )
        % {"count": len(created), "name": name},
        reopen=f"{reverse('compare')}?presets={ids}",
    )


def _save_status(
    request: HttpRequest, message: str, errors: dict[str, str] | None = None, reopen: str = ""
) -> HttpResponse:
    context = {"message": message, "errors": (errors or {}).items(), "reopen": reopen}
    return render(request, "compare/_save_status.html", context)

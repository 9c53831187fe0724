"""Thin views: the history, a run's page and what a user does to a run."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from playground.image_files import images_from_record
from playground.message_files import attachments_shown
from playground.modes import REGISTRY
from playground.presets import permissions as preset_permissions
from playground.presets.services import PresetInputInvalid, PresetNotFound
from playground.runs import history, selectors
from playground.runs.models import Run, Status
from playground.runs.services import IMAGES_KEEP_BYTES
from playground.speech_files import speech_from_record

# Counting every match of a common word means reading every matching run's text: the
# history counts up to this many (pages beyond say "more", and a narrower search finds them).
COUNT_CAP = 2_000


class CappedPaginator(Paginator):
    """A paginator that counts at most COUNT_CAP runs (``capped`` says it stopped)."""

    @cached_property
    def count(self) -> int:
        runs: QuerySet[Run] = self.object_list  # type: ignore[assignment]
        counted = runs[: COUNT_CAP + 1].count()
        self.capped = counted > COUNT_CAP
        return min(counted, COUNT_CAP)


# The list shows metadata: the big text fields stay in the database.
_LIST_DEFERRED = ("request", "output", "raw", "search_text", "rate_limit")


@require_GET
@login_required
def history_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.history_filters(request.GET)
    runs = selectors.runs_history(user=request.user, filters=filters)
    runs = runs.defer(*_LIST_DEFERRED).select_related("user", "preset")
    paginator = CappedPaginator(runs, settings.PLAYGROUND_HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "capped": getattr(paginator, "capped", False),
        "count_cap": COUNT_CAP,
        "filters": filters,
        "query": query.urlencode(),
        "statuses": Status.choices,
        "modes": list(REGISTRY),
    }
    partial = (
        request.headers.get("HX-Request") and request.headers.get("HX-Target") == "history-results"
    )
    template = "runs/_history_results.html" if partial else "runs/history.html"
    return render(request, template, context)


def _run_or_404(request: HttpRequest, run_id: object) -> Run:
    try:
        return selectors.run_get(user=request.user, run_id=run_id)
    except selectors.RunNotFound:
        raise Http404(_("No run you may see has this id.")) from None


@require_GET
@login_required
def run_detail(request: HttpRequest, run_id: str) -> HttpResponse:
    run = _run_or_404(request, run_id)
    preset = run.preset
    context = {
        "run": run,
        "request_json": json.dumps(run.request, ensure_ascii=False, indent=2)
        if run.request
        else "",
        "request_text": json.dumps(run.request, ensure_ascii=False) if run.request else "",
        "can_change": history.can_change(request.user, run),
        "can_save_version": preset is not None
        and preset_permissions.can_save_version(request.user, preset),
        "max_note_chars": history.MAX_NOTE_CHARS,
        "images": images_from_record((run.output or {}).get("images")),
        "speech": speech_from_record((run.output or {}).get("speech")),
        "attachments": attachments_shown((run.request or {}).get("body")),
        "images_keep_bytes": IMAGES_KEEP_BYTES,
    }
    return render(request, "runs/detail.html", context)


def _back(run_id: str) -> HttpResponse:
    return redirect(reverse("run-detail", args=[run_id]))


@require_POST
@login_required
def run_star(request: HttpRequest, run_id: str) -> HttpResponse:
    try:
        history.run_star(
            user=request.user, run_id=run_id, starred=request.POST.get("starred") == "on"
        )
    except selectors.RunNotFound:
        raise Http404(_("No run you may change has this id.")) from None
    return _back(run_id)


@require_POST
@login_required
def run_note(request: HttpRequest, run_id: str) -> HttpResponse:
    try:
        history.run_note_set(user=request.user, run_id=run_id, note=request.POST.get("note", ""))
    except selectors.RunNotFound:
        raise Http404(_("No run you may change has this id.")) from None
    except history.RunChangeRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Note saved."))
    return _back(run_id)


@require_POST
@login_required
def run_delete(request: HttpRequest, run_id: str) -> HttpResponse:
    try:
        history.run_delete(user=request.user, run_id=run_id)
    except selectors.RunNotFound:
        raise Http404(_("No run you may change has this id.")) from None
    messages.success(request, _("The run and its text are deleted."))
    return redirect("history")


@require_POST
@login_required
def run_save_preset(request: HttpRequest, run_id: str) -> HttpResponse:
    try:
        preset, version = history.run_save_as_preset(
            user=request.user,  # type: ignore[arg-type]  # login_required: a User
            run_id=run_id,
            name=request.POST.get("name", ""),
            as_version=request.POST.get("as") == "version",
        )
    except selectors.RunNotFound:
        raise Http404(_("No run you may see has this id.")) from None
    except (history.RunChangeRefused, PresetInputInvalid, PresetNotFound) as refused:
        messages.error(request, str(refused) or _("The preset could not be saved."))
        return _back(run_id)
    if version is not None:
        messages.success(
            request,
            _("Saved as version %(number)s of %(name)s.")
            % {"number": version.number, "name": preset.name},
        )
    else:
        messages.success(request, _("Saved as the preset %(name)s.") % {"name": preset.name})
    return redirect(reverse("preset-detail", args=[preset.pk]))

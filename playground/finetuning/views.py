"""The fine-tuning pages: training files (upload, list, delete), jobs (start, list, follow,
cancel). Thin: the services talk to the provider; a job's page reads only its record,
which the background task keeps current (the page asks this server, never the provider)."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from playground.finetuning.api import fine_tuning_api_sync
from playground.finetuning.models import TrackedJob
from playground.finetuning.services import (
    fine_tuning_job_start,
    job_tracked,
    tracked_job_cancel,
    training_file_upload,
)
from playground.providerconfig.lookup import available_providers, get_provider
from playground.providers import UpstreamError
from playground.spec_errors import RequestInvalid

MAX_TRAINING_FILE_BYTES = 512 * 1024 * 1024


def _provider_name(request: HttpRequest) -> str:
    names = [p.name for p in available_providers(request.user)]
    asked = request.POST.get("provider") or request.GET.get("provider") or ""
    return asked if asked in names else (names[0] if names else "offline")


def _page(request: HttpRequest, *, status: int = 200, **context: Any) -> HttpResponse:
    name = _provider_name(request)
    files: list[dict[str, Any]] = []
    files_problem = ""
    try:
        provider = get_provider(name, request.user)
        files = fine_tuning_api_sync(provider).files_list().get("data") or []
    except UpstreamError as error:
        files_problem = error.message
    jobs = TrackedJob.objects.filter(owner_id=request.user.pk)[:50]
    return render(
        request,
        "finetuning/page.html",
        {
            "providers": available_providers(request.user),
            "provider_name": name,
            "files": [f for f in files if isinstance(f, dict)],
            "files_problem": files_problem,
            "jobs": jobs,
            **context,
        },
        status=status,
    )


@require_GET
@login_required
def fine_tuning_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@login_required
def training_file_upload_view(request: HttpRequest) -> HttpResponse:
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return _page(request, status=400, errors={"file": _("Choose a JSONL training file.")})
    if uploaded.size is not None and uploaded.size > MAX_TRAINING_FILE_BYTES:
        return _page(request, status=400, errors={"file": _("The file is over 512 MB.")})
    try:
        provider = get_provider(_provider_name(request), request.user)
        created = training_file_upload(provider, uploaded.name or "train.jsonl", uploaded.read())
    except RequestInvalid as invalid:
        return _page(request, status=400, errors=invalid.errors)
    except UpstreamError as error:
        return _page(request, status=502, errors={"file": error.message})
    message = _("%(name)s uploaded as %(id)s.") % {"name": uploaded.name, "id": created.get("id")}
    return _page(request, notice=message, chosen_file=created.get("id"))


@require_POST
@login_required
def training_file_delete_view(request: HttpRequest, file_id: str) -> HttpResponse:
    try:
        provider = get_provider(_provider_name(request), request.user)
        fine_tuning_api_sync(provider).file_delete(file_id)
    except UpstreamError as error:
        return _page(request, status=502, errors={"file": error.message})
    return _page(request, notice=_("%(id)s deleted.") % {"id": file_id})


def _job_body(post: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model": post.get("model", "").strip()}
    for name in ("training_file", "validation_file", "suffix"):
        value = post.get(name, "").strip()
        if value:
            body[name] = value
    hyperparameters = {}
    for name in ("n_epochs", "batch_size", "learning_rate_multiplier"):
        value = post.get(name, "").strip()
        if value:
            hyperparameters[name] = _number(value)
    if hyperparameters:
        body["hyperparameters"] = hyperparameters
    seed = post.get("seed", "").strip()
    if seed:
        body["seed"] = _number(seed)
    return body


def _number(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text  # "auto", or a mistake the body check names


@require_POST
@login_required
def job_start_view(request: HttpRequest) -> HttpResponse:
    body = _job_body(request.POST)
    try:
        job = fine_tuning_job_start(
            user=request.user, provider_name=_provider_name(request), body=body
        )
    except RequestInvalid as invalid:
        return _page(request, status=400, errors=invalid.errors, job_form=request.POST)
    except UpstreamError as error:
        return _page(request, status=502, errors={"job": error.message}, job_form=request.POST)
    return redirect(reverse("fine-tuning-job", args=[job.pk]))


def _job_or_404(request: HttpRequest, job_id: str) -> TrackedJob:
    job = TrackedJob.objects.filter(pk=job_id).first()
    if job is None or (job.owner != request.user and not request.user.is_staff):
        raise Http404(_("No fine-tuning job of yours has this id."))
    return job


@require_GET
@login_required
def job_view(request: HttpRequest, job_id: str) -> HttpResponse:
    return render(request, "finetuning/job.html", {"job": _job_or_404(request, job_id)})


@require_GET
@login_required
def job_track_view(request: HttpRequest, provider: str, upstream_id: str) -> HttpResponse:
    """A provider's job (one a run created) followed from now on: its record made, its
    follower queued, and its page shown."""
    try:
        job = job_tracked(user=request.user, provider_name=provider, upstream_id=upstream_id)
    except UpstreamError as error:
        return _page(request, status=502, errors={"job": error.message})
    if job.owner != request.user and not request.user.is_staff:
        raise Http404(_("No fine-tuning job of yours has this id."))
    return redirect(reverse("fine-tuning-job", args=[job.pk]))


@require_GET
@login_required
def job_status_view(request: HttpRequest, job_id: str) -> HttpResponse:
    """The job's state as the background task last wrote it (htmx asks every second)."""
    return render(request, "finetuning/_job_status.html", {"job": _job_or_404(request, job_id)})


@require_POST
@login_required
def job_cancel_view(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job_or_404(request, job_id)
    problem = ""
    try:
        job = tracked_job_cancel(job)
    except UpstreamError as error:
        problem = error.message
    return render(request, "finetuning/job.html", {"job": job, "problem": problem})

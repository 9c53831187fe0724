"""Thin views: the history list and a run's page."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from playground.runs import selectors

PAGE_SIZE = 50


@require_GET
@login_required
def history_list(request: HttpRequest) -> HttpResponse:
    runs = selectors.runs_visible(user=request.user).select_related("user")
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "runs/history.html", {"page": page})


@require_GET
@login_required
def run_detail(request: HttpRequest, run_id: str) -> HttpResponse:
    try:
        run = selectors.run_get(user=request.user, run_id=run_id)
    except selectors.RunNotFound:
        raise Http404("No run you may see has this id.") from None
    return render(request, "runs/detail.html", {"run": run})

"""Thin view: the user's choice to keep, or not, the prompts and replies of their runs."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from playground.runs.models import RunKeeping
from playground.runs.retention import run_keeping_set


@require_http_methods(["GET", "POST"])
@login_required
def run_keeping_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        keep = request.POST.get("keep_text") == "on"
        deleted = run_keeping_set(
            user=request.user,
            keep_text=keep,
            delete_existing=not keep and request.POST.get("delete_existing") == "on",
        )
        if keep:
            messages.success(request, _("Your runs keep their prompts and replies."))
        elif deleted:
            messages.success(
                request,
                ngettext(
                    "Your runs keep only their metadata, usage and cost from now on; "
                    "the text of %(count)s earlier run is deleted.",
                    "Your runs keep only their metadata, usage and cost from now on; "
                    "the text of %(count)s earlier runs is deleted.",
                    deleted,
                )
                % {"count": deleted},
            )
        else:
            messages.success(
                request, _("Your runs keep only their metadata, usage and cost from now on.")
            )
        return redirect("run-keeping")
    keeping = RunKeeping.objects.filter(user=request.user).first()  # type: ignore[misc]
    return render(
        request,
        "runs/keeping.html",
        {
            "keep_text": keeping.keep_text if keeping else True,
            "retention_days": settings.PLAYGROUND_RUN_RETENTION_DAYS,
        },
    )

"""The watch page: a live run as it streams, or the run's history entry once it has ended."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from playground.live.access import watch_target
from playground.live.links import TOKEN_PARAMETER, socket_path
from playground.runs.models import Run


@require_GET
@login_required
def run_watch(request: HttpRequest, run_id: str) -> HttpResponse:
    target = watch_target(user=request.user, run_id=run_id, token=request.GET.get(TOKEN_PARAMETER))
    if target is None:
        raise Http404(_("No run you may see has this id."))
    if isinstance(target, Run):
        # Ended: its final state is the run's page in the history.
        return redirect("run-detail", run_id=target.pk)
    context = {
        "watch": target,
        "socket_path": socket_path(target.ref),
    }
    return render(request, "live/watch.html", context)

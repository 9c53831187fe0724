"""What the playground page needs from runs: ``/?run=<uuid>`` opens a run's request."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from playground.runs.selectors import RunNotFound, run_get

NO_RUN = gettext_noop("No run you may open has this id.")
TEXT_DELETED = gettext_noop(
    "This run's prompts and replies were deleted: there is no request to open."
)


def playground_run_context(request: HttpRequest) -> dict[str, Any]:
    """The run's request as the page's request (the form restored exactly), or a notice."""
    try:
        run = run_get(user=request.user, run_id=request.GET.get("run"))
    except RunNotFound:
        return {"preset_notice": _(NO_RUN)}
    if run.request is None:
        return {"preset_notice": _(TEXT_DELETED)}
    return {"preset_request": run.request, "opened_run": run}

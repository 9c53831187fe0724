"""Marking the better answer of a comparison: the preferred run is starred, and each run
of the comparison notes which one won, so the history keeps the verdict."""

from typing import Any

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from playground.runs.models import Run


def run_prefer(*, user: Any, run: Run, over: list[Run]) -> None:
    # The notes are written in the language of the page that marked the answer.
    others = ", ".join(
        _("%(model)s (run %(id)s)") % {"model": r.model, "id": r.pk} for r in over
    ) or _("no other run")
    Run.objects.filter(pk=run.pk, user_id=user.pk).update(
        starred=True,
        note=(_("Preferred in a comparison over: %(others)s.") % {"others": others})[:5000],
    )
    Run.objects.filter(pk__in=[r.pk for r in over], user_id=user.pk).update(
        starred=False,
        note=_("Not preferred in a comparison: run %(winner)s was.") % {"winner": run.pk},
    )


run_prefer_async = database_sync_to_async(run_prefer)

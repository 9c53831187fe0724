"""Marking the better answer of a comparison: the preferred run is starred, and each run
of the comparison notes which one won, so the history keeps the verdict."""

from typing import Any

from channels.db import database_sync_to_async

from playground.runs.models import Run

PREFERRED = "Preferred in a comparison over: {others}."
NOT_PREFERRED = "Not preferred in a comparison: run {winner} was."


def run_prefer(*, user: Any, run: Run, over: list[Run]) -> None:
    others = ", ".join(f"{r.model} (run {r.pk})" for r in over) or "no other run"
    Run.objects.filter(pk=run.pk, user_id=user.pk).update(
        starred=True, note=PREFERRED.format(others=others)[:5000]
    )
    Run.objects.filter(pk__in=[r.pk for r in over], user_id=user.pk).update(
        starred=False, note=NOT_PREFERRED.format(winner=run.pk)
    )


run_prefer_async = database_sync_to_async(run_prefer)

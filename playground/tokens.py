"""Token counts made here: the estimate before sending, and a run's usage when the provider
reported none."""

from playground.outcome import RunOutcome
from playground.providers import Usage


def estimate_outcome_usage(outcome: RunOutcome) -> Usage | None:
    """The usage of a run whose provider reported none, counted locally (``estimated``)."""
    return None

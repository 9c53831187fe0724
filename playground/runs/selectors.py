"""Run queries for a user: which runs they may see, filtered and searched, and one by id.

Who sees a run: the user who ran it; the members of the team whose preset it ran; staff
(the admins) see all. Every page, search, download and command reads runs through here.
"""

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from playground.runs.models import Run, Source, Status
from playground.runs.search import SearchRefused, runs_search, search_words
from playground.teams.models import Membership


class RunNotFound(Exception):
    """No run the user may see has this id (the same answer for one that does not exist)."""


def is_admin(user: AbstractBaseUser | Any) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_staff", False))


def runs_visible(*, user: AbstractBaseUser | Any) -> QuerySet[Run]:
    """Every run the user may see, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Run.objects.none()
    if is_admin(user):
        return Run.objects.all()
    # The team ids first (a handful), so that the query is two index ranges, not a join.
    teams = list(Membership.objects.filter(user_id=user.pk).values_list("team_id", flat=True))
    return Run.objects.filter(Q(user_id=user.pk) | Q(team_id__in=teams))


def run_visible_to(*, user: AbstractBaseUser | Any, owner_id: Any, team_id: Any) -> bool:
    """Whether the user may see a run of ``owner_id`` (and ``team_id``) that has no row yet
    (a live run, playground/live/): the rule of ``runs_visible``, for one run."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_admin(user) or (owner_id is not None and owner_id == user.pk):
        return True
    return (
        team_id is not None and Membership.objects.filter(team_id=team_id, user_id=user.pk).exists()
    )


def run_get(*, user: AbstractBaseUser | Any, run_id: Any) -> Run:
    """The run with this id if the user may see it, else RunNotFound."""
    try:
        return runs_visible(user=user).select_related("user", "team", "preset").get(pk=run_id)
    except (Run.DoesNotExist, ValidationError, ValueError, TypeError) as missing:
        # A malformed id (not a UUID) is "no such run", not a 500.
        raise RunNotFound() from missing


@dataclass
class HistoryFilters:
    """The history page's search and filters, as read from its query string."""

    q: str = ""
    model: str = ""
    provider: str = ""
    mode: str = ""
    status: str = ""
    preset: str = ""
    starred: bool = False
    since: datetime.date | None = None
    until: datetime.date | None = None
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(
            self.q or self.model or self.provider or self.mode or self.status or self.preset
        ) or bool(self.starred or self.since or self.until)


def history_filters(params: Any) -> HistoryFilters:
    """Read the filters; a bad one is left out and named in ``problems``."""
    filters = HistoryFilters()
    filters.q = str(params.get("q", ""))[:10_000]
    for name in ("model", "provider", "mode"):
        setattr(filters, name, str(params.get(name, "")).strip()[:200])
    status = str(params.get("status", ""))
    if status and status not in Status.values:
        filters.problems["status"] = _("must be one of %(allowed)s") % {
            "allowed": ", ".join(Status.values)
        }
    else:
        filters.status = status
    preset = str(params.get("preset", ""))
    if preset:
        try:
            filters.preset = str(uuid.UUID(preset))
        except ValueError:
            filters.problems["preset"] = _("must be a preset's id")
    filters.starred = params.get("starred") in ("on", "1", "true")
    for name in ("since", "until"):
        text = str(params.get(name, ""))
        if text:
            try:
                day = datetime.date.fromisoformat(text[:10])
            except ValueError:
                day = None
            if day is None or not 1970 <= day.year <= 2999:
                filters.problems[name] = _("must be a date such as %(example)s") % {
                    "example": "2026-12-02"
                }
            else:
                setattr(filters, name, day)
    return filters


def runs_history(*, user: AbstractBaseUser | Any, filters: HistoryFilters) -> QuerySet[Run]:
    """The runs the user may see that match ``filters``, newest first."""
    runs = runs_visible(user=user)
    try:
        runs = runs_search(runs, search_words(filters.q))
    except SearchRefused as refused:
        filters.problems["q"] = str(refused).removeprefix("q: ")
    exact = {name: getattr(filters, name) for name in ("model", "provider", "mode", "status")}
    runs = runs.filter(**{name: value for name, value in exact.items() if value})
    if filters.preset:
        runs = runs.filter(preset_id=filters.preset)
    if filters.starred:
        runs = runs.filter(starred=True)
    if filters.since:
        runs = runs.filter(created_at__gte=_day_start(filters.since))
    if filters.until:
        runs = runs.filter(created_at__lt=_day_start(filters.until + datetime.timedelta(days=1)))
    return runs.order_by("-created_at")


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)


def last_page_run_choice(user: Any) -> tuple[str, str, str] | None:
    """(provider, model, mode) of the user's latest run from the playground page: where a
    fresh page starts (request_form.py). Read from the history, so remembering it costs no
    write of its own (one indexed query per fresh page)."""
    return (
        Run.objects.filter(user=user, source=Source.PAGE)
        .order_by("-created_at")
        .values_list("provider", "model", "mode")
        .first()
    )

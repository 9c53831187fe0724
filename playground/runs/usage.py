"""The usage page's numbers: tokens and cost of the runs a user may count, per day, model,
provider, user and team, summed by the database (never by loading runs)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from playground.runs.models import Run
from playground.runs.selectors import is_admin
from playground.teams.models import Membership, Role

SCOPE_MINE = "mine"
SCOPE_ALL = "all"

_SUMS = {
    "runs": Count("pk"),
    "prompt": Sum("prompt_tokens"),
    "completion": Sum("completion_tokens"),
    "tokens": Sum("total_tokens"),
    "cost": Sum("cost_usd"),
    # Runs whose model had no price: their cost is unknown, not 0.
    "unpriced_runs": Count("pk", filter=Q(cost_usd__isnull=True)),
    "unpriced_tokens": Sum("total_tokens", filter=Q(cost_usd__isnull=True)),
}


# The sums that are counts: 0 when there are no runs (a sum of nothing is NULL in SQL).
_COUNTS = ("prompt", "completion", "tokens", "unpriced_tokens")


class UsageScopeRefused(Exception):
    """The user may not count this scope (a team they are not in)."""


@dataclass(frozen=True)
class Scope:
    """Whose runs are counted: the user's own, a team's, or everyone's (admins)."""

    key: str  # "mine", "all" or "team-<id>"
    label: str
    runs: QuerySet[Run]
    # Team owners and admins see who spent what.
    shows_users: bool


def _team_label(name: str) -> str:
    return _("Team %(name)s") % {"name": name}


def usage_scopes(*, user: AbstractBaseUser | Any) -> list[tuple[str, str]]:
    """The scopes the user may pick, as (key, label)."""
    scopes = [(SCOPE_MINE, _("My runs"))]
    memberships = Membership.objects.filter(user_id=user.pk).select_related("team")
    scopes += [(f"team-{m.team_id}", _team_label(m.team.name)) for m in memberships]
    if is_admin(user):
        scopes.append((SCOPE_ALL, _("Everyone")))
    return scopes


def usage_scope(*, user: AbstractBaseUser | Any, key: str) -> Scope:
    """The scope named ``key`` if the user may count it, else UsageScopeRefused."""
    if key == SCOPE_ALL and is_admin(user):
        return Scope(SCOPE_ALL, _("Everyone"), Run.objects.all(), shows_users=True)
    if key.startswith("team-") and key[5:].isdigit() and len(key) < 25:
        membership = (
            Membership.objects.filter(user_id=user.pk, team_id=int(key[5:]))
            .select_related("team")
            .first()
        )
        if membership is not None or is_admin(user):
            team_id = int(key[5:])
            name = membership.team.name if membership else f"#{team_id}"
            owner = is_admin(user) or (membership is not None and membership.role == Role.OWNER)
            return Scope(key, _team_label(name), Run.objects.filter(team_id=team_id), owner)
        raise UsageScopeRefused()
    if key in ("", SCOPE_MINE):
        return Scope(SCOPE_MINE, _("My runs"), Run.objects.filter(user_id=user.pk), False)
    raise UsageScopeRefused()


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of ``month`` and of the next one, in UTC."""
    start = datetime.datetime(month.year, month.month, 1, tzinfo=datetime.UTC)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, following


def usage_rows(runs: QuerySet[Run], *group: str) -> list[dict[str, Any]]:
    """Sums per ``group`` (field names, or "day"), largest cost first (then tokens)."""
    grouped = runs.annotate(day=TruncDate("created_at")) if "day" in group else runs
    rows = list(grouped.order_by().values(*group).annotate(**_SUMS))
    for row in rows:
        for key in _COUNTS:
            row[key] = row[key] or 0
        # What the row is of, shown: "openai · gpt-4o"; a deleted user or team is "—".
        row["name"] = " · ".join("—" if row[key] is None else str(row[key]) for key in group)
    if group == ("day",):
        return sorted(rows, key=lambda row: row["day"])
    return sorted(rows, key=lambda row: (-(row["cost"] or 0), -row["tokens"]))


def usage_totals(runs: QuerySet[Run]) -> dict[str, Any]:
    totals = runs.order_by().aggregate(**_SUMS)
    for key in _COUNTS:
        totals[key] = totals[key] or 0
    return totals


@dataclass(frozen=True)
class Bar:
    day: datetime.date
    x: float
    y: float
    height: float
    label: str


CHART_WIDTH = 720
CHART_HEIGHT = 160


def daily_bars(
    days: list[dict[str, Any]], start: datetime.date, end: datetime.date
) -> tuple[list[Bar], str]:
    """One bar per day from ``start`` to ``end`` (exclusive), of cost when any is known,
    else of tokens; and what the bars measure (``cost`` or ``tokens``)."""
    by_day = {row["day"]: row for row in days}
    count = (end - start).days
    use_cost = any(row["cost"] for row in days)
    key = "cost" if use_cost else "tokens"
    values = [(by_day.get(start + datetime.timedelta(d)) or {}).get(key) or 0 for d in range(count)]
    top = max(values, default=0) or 1
    width = CHART_WIDTH / max(count, 1)
    bars = []
    for position, value in enumerate(values):
        day = start + datetime.timedelta(position)
        height = float(Decimal(value) / Decimal(top)) * (CHART_HEIGHT - 10)
        shown = (
            f"${value:.4f}"
            if use_cost
            else ngettext("%(count)s token", "%(count)s tokens", value) % {"count": value}
        )
        label = f"{day:%Y-%m-%d}: {shown}"
        bars.append(Bar(day, position * width + 1, CHART_HEIGHT - height, height, label))
    return bars, ("cost" if use_cost else "tokens")

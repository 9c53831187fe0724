"""Monthly budgets: what a user or a team may spend, checked before a run is sent.

Spending is the sum of the runs' recorded cost since the first of the month (UTC), read
from the database, so that it holds across several worker processes. A user's budget
counts every run of theirs; a team's counts the runs of the team's presets. Runs whose
price is unknown add nothing (their cost is unknown, not 0). At 80 % a run is sent with a
warning; at 100 % it is refused before anything is sent.
"""

import datetime
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from channels.db import database_sync_to_async
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from playground.runs.models import Budget, Run

WARN_AT = Decimal("0.8")
# Which users and teams have a budget, as this process last read it: a run of anyone else
# costs no query. A budget set in another worker applies here within this many seconds.
BUDGET_OWNERS_SECONDS = 5.0

_owners: tuple[float, frozenset[int], frozenset[int]] | None = None


@dataclass(frozen=True)
class BudgetState:
    """The verdict for a run: refused (why), or sent with warnings (maybe none)."""

    refusal: str = ""
    warnings: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Spending:
    budget: Budget
    spent: Decimal
    resets: datetime.datetime

    @property
    def share(self) -> Decimal:
        if self.budget.monthly_usd <= 0:
            return Decimal(1) if self.budget.monthly_usd == 0 else Decimal(0)
        return self.spent / self.budget.monthly_usd

    @property
    def percent(self) -> int:
        return int(self.share * 100)


def month_start(now: datetime.datetime | None = None) -> datetime.datetime:
    now = (now or timezone.now()).astimezone(datetime.UTC)
    return datetime.datetime(now.year, now.month, 1, tzinfo=datetime.UTC)


def next_month_start(now: datetime.datetime | None = None) -> datetime.datetime:
    return (month_start(now) + datetime.timedelta(days=32)).replace(day=1)


def budget_spending(budget: Budget, now: datetime.datetime | None = None) -> Spending:
    """What the budget's user or team spent this month, and when it resets."""
    runs = Run.objects.filter(created_at__gte=month_start(now))
    if budget.team_id is not None:
        runs = runs.filter(team_id=budget.team_id)
    else:
        runs = runs.filter(user_id=budget.user_id or 0)
    spent = runs.aggregate(spent=Sum("cost_usd"))["spent"] or Decimal(0)
    return Spending(budget, spent, next_month_start(now))


def forget_budget_owners() -> None:
    """This process reads who has a budget again at the next check (a budget changed)."""
    global _owners
    _owners = None


def _may_have_budget(user_id: Any, team_id: Any) -> bool:
    global _owners
    if _owners is None or time.monotonic() - _owners[0] > BUDGET_OWNERS_SECONDS:
        rows = list(Budget.objects.values_list("user_id", "team_id"))
        _owners = (
            time.monotonic(),
            frozenset(user for user, _ in rows if user is not None),
            frozenset(team for _, team in rows if team is not None),
        )
    return user_id in _owners[1] or (team_id is not None and team_id in _owners[2])


def budget_check(*, user: Any, team_id: Any = None) -> BudgetState:
    """May this user run now (a run of team ``team_id``'s preset, if any)?"""
    user_id = getattr(user, "pk", None)
    if user_id is None or not _may_have_budget(user_id, team_id):
        return BudgetState()
    condition = Q(user_id=user_id)
    if team_id is not None:
        condition |= Q(team_id=team_id)
    warnings = []
    for budget in Budget.objects.filter(condition).select_related("team"):
        spending = budget_spending(budget)
        if spending.share >= 1:
            return BudgetState(refusal=budget_refusal(spending))
        if spending.share >= WARN_AT:
            warnings.append(budget_warning(spending))
    return BudgetState(warnings=tuple(warnings))


budget_check_async = database_sync_to_async(budget_check)


def _whose(budget: Budget) -> str:
    return f"The team {budget.team.name}'s" if budget.team_id and budget.team else "Your"


def budget_refusal(spending: Spending) -> str:
    budget = spending.budget
    return (
        f"{_whose(budget)} monthly budget of ${budget.monthly_usd:.2f} is spent: "
        f"${spending.spent:.2f} used this month. The run was not sent. The budget resets on "
        f"{spending.resets:%Y-%m-%d} 00:00 UTC; an admin"
        f"{' or a team owner' if budget.team_id else ''} can raise it."
    )


def budget_warning(spending: Spending) -> str:
    budget = spending.budget
    return (
        f"{spending.percent} % of {_whose(budget).lower()} monthly budget is used "
        f"(${spending.spent:.2f} of ${budget.monthly_usd:.2f}; it resets on "
        f"{spending.resets:%Y-%m-%d})."
    )


MAX_BUDGET_USD = Decimal(1_000_000_000)
AMOUNT_RULE = (
    "must be an amount in USD of 0 or more, such as 50 or 12.50 "
    f"(at most {MAX_BUDGET_USD:,}); leave it empty to remove the budget"
)


class BudgetRefused(Exception):
    """The budget cannot be set so; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


def budget_amount(text: str) -> Decimal | None:
    """The amount typed, None for empty (no budget), or BudgetRefused naming monthly_usd."""
    text = text.strip().removeprefix("$").replace(",", "")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except ArithmeticError:
        raise BudgetRefused("monthly_usd", AMOUNT_RULE) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_BUDGET_USD:
        raise BudgetRefused("monthly_usd", AMOUNT_RULE)
    if amount != amount.quantize(Decimal("0.01")):
        raise BudgetRefused("monthly_usd", "must be in whole cents (at most 2 decimals)")
    return amount


def budget_targets(*, actor: Any) -> list[tuple[str, str]]:
    """Whose budget ``actor`` may set, as (target, label): admins any team and any user;
    team owners their teams."""
    from django.contrib.auth import get_user_model

    from playground.runs.selectors import is_admin
    from playground.teams.models import Membership, Role, Team

    if is_admin(actor):
        teams = [(f"team:{t.pk}", f"Team {t.name}") for t in Team.objects.all()]
        users = get_user_model().objects.filter(is_active=True).order_by("username")
        return teams + [(f"user:{u.pk}", f"User {u.get_username()}") for u in users]
    owned = Membership.objects.filter(user_id=actor.pk, role=Role.OWNER).select_related("team")
    return [(f"team:{m.team_id}", f"Team {m.team.name}") for m in owned]


def budget_set(*, actor: Any, target: str, monthly_usd: str) -> Budget | None:
    """Set (or, with an empty amount, remove) the monthly budget of ``target``."""
    if target not in dict(budget_targets(actor=actor)):
        raise BudgetRefused("target", "is not a team or user whose budget you may set")
    amount = budget_amount(monthly_usd)
    kind, _, number = target.partition(":")
    owner = Q(team_id=int(number)) if kind == "team" else Q(user_id=int(number))
    forget_budget_owners()
    with transaction.atomic():
        # One budget per team or user: the row is replaced, under a lock, never doubled.
        current = Budget.objects.select_for_update().filter(owner).first()
        if amount is None:
            if current is not None:
                current.delete()
            return None
        budget = current or Budget(
            team_id=int(number) if kind == "team" else None,
            user_id=int(number) if kind == "user" else None,
        )
        budget.monthly_usd, budget.set_by = amount, actor
        budget.save()
    return budget


def budgets_visible(*, user: Any) -> list[Spending]:
    """The budgets the user may see with this month's spending: their own, their teams',
    and (admins) all."""
    from playground.runs.selectors import is_admin
    from playground.teams.models import Membership

    budgets = Budget.objects.select_related("team", "user", "set_by")
    if not is_admin(user):
        teams = Membership.objects.filter(user_id=user.pk).values("team_id")
        budgets = budgets.filter(Q(user_id=user.pk) | Q(team_id__in=teams))
    return [budget_spending(budget) for budget in budgets.order_by("team__name", "user__username")]

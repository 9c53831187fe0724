"""Monthly budgets: what applies to a run, what was spent, and whether the run may start.

A run is checked against the budget of the user who runs it and, when it runs a team preset,
the budget of that team. Spending is summed from the recorded runs (``Run.cost_usd``) of the
current calendar month in UTC, so several worker processes agree without sharing counters:
the user's budget counts every run of theirs (in any team or none), the team's counts every
run of its presets (by any member). A run of unknown cost (no price) adds nothing.

At 100 % a run is refused before anything is sent; at 80 % it runs with a warning. A budget
of 0 refuses every run. Owners of a team set its budget; admins (staff) set any team's and
any user's (budget_set below); a user's budget is theirs in every team, so no team owner
sets it.
"""

import datetime
import time
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from channels.db import database_sync_to_async
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext, gettext_lazy

from playground.runs.models import Budget, Run
from playground.runs.selectors import is_admin
from playground.teams.models import Membership, Role, Team

WARN_AT = Decimal("0.8")
CENT = Decimal("0.01")
# Budget.monthly_usd: 12 digits, 2 of them after the point.
MAX_MONTHLY_USD = Decimal("9999999999.99")
FIELD = "monthly_usd"
FIELD_LABEL = gettext_lazy("Monthly budget (USD)")


@dataclass(frozen=True)
class BudgetUse:
    """One budget and this month's spending against it."""

    budget: Budget
    spent: Decimal  # USD this month, runs of unknown cost not counted
    resets_at: datetime.datetime  # the next month's first instant, UTC

    @property
    def limit(self) -> Decimal:
        return self.budget.monthly_usd

    @property
    def percent(self) -> int:
        """Whole percent used, rounded down (a budget of 0 is always 100 % used)."""
        if self.limit <= 0:
            return 100
        return int((self.spent * 100 / self.limit).to_integral_value(rounding=ROUND_DOWN))

    @property
    def spent_up(self) -> bool:
        return self.spent >= self.limit

    @property
    def nearly_spent(self) -> bool:
        return self.spent >= self.limit * WARN_AT

    def _figures(self) -> dict[str, Any]:
        return {
            "team": self.budget.team.name if self.budget.team is not None else "",
            "limit": dollars(self.limit),
            "spent": dollars(self.spent),
            "resets": f"{self.resets_at:%Y-%m-%d %H:%M}",
            "percent": self.percent,
        }

    def refusal(self) -> str:
        """Why a run is refused (whole sentences per budget: a team's or the user's own)."""
        if self.budget.team is not None:
            message = gettext(
                "The team %(team)s monthly budget of %(limit)s is spent: %(spent)s used this "
                "month (resets %(resets)s UTC). Ask an admin or an owner of the team to raise it."
            )
        else:
            message = gettext(
                "Your monthly budget of %(limit)s is spent: %(spent)s used this month "
                "(resets %(resets)s UTC). Ask an admin to raise it."
            )
        return message % self._figures()

    def warning(self) -> str:
        if self.budget.team is not None:
            message = gettext(
                "%(percent)s %% of the team %(team)s monthly budget used (%(spent)s of %(limit)s)"
            )
        else:
            message = gettext("%(percent)s %% of your monthly budget used (%(spent)s of %(limit)s)")
        return message % self._figures()


@dataclass(frozen=True)
class BudgetState:
    """The budgets that apply to a run: refused (a message) or warnings, or neither."""

    uses: tuple[BudgetUse, ...] = ()
    refusal: str = ""  # why the run is refused; empty: it may run
    warnings: tuple[str, ...] = field(default=())


def dollars(amount: Decimal) -> str:
    """$5.12: cents, rounded down (a spend of $4.999 is not shown as its $5.00 budget)."""
    return f"${amount.quantize(CENT, rounding=ROUND_DOWN):,}"


def month_bounds(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of ``now``'s calendar month in UTC, and of the next month."""
    now = now.astimezone(datetime.UTC)
    start = datetime.datetime(now.year, now.month, 1, tzinfo=datetime.UTC)
    following = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start, following


def budget_check(
    *,
    user: AbstractBaseUser | None,
    team_id: int | None = None,
    now: datetime.datetime | None = None,
) -> BudgetState:
    """Whether a run of ``user`` (of a preset of ``team_id``, when given) may start.

    One indexed query when no budget applies; one more per budget that does.
    """
    user_id = user.pk if user is not None else None
    which = Q(pk__in=[])
    if user_id is not None:
        which |= Q(user_id=user_id)
    if team_id is not None:
        which |= Q(team_id=team_id)
    budgets = list(Budget.objects.filter(which).select_related("team"))
    if not budgets:
        return BudgetState()
    start, resets_at = month_bounds(now or datetime.datetime.now(datetime.UTC))
    # The user's own budget first: its message is the one shown when both are spent.
    budgets.sort(key=lambda budget: budget.user_id is None)
    uses = tuple(
        BudgetUse(budget=budget, spent=_spent(budget, start, resets_at), resets_at=resets_at)
        for budget in budgets
    )
    refusal = next((use.refusal() for use in uses if use.spent_up), "")
    warnings = () if refusal else tuple(use.warning() for use in uses if use.nearly_spent)
    return BudgetState(uses=uses, refusal=refusal, warnings=warnings)


async def budget_check_async(
    *, user: AbstractBaseUser | None, team_id: int | None = None
) -> BudgetState:
    """``budget_check`` for the run socket. A run that no budget applies to does not go to the
    database thread at all (which every run start shares: fifty starts at once would queue
    there, ~1.4 ms each): it is answered from this process's list of budget owners."""
    user_id = user.pk if user is not None else None
    if user_id is None and team_id is None:
        return BudgetState()  # no account row (a test's user): no budget can apply
    owners = _owners_if_fresh() or await database_sync_to_async(_owners_fetch)()
    if user_id not in owners.users and team_id not in owners.teams:
        return BudgetState()
    return await database_sync_to_async(budget_check)(user=user, team_id=team_id)


@dataclass(frozen=True)
class _Owners:
    """The ids of the users and teams that have a budget, as this process last read them."""

    users: frozenset[Any]
    teams: frozenset[Any]
    fetched_at: float
    generation: int


# Read again after OWNERS_CACHE_SECONDS, and at once when this process saves or deletes a
# budget: a budget set in another process applies in this one within those seconds.
OWNERS_CACHE_SECONDS = 5.0
_owners: _Owners | None = None
_generation = 0


def _owners_if_fresh() -> _Owners | None:
    owners = _owners
    if owners is None or owners.generation != _generation:
        return None
    if time.monotonic() - owners.fetched_at >= OWNERS_CACHE_SECONDS:
        return None
    return owners


def _owners_fetch() -> _Owners:
    global _owners
    fresh = _owners_if_fresh()
    if fresh is not None:  # another run start read them while this one waited
        return fresh
    generation = _generation
    rows = list(Budget.objects.values_list("user_id", "team_id"))
    owners = _Owners(
        users=frozenset(user for user, _ in rows if user is not None),
        teams=frozenset(team for _, team in rows if team is not None),
        fetched_at=time.monotonic(),
        generation=generation,
    )
    _owners = owners
    return owners


@receiver([post_save, post_delete], sender=Budget)
def _owners_forget(**kwargs: Any) -> None:
    global _generation
    _generation += 1


@dataclass(frozen=True)
class Spending:
    """A team's or user's spending this month, and their budget when they have one."""

    spent: Decimal
    resets_at: datetime.datetime
    use: BudgetUse | None  # None: no budget

    @property
    def spent_shown(self) -> str:
        return dollars(self.spent)

    @property
    def limit_shown(self) -> str:
        return dollars(self.use.limit) if self.use is not None else ""


def budget_summary(
    *, team: Team | None = None, user: Any = None, now: datetime.datetime | None = None
) -> Spending:
    """What the budget pages show beside the form: this month's spend and the percentage."""
    start, resets_at = month_bounds(now or datetime.datetime.now(datetime.UTC))
    if team is not None:
        budget = Budget.objects.filter(team=team).first()
    else:
        budget = Budget.objects.filter(user_id=user.pk).first()
    if budget is None:
        spent = _spent_by(
            team_id=team.pk if team is not None else None,
            user_id=user.pk if user is not None else None,
            start=start,
            end=resets_at,
        )
        return Spending(spent=spent, resets_at=resets_at, use=None)
    spent = _spent(budget, start, resets_at)
    return Spending(
        spent=spent,
        resets_at=resets_at,
        use=BudgetUse(budget=budget, spent=spent, resets_at=resets_at),
    )


def _spent(budget: Budget, start: datetime.datetime, end: datetime.datetime) -> Decimal:
    return _spent_by(team_id=budget.team_id, user_id=budget.user_id, start=start, end=end)


def _spent_by(
    *, team_id: Any, user_id: Any, start: datetime.datetime, end: datetime.datetime
) -> Decimal:
    runs = Run.objects.filter(created_at__gte=start, created_at__lt=end)
    if team_id is not None:
        runs = runs.filter(team_id=team_id)
    else:
        runs = runs.filter(user_id=user_id)
    # SUM skips NULL: a run of unknown cost adds nothing.
    total = runs.aggregate(total=Sum("cost_usd"))["total"]
    return Decimal(total or 0).quantize(Decimal("0.00000001"))


class BudgetInputInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def monthly_usd_clean(value: Any) -> Decimal | None:
    """The amount typed in the form: None for empty (no budget), else cents >= 0."""
    if value is not None and not isinstance(value, str):
        raise BudgetInputInvalid(
            {FIELD: gettext("%(field)s must be text.") % {"field": FIELD_LABEL}}
        )
    text = (value or "").strip()
    if not text:
        return None
    problem = gettext(
        "%(field)s must be a number of dollars from 0 to %(limit)s with at most 2 decimals, "
        "like 25 or 12.50 (empty removes the budget)."
    ) % {"field": FIELD_LABEL, "limit": f"{MAX_MONTHLY_USD:,}"}
    # ASCII only: Decimal also reads other scripts' digits, which no one types as an amount.
    if len(text) > 40 or not text.isascii():
        raise BudgetInputInvalid({FIELD: problem})
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise BudgetInputInvalid({FIELD: problem}) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_MONTHLY_USD:
        raise BudgetInputInvalid({FIELD: problem})
    if amount != amount.quantize(CENT):
        raise BudgetInputInvalid({FIELD: problem})
    return amount.quantize(CENT) + 0  # + 0 turns -0 into 0


def may_set_team_budget(*, actor: AbstractBaseUser | Any, team: Team) -> bool:
    """Admins set any team's budget; owners set their team's."""
    if is_admin(actor):
        return True
    return Membership.objects.filter(team=team, user_id=actor.pk, role=Role.OWNER).exists()


def budget_set(
    *,
    actor: AbstractBaseUser | Any,
    monthly_usd: Any,
    team: Team | None = None,
    user: AbstractBaseUser | None = None,
) -> Budget | None:
    """Set (or, for an empty amount, remove) the monthly budget of ``team`` or ``user``.

    PermissionDenied unless the actor may: admins for any team or user, owners for their team.
    """
    _require_may_set(actor=actor, team=team, user=user)
    amount = monthly_usd_clean(monthly_usd)
    if amount is None:
        budget_remove(actor=actor, team=team, user=user)
        return None
    target = {"team": team} if team is not None else {"user": user}
    budget, _ = Budget.objects.update_or_create(
        **target, defaults={"monthly_usd": amount, "set_by_id": actor.pk}
    )
    return budget


def budget_remove(
    *, actor: AbstractBaseUser | Any, team: Team | None = None, user: AbstractBaseUser | None = None
) -> None:
    """Remove the budget of ``team`` or ``user`` (nothing when there is none)."""
    _require_may_set(actor=actor, team=team, user=user)
    if team is not None:
        Budget.objects.filter(team=team).delete()
    elif user is not None:
        Budget.objects.filter(user_id=user.pk).delete()


def _require_may_set(
    *, actor: AbstractBaseUser | Any, team: Team | None, user: AbstractBaseUser | None
) -> None:
    if (team is None) == (user is None):
        raise ValueError("A budget is a team's or a user's: give exactly one.")
    if team is not None:
        if not may_set_team_budget(actor=actor, team=team):
            raise PermissionDenied(gettext("Only admins and the team's owners set its budget."))
    elif not is_admin(actor):
        raise PermissionDenied(gettext("Only admins set a user's budget."))

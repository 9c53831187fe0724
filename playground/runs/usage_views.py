"""Thin views: the usage page, its CSV, and the price table."""

import csv
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from playground.runs import usage
from playground.runs.models import Price
from playground.runs.price_forms import PriceForm
from playground.runs.selectors import is_admin


def _month(request: HttpRequest) -> tuple[datetime.date, str]:
    """The month asked for (``?month=YYYY-MM``), or this one with a note saying why."""
    today = timezone.now().date().replace(day=1)
    text = request.GET.get("month", "")
    if not text:
        return today, ""
    try:
        month = datetime.datetime.strptime(text[:7], "%Y-%m").date()
    except ValueError:
        return today, _bad_month()
    if len(text) != 7 or not 2000 <= month.year <= 2999:
        return today, _bad_month()
    return month, ""


def _bad_month() -> str:
    # Translators: "month" is the address's parameter (?month=), kept as it is written.
    return _("month: must be a year and month such as 2026-12; showing this month.")


def _scope(request: HttpRequest) -> usage.Scope:
    try:
        return usage.usage_scope(user=request.user, key=request.GET.get("scope", ""))
    except usage.UsageScopeRefused:
        raise Http404("No usage you may see has this scope.") from None


@require_GET
@login_required
def usage_page(request: HttpRequest) -> HttpResponse:
    month, problem = _month(request)
    scope = _scope(request)
    start, end = usage.month_bounds(month)
    runs = scope.runs.filter(created_at__gte=start, created_at__lt=end)
    days = usage.usage_rows(runs, "day")
    bars, measure = usage.daily_bars(days, start.date(), end.date())
    previous = (start - datetime.timedelta(days=1)).date()
    context = {
        "month": month,
        "previous_month": f"{previous:%Y-%m}",
        "next_month": f"{end:%Y-%m}",
        "problem": problem,
        "scope": scope,
        "scopes": usage.usage_scopes(user=request.user),
        "totals": usage.usage_totals(runs),
        "days": days,
        "bars": bars,
        "measure": measure,
        "chart_width": usage.CHART_WIDTH,
        "chart_height": usage.CHART_HEIGHT,
        "by_model": usage.usage_rows(runs, "provider", "model"),
        "by_provider": usage.usage_rows(runs, "provider"),
        "by_team": usage.usage_rows(runs.exclude(team=None), "team__name"),
        "by_user": usage.usage_rows(runs, "user__username") if scope.shows_users else None,
    }
    return render(request, "runs/usage.html", context)


CSV_COLUMNS = [
    "day",
    "user",
    "team",
    "provider",
    "model",
    "runs",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "cost_usd",
    "unpriced_runs",
]


def csv_cell(value: object) -> str:
    """A cell no spreadsheet runs as a formula (names are user text: "=HYPERLINK(…)")."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


@require_GET
@login_required
def usage_csv(request: HttpRequest) -> HttpResponse:
    """One line per day, user, team, provider and model of the month and scope."""
    month, _ = _month(request)
    scope = _scope(request)
    start, end = usage.month_bounds(month)
    runs = scope.runs.filter(created_at__gte=start, created_at__lt=end)
    rows = usage.usage_rows(runs, "day", "user__username", "team__name", "provider", "model")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="usage-{month:%Y-%m}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in sorted(rows, key=lambda r: (r["day"], str(r["user__username"]), r["model"])):
        user = row["user__username"] if scope.shows_users or scope.key == "mine" else ""
        writer.writerow(
            csv_cell(value)
            for value in (
                row["day"],
                user,
                row["team__name"],
                row["provider"],
                row["model"],
                row["runs"],
                row["prompt"],
                row["completion"],
                row["tokens"],
                # Fixed to the column's 8 decimals: SQLite's sums carry float noise beyond.
                None if row["cost"] is None else f"{row['cost']:.8f}",
                row["unpriced_runs"],
            )
        )
    return response


@require_GET
@login_required
def price_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "runs/prices.html",
        {"prices": Price.objects.all(), "can_edit": is_admin(request.user), "form": PriceForm()},
    )


def _stored_price(price_id: int) -> Price:
    price = Price.objects.filter(pk=price_id).first()
    if price is None:
        raise Http404("No price has this id.")  # shown on the 404 page
    return price


def _admin_only(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
@login_required
def price_edit(request: HttpRequest, price_id: int | None = None) -> HttpResponse:
    """Add a price (no id) or change one; staff only."""
    _admin_only(request)
    price = _stored_price(price_id) if price_id is not None else None
    form = PriceForm(request.POST or None, instance=price)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.updated_by = request.user
        saved.save()
        messages.success(
            request,
            _("Saved the price of %(provider)s %(model)s.")
            % {"provider": saved.provider, "model": saved.model},
        )
        return redirect("prices")
    return render(request, "runs/price_form.html", {"form": form, "price": price})


@require_POST
@login_required
def price_delete(request: HttpRequest, price_id: int) -> HttpResponse:
    _admin_only(request)
    price = _stored_price(price_id)
    price.delete()
    messages.success(
        request,
        _("Deleted the price of %(provider)s %(model)s: its runs now cost unknown.")
        % {"provider": price.provider, "model": price.model},
    )
    return redirect("prices")

"""Thin views: the budgets page (see, and for admins and team owners, set)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from playground.runs import budgets


@require_http_methods(["GET", "POST"])
@login_required
def budget_page(request: HttpRequest) -> HttpResponse:
    problem, status = "", 200
    if request.method == "POST":
        try:
            budget = budgets.budget_set(
                actor=request.user,
                target=request.POST.get("target", ""),
                monthly_usd=request.POST.get("monthly_usd", ""),
            )
        except budgets.BudgetRefused as refused:
            problem, status = str(refused), 400
        else:
            messages.success(
                request,
                "Budget removed."
                if budget is None
                else f"Budget set: ${budget.monthly_usd} a month.",
            )
            return redirect("budgets")
    context = {
        "spendings": budgets.budgets_visible(user=request.user),
        "targets": budgets.budget_targets(actor=request.user),
        "problem": problem,
        "posted": request.POST,
        "resets": budgets.next_month_start(),
    }
    return render(request, "runs/budgets.html", context, status=status)

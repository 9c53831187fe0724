from django.urls import path

from playground import row_ids  # noqa: F401 (registers the <dbint:…> converter)
from playground.runs import budget_views

urlpatterns = [
    path("", budget_views.budget_list, name="budget-list"),
    path("team/<dbint:team_id>/", budget_views.team_budget_set, name="budget-team-set"),
    path("user/", budget_views.user_budget_set, name="budget-user-set"),
]

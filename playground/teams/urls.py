from django.urls import path

from playground import row_ids  # noqa: F401 (registers the <dbint:…> converter)
from playground.teams import views

urlpatterns = [
    path("", views.team_list, name="team-list"),
    path("<dbint:team_id>/", views.team_detail, name="team-detail"),
    path("<dbint:team_id>/members/", views.member_add, name="team-member-add"),
    path("<dbint:team_id>/accounts/", views.account_create, name="team-account-create"),
    path(
        "<dbint:team_id>/members/<dbint:user_id>/role/",
        views.member_set_role,
        name="team-member-role",
    ),
    path(
        "<dbint:team_id>/members/<dbint:user_id>/remove/",
        views.member_remove,
        name="team-member-remove",
    ),
]

from django.urls import path

from playground.teams import views

urlpatterns = [
    path("", views.team_list, name="team-list"),
    path("<int:team_id>/", views.team_detail, name="team-detail"),
    path("<int:team_id>/members/", views.member_add, name="team-member-add"),
    path("<int:team_id>/accounts/", views.account_create, name="team-account-create"),
    path(
        "<int:team_id>/members/<int:user_id>/role/", views.member_set_role, name="team-member-role"
    ),
    path(
        "<int:team_id>/members/<int:user_id>/remove/",
        views.member_remove,
        name="team-member-remove",
    ),
]

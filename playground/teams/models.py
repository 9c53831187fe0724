"""Teams and memberships: a user can be in several teams, with one role in each."""

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    # Ordered from most to least power; see ROLE_RANK.
    OWNER = "owner", pgettext_lazy("team role", "Owner")
    EDITOR = "editor", pgettext_lazy("team role", "Editor")
    VIEWER = "viewer", pgettext_lazy("team role", "Viewer")


ROLE_RANK = {Role.OWNER: 3, Role.EDITOR: 2, Role.VIEWER: 1}


class Team(models.Model):
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        ordering = ["team", "user"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_unique_team_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"

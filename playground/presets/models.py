"""Presets: a named request JSON with immutable, numbered versions, shared with a team or a link."""

import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# How long a deleted preset stays in the trash before `purge_trash` removes it for good.
TRASH_RETENTION = timedelta(days=30)


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Private (only me)")
    TEAM = "team", _("Team")
    LINK = "link", _("Team and read-only link")


def new_link_token() -> str:
    # 32 random bytes: the link is the secret, so it must not be guessable.
    return secrets.token_urlsafe(32)


class Preset(models.Model):
    """A saved request; its content lives in its versions."""

    # UUID primary key so that no preset can be reached by guessing an id.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presets"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Normalised, comma-separated ("eval, support"): searchable with one icontains on any database.
    tags = models.CharField(max_length=500, blank=True)
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="presets"
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    link_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    link_allows_anonymous = models.BooleanField(
        default=False, help_text="Anyone with the link may open it, even signed out."
    )
    forked_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="forks"
    )
    forked_from_version = models.PositiveIntegerField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Counts the changes to the preset itself (name, sharing, team, trash; not its versions,
    # which have their own numbers). A form carries the revision it was loaded at, so that
    # a change made from a page that is out of date is refused instead of undoing another.
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name", "created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def restorable_until(self) -> "datetime | None":
        """In the trash: when `purge_trash` may remove it for good."""
        return self.deleted_at + TRASH_RETENTION if self.deleted_at else None

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(", ") if tag]


class PresetVersion(models.Model):
    """One immutable saved state of a preset: who, when, why, and the request JSON."""

    preset = models.ForeignKey(Preset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    request = models.JSONField()
    message = models.CharField(max_length=500, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["preset", "number"]
        # The database itself guarantees that two saves never share a number.
        constraints = [
            models.UniqueConstraint(
                fields=["preset", "number"], name="preset_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.preset_id} v{self.number}"


class PresetMove(models.Model):
    """A preset moved from one team to another: who, when, from where, to where.

    A move changes who sees the preset, not what it sends, so it is no version; this
    row is its record. Team names are copied because a team may be deleted later.
    """

    preset = models.ForeignKey(Preset, on_delete=models.CASCADE, related_name="moves")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_team_name = models.CharField(max_length=200, blank=True)
    to_team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_team_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["preset", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.preset_id}: {self.from_team_name or '-'} -> {self.to_team_name or '-'}"


class PresetLinkVisit(models.Model):
    """A signed-in user opened someone's preset through its read-only link.

    It lists the preset under "Shared with me"; it grants nothing by itself. The token
    seen is kept so that the list lists the preset only while that same link still works
    (a new link or unsharing changes or clears ``Preset.link_token``) and can link to it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preset_link_visits"
    )
    preset = models.ForeignKey(Preset, on_delete=models.CASCADE, related_name="link_visits")
    link_token = models.CharField(max_length=64)
    first_opened = models.DateTimeField(default=timezone.now)
    last_opened = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user", "-last_opened"]
        constraints = [
            models.UniqueConstraint(fields=["user", "preset"], name="preset_link_visit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} opened {self.preset_id}"

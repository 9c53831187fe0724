"""The run record, the price table and the budgets.

A run is written once, when it ends (see services.run_record): never per token. Its
``request`` is the request object exactly as sent (no key ever is in it: keys live with
the provider); its text fields are emptied by retention or a user's "do not keep my
prompts and replies", while its usage and cost stay for the usage page.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    FINISHED = "finished", _("Finished")
    STOPPED = "stopped", _("Stopped")
    FAILED = "failed", _("Failed")
    REFUSED = "refused", _("Refused")


class Source(models.TextChoices):
    PAGE = "page", _("Playground page")
    PRESET = "preset", _("Preset")
    TERMINAL = "terminal", _("Terminal")
    EVALUATION = "evaluation", _("Evaluation")


class Run(models.Model):
    # A UUID, like presets': a run's address does not tell how many runs there are.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(db_index=True, help_text="When the run started.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="runs"
    )
    # The team of the preset it ran, when a team preset: the team's members see the run.
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    preset = models.ForeignKey(
        "presets.Preset", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    preset_version = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.PAGE)
    provider = models.CharField(max_length=200)
    model = models.CharField(max_length=200, blank=True)
    mode = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices)
    error = models.TextField(blank=True)
    # The request object as sent ({"mode", "provider", "body", "variables"}); null once its
    # text is deleted.
    request = models.JSONField(null=True, blank=True)
    # {"candidates": [{"index", "text", "finish_reason", "tool_calls": [...]}, ...],
    #  "logprobs": …, "embeddings": …, "moderations": …}; null once its text is deleted.
    output = models.JSONField(null=True, blank=True)
    # The raw inspector's chunks, up to services.RAW_KEEP_CHARS; empty once deleted.
    raw = models.JSONField(null=True, blank=True)
    # The prompt and reply texts as one searchable text (see search.py); empty once deleted.
    search_text = models.TextField(blank=True)
    text_deleted_at = models.DateTimeField(null=True, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    total_tokens = models.PositiveIntegerField(null=True, blank=True)
    cached_tokens = models.PositiveIntegerField(null=True, blank=True)
    reasoning_tokens = models.PositiveIntegerField(null=True, blank=True)
    # The counts were made here (the provider reported none, or the run was stopped).
    usage_estimated = models.BooleanField(default=False)
    first_token_ms = models.PositiveIntegerField(null=True, blank=True)
    total_ms = models.PositiveIntegerField(default=0)
    tokens_per_second = models.FloatField(null=True, blank=True)
    # The provider's x-ratelimit-* (and other shown) response headers.
    rate_limit = models.JSONField(default=dict, blank=True)
    # Null when the price of the model is unknown: never 0 for "unknown".
    cost_usd = models.DecimalField(max_digits=14, decimal_places=8, null=True, blank=True)
    starred = models.BooleanField(default=False)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="run_user_created"),
            models.Index(fields=["team", "-created_at"], name="run_team_created"),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.status} {self.created_at:%Y-%m-%d %H:%M}"


class Price(models.Model):
    """What a provider charges for a model, in USD per million tokens."""

    provider = models.CharField(max_length=200)
    model = models.CharField(max_length=200)
    input_per_million = models.DecimalField(max_digits=12, decimal_places=6)
    output_per_million = models.DecimalField(max_digits=12, decimal_places=6)
    # Null: cached input costs the same as input.
    cached_input_per_million = models.DecimalField(
        max_digits=12, decimal_places=6, null=True, blank=True
    )
    priced_on = models.DateField(help_text="When the price was taken from the provider.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider", "model"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "model"], name="price_unique_model"),
            models.CheckConstraint(
                condition=models.Q(input_per_million__gte=0)
                & models.Q(output_per_million__gte=0)
                & (
                    models.Q(cached_input_per_million__isnull=True)
                    | models.Q(cached_input_per_million__gte=0)
                ),
                name="price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.model}"


class Budget(models.Model):
    """A monthly spending cap in USD, for one team or one user (exactly one of the two)."""

    team = models.OneToOneField(
        "teams.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="budget"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="budget",
    )
    monthly_usd = models.DecimalField(max_digits=12, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team__isnull=True, user__isnull=False)
                | models.Q(team__isnull=False, user__isnull=True),
                name="budget_team_or_user",
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_usd__gte=0), name="budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team or self.user}: {self.monthly_usd} USD a month"


class RunKeeping(models.Model):
    """A user's choice about their runs' text: kept (the default), or only the metadata."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="run_keeping"
    )
    keep_text = models.BooleanField(
        default=True,
        help_text="Off: runs keep only their metadata, usage and cost, not prompts and replies.",
    )

    def __str__(self) -> str:
        return f"{self.user}: {'keeps' if self.keep_text else 'does not keep'} run text"


class RetentionSweep(models.Model):
    """When retention last deleted old runs' text: one row, so that the workers sweep
    once a day between them (see retention.py)."""

    last_swept_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"last swept {self.last_swept_at:%Y-%m-%d %H:%M}"

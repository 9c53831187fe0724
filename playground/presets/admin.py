"""Presets in the Django admin: read the history; versions are immutable, so never edited here."""

from django.contrib import admin
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest

from playground.presets.models import Preset, PresetMove, PresetVersion
from playground.presets.services import record_team_change
from playground.teams.models import Team


class PresetVersionInline(admin.TabularInline):
    model = PresetVersion
    extra = 0
    can_delete = False
    readonly_fields = ("number", "author", "created_at", "message", "request")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: Preset | None = None) -> bool:
        return False


class PresetMoveInline(admin.TabularInline):
    """The record of team moves; written only by presets.services."""

    model = PresetMove
    fk_name = "preset"
    extra = 0
    can_delete = False
    readonly_fields = ("created_at", "actor", "from_team_name", "to_team_name")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: Preset | None = None) -> bool:
        return False


@admin.register(Preset)
class PresetAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "team", "visibility", "deleted_at", "created_at"]
    list_filter = ["visibility", "team"]
    search_fields = ["name", "description", "tags"]
    readonly_fields = ["link_token", "forked_from", "forked_from_version", "created_at", "revision"]
    inlines = [PresetVersionInline, PresetMoveInline]

    def save_model(self, request: HttpRequest, obj: Preset, form: ModelForm, change: bool) -> None:
        if change:
            # A change here is a change like any other: pages opened before it are stale.
            obj.revision += 1
        # A team changed here is a move like any other: recorded, with who made it.
        if change and "team" in form.changed_data and request.user.is_authenticated:
            # The team before this edit: the form has already put the new one on ``obj``.
            from_id = form.initial.get("team")
            from_team = None if from_id is None else Team.objects.filter(pk=from_id).first()
            with transaction.atomic():
                record_team_change(actor=request.user, preset=obj, from_team=from_team)
                super().save_model(request, obj, form, change)
        else:
            super().save_model(request, obj, form, change)

"""Presets in the Django admin: read the history; versions are immutable, so never edited here."""

from django.contrib import admin
from django.db import transaction

from playground.presets.models import Preset, PresetMove, PresetVersion
from playground.presets.services import record_team_change


class PresetVersionInline(admin.TabularInline):
    model = PresetVersion
    extra = 0
    can_delete = False
    fields = ["number", "author", "created_at", "message", "request"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class PresetMoveInline(admin.TabularInline):
    """The record of team moves; written only by presets.services."""

    model = PresetMove
    fk_name = "preset"
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "from_team_name", "to_team_name"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Preset)
class PresetAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "team", "visibility", "deleted_at", "created_at"]
    list_filter = ["visibility", "team"]
    search_fields = ["name", "description", "tags"]
    readonly_fields = ["link_token", "forked_from", "forked_from_version", "created_at"]
    inlines = [PresetVersionInline, PresetMoveInline]

    def save_model(self, request, obj, form, change) -> None:
        # A team changed here is a move like any other: recorded, with who made it.
        if change and "team" in form.changed_data:
            with transaction.atomic():
                record_team_change(actor=request.user, preset=obj, from_team=form.initial_team)
                super().save_model(request, obj, form, change)
        else:
            super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # The team before this edit (the form's instance is changed before save_model).
        form.initial_team = obj.team if obj else None
        return form

from django.contrib import admin

from playground.preferences.models import UserPreference


@admin.register(UserPreference)
class UserPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "language", "theme", "last_provider", "last_model", "last_mode")
    search_fields = ("user__username",)

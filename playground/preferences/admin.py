from django.contrib import admin

from playground.preferences.models import UserPreference


@admin.register(UserPreference)
class UserPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "language", "theme")
    search_fields = ("user__username",)

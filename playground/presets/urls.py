from django.urls import path

from playground import row_ids  # noqa: F401 (registers the <dbint:…> converter)
from playground.presets import views

urlpatterns = [
    path("", views.preset_list, name="preset-list"),
    path("new/", views.preset_create_from_page, name="preset-create"),
    path("import/", views.presets_import, name="preset-import"),
    path("export/", views.presets_export, name="preset-export-many"),
    path("trash/", views.preset_trash, name="preset-trash"),
    path("<uuid:preset_id>/", views.preset_detail, name="preset-detail"),
    path("<uuid:preset_id>/diff/", views.preset_diff, name="preset-diff"),
    path("<uuid:preset_id>/open/", views.preset_open, name="preset-open"),
    path("<uuid:preset_id>/save/", views.preset_save_from_page, name="preset-save"),
    path("<uuid:preset_id>/fork-edits/", views.preset_fork_from_page, name="preset-fork-edits"),
    path("<uuid:preset_id>/rename/", views.preset_rename, name="preset-rename"),
    path("<uuid:preset_id>/share/", views.preset_share, name="preset-share"),
    path("<uuid:preset_id>/fork/", views.preset_fork, name="preset-fork"),
    path("<uuid:preset_id>/delete/", views.preset_delete, name="preset-delete"),
    path("<uuid:preset_id>/restore/", views.preset_restore, name="preset-restore"),
    path(
        "<uuid:preset_id>/versions/<dbint:number>/restore/",
        views.preset_restore_version,
        name="preset-restore-version",
    ),
    path("<uuid:preset_id>/export/", views.preset_export, name="preset-export"),
]

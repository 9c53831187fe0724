from django.urls import path

from playground.evals import views

dataset_urls = [
    path("", views.dataset_list, name="dataset-list"),
    path("<uuid:dataset_id>/", views.dataset_detail, name="dataset-detail"),
    path("<uuid:dataset_id>/dataset.csv", views.dataset_download, name="dataset-download"),
    path("<uuid:dataset_id>/delete/", views.dataset_delete, name="dataset-delete"),
    path("from-run/<uuid:run_id>/", views.dataset_add_run, name="dataset-add-run"),
]

evaluation_urls = [
    path("", views.evaluation_list, name="evaluation-list"),
    path("from-playground/", views.evaluation_from_playground, name="evaluation-from-playground"),
    path("from-compare/", views.evaluation_from_compare, name="evaluation-from-compare"),
    path("<uuid:evaluation_id>/", views.evaluation_detail, name="evaluation-detail"),
    path("<uuid:evaluation_id>/cancel/", views.evaluation_cancel, name="evaluation-cancel"),
    path("<uuid:evaluation_id>/rerun/", views.evaluation_rerun, name="evaluation-rerun"),
    path(
        "<uuid:evaluation_id>/grid.<str:file_format>",
        views.evaluation_export,
        name="evaluation-export",
    ),
    path(
        "<uuid:evaluation_id>/compare/<uuid:other_id>/",
        views.evaluation_compare,
        name="evaluation-compare",
    ),
]

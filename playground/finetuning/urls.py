from django.urls import path

from playground.finetuning import views

urlpatterns = [
    path("", views.fine_tuning_page, name="fine-tuning"),
    path("files/", views.training_file_upload_view, name="fine-tuning-file-upload"),
    path(
        "files/<str:file_id>/delete/",
        views.training_file_delete_view,
        name="fine-tuning-file-delete",
    ),
    path("jobs/", views.job_start_view, name="fine-tuning-job-start"),
    path("jobs/<uuid:job_id>/", views.job_view, name="fine-tuning-job"),
    path(
        "follow/<str:provider>/<str:upstream_id>/", views.job_track_view, name="fine-tuning-track"
    ),
    path("jobs/<uuid:job_id>/status/", views.job_status_view, name="fine-tuning-job-status"),
    path("jobs/<uuid:job_id>/cancel/", views.job_cancel_view, name="fine-tuning-job-cancel"),
]

from django.urls import path

from playground.runs import views

urlpatterns = [
    path("", views.history_list, name="history"),
    path("<uuid:run_id>/", views.run_detail, name="run-detail"),
    path("<uuid:run_id>/star/", views.run_star, name="run-star"),
    path("<uuid:run_id>/note/", views.run_note, name="run-note"),
    path("<uuid:run_id>/delete/", views.run_delete, name="run-delete"),
    path("<uuid:run_id>/save-preset/", views.run_save_preset, name="run-save-preset"),
]

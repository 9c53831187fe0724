from django.urls import path

from playground.export import views

urlpatterns = [
    path("panel/", views.export_panel, name="export-panel"),
    path("<str:lang>", views.export_snippet, name="export-snippet"),
]

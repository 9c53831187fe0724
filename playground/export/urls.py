from django.urls import path

from playground.export import views

urlpatterns = [
    path("<str:lang>", views.export_snippet, name="export-snippet"),
]

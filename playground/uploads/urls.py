from django.urls import path

from playground.uploads import views

urlpatterns = [
    path("", views.upload_create_view, name="upload-create"),
    path("<str:sha256>/", views.upload_file_view, name="upload-file"),
]

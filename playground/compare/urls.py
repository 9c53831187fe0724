from django.urls import path

from playground.compare import views

urlpatterns = [
    path("", views.compare_page, name="compare"),
    path("from-playground/", views.compare_from_playground, name="compare-from-playground"),
    path("save/", views.compare_save, name="compare-save"),
]

from django.urls import path

from playground.live import views

urlpatterns = [
    path("<uuid:run_id>/watch/", views.run_watch, name="run-watch"),
]

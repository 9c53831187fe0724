from django.urls import path

from playground.runs import views

urlpatterns = [
    path("", views.history_list, name="history"),
    path("<uuid:run_id>/", views.run_detail, name="run-detail"),
]

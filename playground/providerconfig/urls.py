from django.urls import path

from playground import row_ids  # noqa: F401 (registers the <dbint:…> converter)
from playground.providerconfig import views

urlpatterns = [
    path("", views.provider_list, name="provider-list"),
    path("add/", views.provider_create, name="provider-create"),
    path("<dbint:pk>/", views.provider_edit, name="provider-edit"),
    path("<dbint:pk>/delete/", views.provider_delete, name="provider-delete"),
    path("<dbint:pk>/test/", views.provider_test_connection, name="provider-test"),
    path(
        "environment/<str:name>/test/",
        views.env_provider_test_connection,
        name="env-provider-test",
    ),
    path(
        "<str:name>/refresh-models/", views.provider_refresh_models, name="provider-refresh-models"
    ),
]

from django.urls import path

from playground import row_ids  # noqa: F401 (registers the <dbint:…> converter)
from playground.runs import usage_views

urlpatterns = [
    path("", usage_views.usage_page, name="usage"),
    path("usage.csv", usage_views.usage_csv, name="usage-csv"),
    path("prices/", usage_views.price_list, name="prices"),
    path("prices/new/", usage_views.price_edit, name="price-new"),
    path("prices/<dbint:price_id>/", usage_views.price_edit, name="price-edit"),
    path("prices/<dbint:price_id>/delete/", usage_views.price_delete, name="price-delete"),
]

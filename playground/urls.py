from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from playground import error_pages, views
from playground.evals import urls as evals_urls
from playground.health import health_view
from playground.preferences.views import language_switch, theme_switch
from playground.runs.account_views import run_keeping_page

# The 404 page names what was not found and links back to its list (400, 403 and 500 are
# Django's handlers with the site's templates).
handler404 = error_pages.page_not_found

urlpatterns = [
    # Browsers (and tools) ask for /favicon.ico whatever the page links: not a 404 each time.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    # For load balancers and compose's health checks: no sign-in, no details (playground.health).
    path("healthz/", health_view, name="health"),
    path("admin/", admin.site.urls),
    # The language switch (Django's set_language) and the page scripts' translations.
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/language/", language_switch, name="language-switch"),
    path("account/theme/", theme_switch, name="theme-switch"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", views.playground_page, name="playground"),
    path("export/", include("playground.export.urls")),
    path("uploads/", include("playground.uploads.urls")),
    path("fine-tuning/", include("playground.finetuning.urls")),
    path("models/", views.model_options, name="model-options"),
    path("estimate/", views.request_estimate_view, name="estimate"),
    path("variables/", views.variables_panel_view, name="variables"),
    path("request/<str:view>/", views.request_editor, name="request-editor"),
    path("providers/", include("playground.providerconfig.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("presets/", include("playground.presets.urls")),
    path("teams/", include("playground.teams.urls")),
    # A run watched live; its history entry once it has ended (playground/live/).
    path("history/", include("playground.live.urls")),
    path("history/", include("playground.runs.urls")),
    path("account/runs/", run_keeping_page, name="run-keeping"),
    path("usage/", include("playground.runs.usage_urls")),
    path("budgets/", include("playground.runs.budget_urls")),
    path("datasets/", include(evals_urls.dataset_urls)),
    path("evaluations/", include(evals_urls.evaluation_urls)),
    path("compare/", include("playground.compare.urls")),
    path("signin/<uidb64>/<token>/", views.sign_in_link, name="sign-in-link"),
]

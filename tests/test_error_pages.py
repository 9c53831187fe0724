"""The site's own error pages (DEBUG off, as deployed): a 404 says what was not found and
offers a way back (to the list it came from, and to the playground); a 500 renders without
a request or the database; 400 and 403 look like every other page. None shows a stack trace
or a secret."""

import uuid

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path

from playground.urls import handler404  # noqa: F401
from playground.urls import urlpatterns as site_urlpatterns

SECRET = "sk-error-page-SECRET-4242"


def crash(request: HttpRequest) -> HttpResponse:
    api_key = SECRET  # noqa: F841 — a local a technical error page would list
    raise RuntimeError(f"upstream refused the key {SECRET}")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation(f"a forged value {SECRET}")


def refused(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("Only the team's owners may do this.")


# This module is also the URLconf of the tests marked with it: the site plus three failing views.
urlpatterns = [
    path("crash/", crash),
    path("suspicious/", suspicious),
    path("refused/", refused),
    *site_urlpatterns,
]


@pytest.fixture(autouse=True)
def deployed(settings):
    settings.DEBUG = False


@pytest.fixture
def member(client: Client) -> User:
    user = User.objects.create_user("pat")
    client.force_login(user)
    return user


def page(response: HttpResponse) -> str:
    text = response.content.decode()
    assert 'href="/static/playground/playground.css"' in text, "not the site's own page"
    assert "Traceback" not in text
    assert SECRET not in text
    return text


def heading(text: str) -> str:
    return text.split("<h1>", 1)[1].split("</h1>", 1)[0].strip()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "title", "back_url", "back_text"),
    [
        (f"/presets/{uuid.uuid4()}/", "Preset not found", "/presets/", "Back to presets"),
        (f"/history/{uuid.uuid4()}/", "Run not found", "/history/", "Back to history"),
        (f"/datasets/{uuid.uuid4()}/", "Dataset not found", "/datasets/", "Back to datasets"),
        (
            f"/evaluations/{uuid.uuid4()}/",
            "Evaluation not found",
            "/evaluations/",
            "Back to evaluations",
        ),
        ("/teams/424242/", "Team not found", "/teams/", "Back to teams"),
    ],
)
def test_an_unknown_thing_names_what_was_not_found_and_the_list_it_belongs_to(
    client, member, url, title, back_url, back_text
):
    response = client.get(url)
    assert response.status_code == 404
    text = page(response)
    assert heading(text) == title
    assert f"<title>{title} · Prompt Playground</title>" in text
    assert "it may have been deleted, or it is not shared with you" in text
    assert f'<a href="{back_url}">{back_text}</a>' in text
    assert '<a href="/">Back to the playground</a>' in text


@pytest.mark.django_db
def test_the_views_own_reason_is_shown(client, member):
    text = page(client.get(f"/presets/{uuid.uuid4()}/"))
    assert "No preset you may see has this id." in text


@pytest.mark.django_db
def test_an_unknown_url_says_there_is_no_such_page(client, member):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    text = page(response)
    assert heading(text) == "Page not found"
    assert "There is no page at this address" in text
    assert '<a href="/">Back to the playground</a>' in text
    assert "Back to presets" not in text


@pytest.mark.django_db
def test_an_unknown_address_inside_a_list_leads_back_to_that_list(client, member):
    text = page(client.get("/presets/not-an-id/"))
    assert heading(text) == "Page not found"
    assert '<a href="/presets/">Back to presets</a>' in text


@pytest.mark.django_db
def test_the_way_back_to_the_providers_is_offered_to_admins_only(client, member):
    # A member is refused the provider pages: a link there would only lead to a refusal.
    assert "Back to providers" not in page(client.get("/providers/424242/"))
    member.is_staff = member.is_superuser = True
    member.save()
    text = page(client.get("/providers/424242/"))
    assert heading(text) == "Provider not found"
    assert '<a href="/providers/">Back to providers</a>' in text


@pytest.mark.django_db
def test_a_signed_out_visitor_gets_the_same_page_without_the_site_menu(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    text = page(response)
    assert heading(text) == "Page not found"
    assert "Sign out" not in text


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_crash_answers_the_sites_500_page_without_its_details():
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.create_user("pat"))
    response = client.get("/crash/")
    assert response.status_code == 500
    text = page(response)
    assert heading(text) == "Something went wrong"
    assert "RuntimeError" not in text and "upstream refused" not in text
    assert '<a href="/">Back to the playground</a>' in text


def test_the_500_page_renders_without_a_request_context_or_the_database():
    """Django's rule for handler500: the template gets no request and no context (the
    failure may be the database itself). No django_db mark: a query here would fail."""
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    text = page(response)
    assert heading(text) == "Something went wrong"
    # No form that would need the request's CSRF token (the language switch, sign out).
    assert "<form" not in text


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_bad_request_answers_the_sites_400_page_without_its_reason(client, member):
    response = client.get("/suspicious/")
    assert response.status_code == 400
    text = page(response)
    assert heading(text) == "Bad request"
    assert "forged" not in text
    assert '<a href="/">Back to the playground</a>' in text


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_refusal_answers_the_sites_403_page_with_its_reason(client, member):
    response = client.get("/refused/")
    assert response.status_code == 403
    text = page(response)
    assert heading(text) == "Not allowed"
    assert "Only the team&#x27;s owners may do this." in text
    assert '<a href="/">Back to the playground</a>' in text


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_answers_the_sites_403_page(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post("/teams/", {"name": "Core"})
    assert response.status_code == 403
    text = page(response)
    assert heading(text) == "Not allowed"
    assert "reload the page" in text
    assert '<a href="/">Back to the playground</a>' in text

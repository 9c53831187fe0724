"""The usage page: tokens and cost per day, model, provider, team and user, and its CSV."""

import calendar
import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from playground.runs.models import Price
from playground.runs.prices import price_get
from tests.presets.factories import make_team
from tests.runs.factories import make_run, make_user

pytestmark = pytest.mark.django_db

THIS_MONTH = timezone.now().strftime("%Y-%m")


@pytest.fixture
def alice(client):
    user = make_user("alice")
    client.force_login(user)
    return user


def csv_rows(client, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/usage/usage.csv?{query}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_month_is_summed_per_model_and_unknown_costs_are_not_zero(client, alice):
    make_run(user=alice, model="gpt-4o", cost="0.010", tokens=(100, 50))
    make_run(user=alice, model="gpt-4o", cost="0.020", tokens=(200, 50))
    make_run(user=alice, model="mystery", cost=None, tokens=(7, 3))
    page = client.get("/usage/").content.decode()
    assert (
        "3 runs, 410 tokens (307 prompt + 103 completion), cost $0.03 + unknown (1 run without a price)."
        in page
    )
    assert "openai · gpt-4o" in page and "openai · mystery" in page
    rows = {row["model"]: row for row in csv_rows(client)}
    assert rows["gpt-4o"]["cost_usd"] == "0.03000000" and rows["gpt-4o"]["runs"] == "2"
    assert rows["mystery"]["cost_usd"] == "" and rows["mystery"]["unpriced_runs"] == "1"


def test_runs_of_other_months_are_left_out(client, alice):
    make_run(user=alice, created=timezone.now() - datetime.timedelta(days=70))
    assert "0 runs" in client.get("/usage/").content.decode()
    assert csv_rows(client) == []


def test_a_user_counts_only_their_own_runs_page_and_csv(client, alice):
    bob = make_user("bob")
    make_run(user=bob, model="bobs-model", cost="9")
    make_run(user=alice, model="alices-model", cost="1")
    page = client.get("/usage/").content.decode()
    assert "bobs-model" not in page and "alices-model" in page
    assert [row["model"] for row in csv_rows(client)] == ["alices-model"]
    # Everyone's runs are for admins only.
    assert client.get("/usage/?scope=all").status_code == 404
    assert client.get("/usage/usage.csv?scope=all").status_code == 404


def test_team_owners_see_who_spent_what_members_see_the_team_total(client, alice):
    make_user("bob")
    team = make_team("Core", alice="owner", bob="viewer")
    bob = team.members.get(username="bob")
    make_run(user=bob, team=team, model="team-model", cost="2")
    make_run(user=bob, model="bob-private", cost="5")
    owner_page = client.get(f"/usage/?scope=team-{team.pk}").content.decode()
    assert "team-model" in owner_page and "bob-private" not in owner_page
    assert "Per user" in owner_page and ">bob<" in owner_page
    client.force_login(bob)
    member_page = client.get(f"/usage/?scope=team-{team.pk}").content.decode()
    assert "team-model" in member_page and "Per user" not in member_page
    assert client.get("/usage/?scope=team-999999").status_code == 404


def test_admins_see_everyone_per_user(client):
    admin = make_user("root", is_staff=True)
    client.force_login(admin)
    make_run(user=make_user("bob"), cost="1")
    page = client.get("/usage/?scope=all").content.decode()
    assert "Per user" in page and ">bob<" in page
    assert [row["user"] for row in csv_rows(client, "scope=all")] == ["bob"]


def test_a_bad_month_is_named_and_this_month_shown(client, alice):
    page = client.get("/usage/?month=2026-13").content.decode()
    assert "month: must be a year and month such as 2026-12" in page
    assert client.get("/usage/?month=99999-01").status_code == 200


def test_the_chart_has_a_bar_per_day_and_says_what_it_measures(client, alice):
    make_run(user=alice, cost="1")
    page = client.get("/usage/").content.decode()
    today = timezone.now()
    assert page.count('class="usage-bar"') == calendar.monthrange(today.year, today.month)[1]
    assert '<title id="chart-title">Cost (USD) per day' in page


def test_csv_cells_never_run_as_formulas(client, alice):
    make_run(user=alice, model='=HYPERLINK("http://evil")', provider="+cmd")
    row = csv_rows(client)[0]
    assert row["model"].startswith("'=") and row["provider"] == "'+cmd"


def test_shipped_prices_cover_openai_models_and_dated_snapshots():
    price = price_get(provider="openai", model="gpt-4o-2024-08-06")
    assert price is not None and price.model == "gpt-4o"
    assert price.input_per_million == Decimal("2.5") and price.priced_on.year == 2025
    assert price_get(provider="openai", model="no-such-model") is None
    # The built-in model is free, whatever model name it is sent.
    offline = price_get(provider="offline", model="anything")
    assert offline is not None and offline.output_per_million == 0


def test_everyone_reads_prices_only_admins_change_them(client, alice):
    assert "gpt-4o-mini" in client.get("/usage/prices/").content.decode()
    assert client.get("/usage/prices/new/").status_code == 403
    price = Price.objects.get(provider="openai", model="gpt-4o")
    assert client.post(f"/usage/prices/{price.pk}/delete/").status_code == 403
    assert Price.objects.filter(pk=price.pk).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("input_per_million", "-1", "greater than or equal to 0"),
        ("output_per_million", "abc", "Enter a number."),
        ("cached_input_per_million", "1e309", "less than or equal to 1000000"),
        ("input_per_million", "2000000", "less than or equal to 1000000"),
    ],
)
def test_a_bad_price_is_refused_naming_the_field(client, field, value, message):
    admin = make_user("root", is_staff=True)
    client.force_login(admin)
    data = {
        "provider": "apiyi",
        "model": "gpt-4o",
        "input_per_million": "1",
        "output_per_million": "2",
        "priced_on": "2026-12-01",
        field: value,
    }
    page = client.post("/usage/prices/new/", data).content.decode()
    assert message in page and f'id="id_{field}"' in page
    assert not Price.objects.filter(provider="apiyi").exists()


def test_an_admin_adds_a_gateways_own_price(client):
    admin = make_user("root", is_staff=True)
    client.force_login(admin)
    data = {
        "provider": "apiyi",
        "model": "gpt-4o",
        "input_per_million": "1.25",
        "output_per_million": "5",
        "priced_on": "2026-12-01",
    }
    assert client.post("/usage/prices/new/", data).status_code == 302
    price = price_get(provider="apiyi", model="gpt-4o")
    assert price is not None and price.updated_by == admin
    again = client.post("/usage/prices/new/", data).content.decode()
    assert "already exists" in again

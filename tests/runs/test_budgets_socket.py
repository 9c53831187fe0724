"""The run socket and budgets: a spent budget refuses the run before anything is sent (and
the refusal is in the history); a nearly spent one warns in the run status while it runs."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from playground.consumers import RunConsumer
from playground.runs import budgets
from playground.runs.budgets import BudgetState, budget_check_async
from playground.runs.models import Budget, Run
from tests.conftest import RunClient, chat_request
from tests.fake_upstream import FakeUpstream
from tests.presets.factories import make_preset, make_team, make_user

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(user) -> RunClient:
    communicator = WebsocketCommunicator(RunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return RunClient(communicator)


def spent(user, cost: str, team=None) -> None:
    Run.objects.create(
        created_at=datetime.datetime.now(datetime.UTC),
        user=user,
        team=team,
        provider="openai",
        model="fake-model",
        mode="chat",
        status="finished",
        cost_usd=Decimal(cost),
    )


def next_month() -> str:
    today = datetime.datetime.now(datetime.UTC)
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return f"{year:04d}-{month:02d}-01 00:00 UTC"


def text_of(frame: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", frame)).split())


@sync_to_async
def user_with_budget(limit: str, used: str):
    ann = make_user("ann")
    Budget.objects.create(user=ann, monthly_usd=Decimal(limit))
    spent(ann, used)
    return ann


async def test_a_spent_budget_refuses_the_run_with_its_message_and_sends_nothing_upstream(
    fake_upstream: FakeUpstream,
):
    ann = await user_with_budget("5.00", "5.12")
    client = await connect(ann)
    await client.send(chat_request("Hello"))
    assert await client.receive_until_state() == "error"
    message = (
        "Your monthly budget of $5.00 is spent: $5.12 used this month "
        f"(resets {next_month()}). Ask an admin to raise it."
    )
    assert client.status_text() == message
    record = await client.receive_record()
    assert "Saved in" in record
    await client.communicator.disconnect()
    assert fake_upstream.chat_requests == []
    refused = await sync_to_async(Run.objects.get)(status="refused")
    assert refused.error == message
    assert refused.user_id == ann.pk
    assert refused.cost_usd is None
    assert refused.request["body"]["messages"][0]["content"] == "Hello"


async def test_a_spent_team_budget_refuses_a_run_of_the_teams_preset(fake_upstream: FakeUpstream):
    @sync_to_async
    def setup():
        ann, bob = make_user("ann"), make_user("bob")
        team = make_team("Core", ann="owner", bob="viewer")
        body = {"model": "fake-model", "messages": [{"role": "user", "content": "hi"}]}
        preset = make_preset(
            ann,
            "Shared",
            request={"mode": "chat", "provider": "openai", "body": body},
            team_id=team.pk,
            visibility="team",
        )
        Budget.objects.create(team=team, monthly_usd=Decimal("1.00"))
        spent(ann, "1.50", team=team)
        return bob, preset, team

    bob, preset, team = await setup()
    client = await connect(bob)
    # bob's own runs outside the team's presets are not refused ...
    await client.send(chat_request("mine"))
    assert await client.receive_until_state() == "done"
    await client.receive_record()
    # ... but a run of the team's preset is.
    await client.send({"action": "run", "preset": str(preset.pk), "version": 1})
    assert await client.receive_until_state() == "error"
    assert client.status_text().startswith(
        "The team Core monthly budget of $1.00 is spent: $1.50 used this month"
    )
    await client.receive_record()
    await client.communicator.disconnect()
    assert len(fake_upstream.chat_requests) == 1
    refused = await sync_to_async(Run.objects.get)(status="refused")
    assert refused.team_id == team.pk and refused.user_id == bob.pk


async def test_at_80_percent_the_run_status_warns_while_the_run_runs(fake_upstream: FakeUpstream):
    ann = await user_with_budget("5.00", "4.10")
    client = await connect(ann)
    await client.send(chat_request("Hello"))
    first = await client.receive()
    # In the frame that starts the run, appended inside the "running" status.
    assert 'data-state="running"' in first
    assert '<div hx-swap-oob="beforeend:#run-status">' in first
    assert "82 % of your monthly budget used ($4.10 of $5.00)" in text_of(first)
    assert await client.receive_until_state() == "done"
    await client.receive_record()
    await client.communicator.disconnect()
    assert len(fake_upstream.chat_requests) == 1
    # Said once: no later frame repeats it.
    assert sum("budget-warning" in frame for frame in client.frames) == 1


async def test_no_budget_no_warning(fake_upstream: FakeUpstream):
    ann = await sync_to_async(make_user)("ann")
    client = await connect(ann)
    await client.send(chat_request("Hello"))
    assert await client.receive_until_state() == "done"
    await client.receive_record()
    await client.communicator.disconnect()
    assert not any("budget" in frame for frame in client.frames)


# budget_check_async answers runs that no budget applies to from this process's list of
# budget owners, without a trip to the database thread that every run start shares.


async def test_a_run_no_budget_applies_to_goes_to_no_database_once_the_owners_are_read(
    monkeypatch,
):
    ann, bob = await sync_to_async(make_user)("ann"), await sync_to_async(make_user)("bob")
    await sync_to_async(Budget.objects.create)(user=bob, monthly_usd=Decimal("1"))
    assert await budget_check_async(user=ann, team_id=None) == BudgetState()

    def no_database(**kwargs):
        raise AssertionError("the database was asked")

    monkeypatch.setattr(budgets, "budget_check", no_database)
    monkeypatch.setattr(budgets, "_owners_fetch", no_database)
    assert await budget_check_async(user=ann, team_id=12345) == BudgetState()


async def test_a_budget_saved_in_this_process_applies_to_the_very_next_run():
    ann = await user_with_budget("5.00", "6.00")
    await sync_to_async(Budget.objects.filter(user=ann).delete)()
    assert (await budget_check_async(user=ann, team_id=None)).refusal == ""
    await sync_to_async(Budget.objects.create)(user=ann, monthly_usd=Decimal("5"))
    refused = (await budget_check_async(user=ann, team_id=None)).refusal
    assert refused.startswith("Your monthly budget of $5.00 is spent")


async def test_a_budget_saved_by_another_process_applies_within_the_cache_seconds(monkeypatch):
    ann = await user_with_budget("5.00", "6.00")
    await sync_to_async(Budget.objects.filter(user=ann).delete)()
    monkeypatch.setattr(budgets, "OWNERS_CACHE_SECONDS", 60)
    assert (await budget_check_async(user=ann, team_id=None)).refusal == ""
    # bulk_create sends no signal: as if another worker process had saved it.
    await sync_to_async(Budget.objects.bulk_create)([Budget(user=ann, monthly_usd=Decimal("5"))])
    assert (await budget_check_async(user=ann, team_id=None)).refusal == ""  # the list read before
    monkeypatch.setattr(budgets, "OWNERS_CACHE_SECONDS", 0)  # the seconds have passed
    refused = (await budget_check_async(user=ann, team_id=None)).refusal
    assert refused.startswith("Your monthly budget of $5.00 is spent")

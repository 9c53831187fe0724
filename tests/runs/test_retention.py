"""Retention: old runs lose their text once a day between all workers; usage and cost stay."""

import datetime

import pytest
from django.utils import timezone

from playground.runs import retention
from playground.runs.models import RetentionSweep, Run, RunKeeping
from tests.runs.factories import make_run, make_user

pytestmark = pytest.mark.django_db


def test_the_sweep_deletes_old_text_and_keeps_usage_and_cost(settings):
    settings.PLAYGROUND_RUN_RETENTION_DAYS = 30
    alice = make_user("alice")
    now = timezone.now()
    old = make_run(user=alice, prompt="old secret", created=now - datetime.timedelta(days=31))
    new = make_run(user=alice, prompt="fresh", created=now - datetime.timedelta(days=29))
    assert retention.retention_sweep(now=now) == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.request is None and old.output is None and old.search_text == ""
    assert old.text_deleted_at == now
    assert old.total_tokens == 15 and old.cost_usd is not None
    assert new.request is not None


def test_the_sweep_runs_once_a_day_between_workers(settings):
    settings.PLAYGROUND_RUN_RETENTION_DAYS = 30
    now = timezone.now()
    make_run(user=None, created=now - datetime.timedelta(days=40))
    assert retention.retention_sweep(now=now) == 1
    make_run(user=None, created=now - datetime.timedelta(days=40))
    # Another worker an hour later: the row says it was done today.
    assert retention.retention_sweep(now=now + datetime.timedelta(hours=1)) == 0
    assert retention.retention_sweep(now=now + datetime.timedelta(days=1, minutes=1)) == 1
    assert RetentionSweep.objects.get().last_swept_at == now + datetime.timedelta(days=1, minutes=1)


def test_zero_keeps_forever(settings):
    settings.PLAYGROUND_RUN_RETENTION_DAYS = 0
    make_run(user=None, created=timezone.now() - datetime.timedelta(days=4000))
    assert retention.retention_sweep() == 0
    assert not retention.retention_due()
    assert Run.objects.get().request is not None


def test_a_process_looks_at_most_once_an_hour(settings, monkeypatch):
    settings.PLAYGROUND_RUN_RETENTION_DAYS = 90
    monkeypatch.setattr(retention, "_last_check", 0.0)
    assert retention.retention_due()
    assert not retention.retention_due()


SETUP = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'playground.settings'; django.setup()"


def test_the_setting_refuses_bad_values(tmp_path):
    import subprocess
    import sys

    for value in ("-1", "abc", "99999999"):
        result = subprocess.run(
            [sys.executable, "-c", SETUP],
            env={
                "PATH": "/usr/bin:/bin",
                "DJANGO_DATA_DIR": str(tmp_path),
                "PLAYGROUND_RUN_RETENTION_DAYS": value,
            },
            capture_output=True,
            text=True,
        )
        assert result.returncode != 0
        assert "PLAYGROUND_RUN_RETENTION_DAYS must be a whole number of days" in result.stderr


def test_a_user_turns_off_keeping_text_and_deletes_what_was_kept(client):
    alice = make_user("alice")
    client.force_login(alice)
    kept = make_run(user=alice, prompt="before")
    other = make_run(user=make_user("bob"), prompt="not mine")
    page = client.get("/account/runs/").content.decode()
    assert 'name="keep_text" value="on" checked' in page
    client.post("/account/runs/", {"delete_existing": "on"})
    assert RunKeeping.objects.get(user=alice).keep_text is False
    kept.refresh_from_db()
    other.refresh_from_db()
    assert kept.request is None and kept.total_tokens == 15
    assert other.request is not None
    client.post("/account/runs/", {"keep_text": "on"})
    assert RunKeeping.objects.get(user=alice).keep_text is True

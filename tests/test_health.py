"""/healthz/ and `manage.py healthcheck`: what compose's health checks and a proxy ask."""

import pytest
from django.core.management import CommandError, call_command
from django.db.utils import OperationalError

from playground import health

pytestmark = pytest.mark.django_db


def test_the_health_page_answers_without_sign_in_and_names_each_part(client):
    answer = client.get("/healthz/")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in answer["Cache-Control"]


def test_with_redis_url_set_the_health_page_also_reports_the_cache_redis_holds(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"  # the cache stays this test's own
    assert client.get("/healthz/").json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_a_database_that_does_not_answer_is_a_503_without_its_reason(client, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "db" failed: password for "admin"')

    monkeypatch.setattr(health.connection, "cursor", refuse)
    answer = client.get("/healthz/")
    assert answer.status_code == 503
    assert answer.json() == {"status": "unreachable", "database": "unreachable"}
    assert "admin" not in answer.content.decode()
    assert "the database did not answer" in caplog.text


def test_redis_that_does_not_answer_is_a_503(client, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"

    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is away")

    monkeypatch.setattr(health.cache, "set", refuse)
    answer = client.get("/healthz/")
    assert answer.status_code == 503
    assert answer.json()["redis"] == "unreachable"


def test_the_health_page_only_answers_get(client):
    assert client.post("/healthz/").status_code == 405


def test_the_health_check_command_in_process_says_healthy(capsys):
    call_command("healthcheck", "--in-process")
    assert capsys.readouterr().out.strip() == "Healthy: database ok."


def test_the_health_check_command_fails_naming_what_is_unreachable(monkeypatch):
    monkeypatch.setattr(health, "_database", lambda: health.UNREACHABLE)
    with pytest.raises(CommandError, match="Unhealthy: database unreachable"):
        call_command("healthcheck", "--in-process")


def test_the_health_check_command_fails_in_words_when_nothing_listens():
    with pytest.raises(CommandError, match=r"http://127\.0\.0\.1:9/healthz/ did not answer"):
        call_command("healthcheck", "--url", "http://127.0.0.1:9/healthz/")

"""``python -m bench.record_cost``: milliseconds per run_record, on the database the
environment names (a process of its own: run by bench.recording)."""

import os
import sys
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from playground.outcome import RunOutcome, RunStatus
    from playground.providers import Usage
    from playground.runs.services import RunContext, request_object, run_record

    created = False
    if connection.vendor == "postgresql":
        created = _create_database(connection.settings_dict["NAME"])
    try:
        call_command("migrate", verbosity=0)
        user = get_user_model().objects.create_user("bench-record")
        body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hello " * 50}]}
        request = request_object(mode="chat", provider="openai", body=body, variables={})
        timings = []
        for number in range(300):
            outcome = RunOutcome(
                status=RunStatus.FINISHED,
                started_at=time.time(),
                mode="chat",
                body=body,
                text={0: " word" * 200},
                finish_reasons={0: "stop"},
                usage=Usage(60, 200, 260),
                first_token_seconds=0.1,
                seconds=4.0,
            )
            for chunk in range(200):
                outcome.raw.append('{"choices":[{"delta":{"content":" word"}}]}' + str(chunk))
            started = time.perf_counter()
            run_record(
                context=RunContext(user=user, provider="openai", request=request), outcome=outcome
            )
            if number >= 20:  # the first calls warm caches (prices, templates, connections)
                timings.append(time.perf_counter() - started)
        timings.sort()
        print(f"{timings[len(timings) // 2] * 1000:.3f}")
    finally:
        if created:
            connection.close()
            _drop_database(connection.settings_dict["NAME"])


def _create_database(name: str) -> bool:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    return True


def _drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
    sys.exit(0)

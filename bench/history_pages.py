"""``make bench`` (issue 14): the history and usage pages with 100,000 runs in the database.

A throw-away database (SQLite in a temporary directory, then PostgreSQL at 127.0.0.1:5432
if it answers), migrated, 100,000 runs created in bulk (20 users, 3 teams, 10 models, 4
providers, 90 days, prompts and replies of 200 to 2,000 characters, some Chinese), then
each page timed 5 times with Django's test client as a plain user, a team owner and an
admin: p50 and max, and "over" where the max passes 300 ms.

Options (environment): BENCH_HISTORY_RUNS=100000, BENCH_HISTORY_DATABASES="sqlite,postgresql".
"""

import os
import random
import subprocess
import sys
import tempfile
import time

LIMIT_MS = 300.0
WORDS = (
    "alpha beta gamma delta weather paris invoice summary translate python error refund "
    "schedule meeting poem story recipe travel budget contract".split()
)
CHINESE = "今天天气很好 我们去公园 请把这段话翻译成英文 发票 总结 会议 预算".split()


def main_child() -> None:
    """In a process of its own, on the database the environment names."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from playground.runs.models import Run
    from playground.runs.search import searchable_text
    from playground.teams.models import Membership, Team

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    total = int(os.environ.get("BENCH_HISTORY_RUNS") or 100_000)
    users = [get_user_model().objects.create_user(f"user{n}") for n in range(20)]
    admin = get_user_model().objects.create_user("admin-bench", is_staff=True)
    teams = [Team.objects.create(name=f"team{n}") for n in range(3)]
    for n, user in enumerate(users[:9]):
        Membership.objects.create(team=teams[n % 3], user=user, role="owner" if n < 3 else "viewer")
    models = [f"model-{n}" for n in range(10)]
    providers = ["openai", "apiyi", "ollama", "offline"]
    rng = random.Random(14)
    now = timezone.now()
    started = time.perf_counter()
    batch = []
    for number in range(total):
        words = rng.choices(WORDS, k=rng.randint(30, 300))
        if number % 10 == 0:
            words += rng.choices(CHINESE, k=5)
        prompt = " ".join(words[: len(words) // 2])
        reply = " ".join(words[len(words) // 2 :])
        request = {
            "mode": "chat",
            "provider": "openai",
            "body": {"model": "m", "messages": [{"role": "user", "content": prompt}]},
        }
        output = {
            "candidates": [{"index": 0, "text": reply, "finish_reason": "stop", "tool_calls": []}]
        }
        batch.append(
            Run(
                created_at=now
                - __import__("datetime").timedelta(seconds=rng.randint(0, 90 * 86400)),
                user=users[number % 20],
                team=teams[number % 3] if number % 4 == 0 else None,
                provider=providers[number % 4],
                model=models[number % 10],
                mode="chat",
                status=["finished", "finished", "finished", "stopped", "failed"][number % 5],
                request=request,
                output=output,
                search_text=searchable_text(request, output),
                prompt_tokens=len(prompt) // 4,
                completion_tokens=len(reply) // 4,
                total_tokens=(len(prompt) + len(reply)) // 4,
                cost_usd=None if number % 7 == 0 else rng.randint(1, 10_000) / 1_000_000,
                total_ms=rng.randint(100, 9000),
                starred=number % 50 == 0,
            )
        )
        if len(batch) == 5000:
            Run.objects.bulk_create(batch)
            batch = []
    Run.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE runs_run")
    print(f"  {connection.vendor}: {total:,} runs created in {time.perf_counter() - started:.1f} s")
    run_id = Run.objects.filter(user=users[0]).values_list("pk", flat=True).first()
    month = now.strftime("%Y-%m")
    since = (now - __import__("datetime").timedelta(days=7)).date().isoformat()
    pages = [
        "/history/",
        "/history/?page=50",
        "/history/?q=weather",
        "/history/?q=invoice+refund",
        "/history/?q=天气",
        "/history/?model=model-3",
        "/history/?provider=apiyi",
        "/history/?mode=chat",
        "/history/?status=stopped",
        "/history/?starred=on",
        f"/history/?since={since}",
        f"/history/{run_id}/",
        "/usage/",
        f"/usage/?month={month}",
        "/usage/usage.csv",
    ]
    viewers = [
        ("user", users[5], ""),
        ("team owner", users[0], f"scope=team-{teams[0].pk}"),
        ("admin", admin, "scope=all"),
    ]
    worst = 0.0
    for label, user, scope in viewers:
        client = Client()
        client.force_login(user)
        client.get("/history/")  # not timed: a process's first page compiles its templates
        for page in pages:
            url = page
            if scope and page.startswith("/usage"):
                url += ("&" if "?" in page else "?") + scope
            timings = []
            for _ in range(5):
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                print(f"  {label:<11} {url:<48} answered {response.status_code}")
                continue
            timings.sort()
            worst = max(worst, timings[-1])
            flag = "  OVER 300 ms" if timings[-1] > LIMIT_MS else ""
            print(
                f"  {label:<11} {url:<48} p50 {timings[2]:6.1f} ms  max {timings[-1]:6.1f} ms{flag}"
            )
    print(f"  {connection.vendor}: slowest page {worst:.0f} ms (target: under {LIMIT_MS:.0f} ms)")


def main() -> int:
    from bench.procs import ROOT, bench_env

    status = 0
    for vendor in (os.environ.get("BENCH_HISTORY_DATABASES") or "sqlite,postgresql").split(","):
        env = bench_env(tempfile.mkdtemp(prefix="bench-history-"))
        name = f"playground_bench_history_{os.getpid()}"
        if vendor == "postgresql":
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
            if not _postgres("CREATE DATABASE " + name):
                print("  postgresql: not reachable at 127.0.0.1:5432, skipped")
                continue
        try:
            result = subprocess.run(
                [sys.executable, "-m", "bench.history_pages", "--child"],
                cwd=ROOT,
                env=env,
                timeout=1800,
            )
            status = status or result.returncode
        finally:
            if vendor == "postgresql":
                _postgres("DROP DATABASE IF EXISTS " + name)
    return status


def _postgres(statement: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as db:
            db.execute(statement)
    except Exception:
        return False
    return True


if __name__ == "__main__":
    if "--child" in sys.argv:
        main_child()
        sys.exit(0)
    sys.exit(main())

"""Evaluations in a real browser, with a real worker process beside the real daphne (as
`make run` starts them): upload a CSV, evaluate two configurations on its 20 rows, watch
the grid fill and read which passes more and what it costs."""

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.fake_upstream import FakeUpstream, Scenario
from tests.live_server import ROOT

CAPITALS = [
    ("Norway", "Oslo"),
    ("Peru", "Lima"),
    ("Japan", "Tokyo"),
    ("Chile", "Santiago"),
    ("Kenya", "Nairobi"),
    ("Egypt", "Cairo"),
    ("Spain", "Madrid"),
    ("Italy", "Rome"),
    ("Ghana", "Accra"),
    ("Nepal", "Kathmandu"),
    ("Cuba", "Havana"),
    ("Iran", "Tehran"),
    ("Mali", "Bamako"),
    ("Fiji", "Suva"),
    ("Laos", "Vientiane"),
    ("Oman", "Muscat"),
    ("Chad", "N'Djamena"),
    ("Togo", "Lome"),
    ("Peru2", "Lima"),
    ("Iraq", "Baghdad"),
]


@pytest.fixture(scope="module")
def eval_worker(
    live_server_url: str, live_server_env: dict[str, str], live_server_data_dir: Path
) -> Iterator[None]:
    """`manage.py eval_worker` on the live server's database, as `make run` starts it."""
    log = live_server_data_dir / "eval-worker.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "eval_worker", "--interval", "0.2"],
            cwd=ROOT,
            env=live_server_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    yield
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def answer(body: dict) -> list[str]:
    """The "good" model knows every capital; the other one only Norway's."""
    question = body["messages"][-1]["content"]
    country = question.removeprefix("Capital of ").removesuffix("?")
    capital = dict(CAPITALS).get(country, "?")
    if body["model"] != "good-model" and country != "Norway":
        capital = "I am not sure"
    return ["The", " capital", " is", f" {capital}."]


def request(model: str) -> str:
    return json.dumps(
        {
            "mode": "chat",
            "provider": "openai",
            "body": {
                "model": model,
                "messages": [{"role": "user", "content": "Capital of {{country}}?"}],
                "stream": True,
                "stream_options": {"include_usage": True},
            },
        }
    )


def test_upload_a_csv_evaluate_two_models_and_read_the_pass_rates(
    signed_in_page: Page,
    live_server_url: str,
    fake_upstream: FakeUpstream,
    eval_worker: None,
    tmp_path: Path,
) -> None:
    page = signed_in_page
    fake_upstream.default = Scenario(tokens=answer, tokens_per_second=40)
    csv_file = tmp_path / "capitals.csv"
    csv_file.write_text(
        "country,capital\n" + "".join(f"{c},{k}\n" for c, k in CAPITALS), encoding="utf-8"
    )

    page.get_by_role("link", name="Datasets").first.click()
    page.get_by_label("Name").fill("Capitals")
    page.get_by_label("Upload CSV or JSONL").set_input_files(str(csv_file))
    page.get_by_role("button", name="Create the dataset").click()
    expect(page.get_by_role("heading", name="Capitals")).to_be_visible()
    expect(page.locator(".dataset-table tbody tr")).to_have_count(20)

    page.get_by_role("link", name="Evaluate on it").click()
    expect(page.get_by_label("Dataset")).to_have_value(page.url.split("dataset=")[1])
    page.locator("#new-evaluation details").nth(0).locator("summary").click()
    page.locator("#label-0").fill("good")
    page.locator("#request-0").fill(request("good-model"))
    page.locator("#new-evaluation details").nth(1).locator("summary").click()
    page.locator("#label-1").fill("weak")
    page.locator("#request-1").fill(request("weak-model"))
    page.get_by_label("Checks on every answer").fill('- type: icontains\n  value: "{{capital}}"')
    page.get_by_role("button", name="Run the evaluation").click()

    # The grid fills as the worker finishes cells (a page can see it before the end).
    status = page.locator("#evaluation-status")
    expect(status).to_contain_text("of 40 cells")
    expect(page.locator("#evaluation-grid tbody tr")).to_have_count(20)
    expect(status).to_contain_text("40 of 40 cells · Finished", timeout=60_000)
    expect(page.locator("#evaluation-progress")).to_have_attribute("value", "40")
    good = page.locator('tr[data-config="good"]')
    weak = page.locator('tr[data-config="weak"]')
    expect(good.locator(".pass-rate")).to_have_text("100%")
    expect(weak.locator(".pass-rate")).to_have_text("5%")
    expect(good).to_have_class("eval-best")
    # Every cell names its figures and links to its run in the history.
    expect(page.locator(".eval-cell.eval-passed")).to_have_count(21)
    expect(page.locator(".eval-cell.eval-failed")).to_have_count(19)
    expect(page.locator(".eval-cell.eval-failed").first).to_contain_text("failed:")
    expect(page.locator(".eval-cell a", has_text="run")).to_have_count(40)
    expect(good.locator("td").nth(6)).not_to_have_text("0")  # tokens were counted

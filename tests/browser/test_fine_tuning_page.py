"""Fine-tuning in a real browser, with a real worker process following the job: upload a
training file, start a job on the offline model, watch it reach succeeded, open its model."""

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.test_evaluations_browser import eval_worker  # noqa: F401 (a fixture)
from tests.fake_upstream import FakeUpstream
from tests.finetuning.samples import training_jsonl


def upload(page: Page, data: bytes, name: str = "faq.jsonl") -> None:
    page.get_by_label("Training file (.jsonl)").set_input_files(
        {"name": name, "mimeType": "application/jsonl", "buffer": data}
    )
    page.get_by_role("button", name="Check and upload").click()


def test_a_job_is_followed_to_succeeded_and_its_model_opens_in_the_playground(
    signed_in_page: Page,
    live_server_url: str,
    eval_worker: None,  # noqa: F811
) -> None:
    page = signed_in_page
    page.get_by_role("link", name="Fine-tuning").click()
    page.get_by_label("Provider").select_option("offline")
    page.get_by_role("button", name="Show").click()
    upload(page, training_jsonl(12))
    expect(page.locator("#ft-notice")).to_contain_text("faq.jsonl uploaded as file-")

    page.get_by_label("Base model").fill("offline-1")
    page.get_by_label("Suffix").fill("faq")
    page.get_by_label("Epochs").fill("2")
    page.get_by_role("button", name="Start the job").click()

    state = page.locator("#job-state")
    expect(state).to_have_attribute("data-status", "succeeded", timeout=30_000)
    expect(page.locator("#job-events")).to_contain_text("The job has successfully completed")
    expect(page.locator(".loss-curve polyline")).to_have_count(1)
    # An ended job offers no Cancel (the refreshed status replaced the button too).
    expect(page.get_by_role("button", name="Cancel the job")).to_have_count(0)
    model = page.locator("#fine-tuned-model").inner_text()
    assert model.startswith("ft:offline-1:playground:faq:")

    page.get_by_role("link", name="Open in the playground").click()
    expect(page.get_by_label("Model", exact=True)).to_have_value(model)


def test_a_bad_training_file_is_refused_naming_its_line(signed_in_page: Page) -> None:
    page = signed_in_page
    page.get_by_role("link", name="Fine-tuning").click()
    page.get_by_label("Provider").select_option("offline")
    page.get_by_role("button", name="Show").click()
    bad = training_jsonl(12).replace(b'{"messages"', b'{"mesages"', 1)
    upload(page, bad, "broken.jsonl")

    expect(page.locator("#ft-errors")).to_contain_text(
        "line 1: messages must be a non-empty list of chat messages"
    )


def test_a_providers_job_is_followed_to_succeeded_the_same_way(
    signed_in_page: Page,
    fake_upstream: FakeUpstream,
    eval_worker: None,  # noqa: F811
    settings: Any,
) -> None:
    settings.PLAYGROUND_OFFLINE_FINE_TUNING_SECONDS = 3  # the fake upstream's jobs
    page = signed_in_page
    page.get_by_role("link", name="Fine-tuning").click()
    page.get_by_label("Provider").select_option("openai")
    page.get_by_role("button", name="Show").click()
    upload(page, training_jsonl(10))
    expect(page.locator("#ft-notice")).to_contain_text("faq.jsonl uploaded as file-")
    page.get_by_label("Base model").fill("gpt-4o-mini-2024-07-18")
    page.get_by_role("button", name="Start the job").click()

    expect(page.locator("#job-state")).to_have_attribute("data-status", "succeeded", timeout=30_000)
    expect(page.locator("#fine-tuned-model")).to_contain_text(
        "ft:gpt-4o-mini-2024-07-18:playground:"
    )
    (created,) = fake_upstream.requests_to("/fine_tuning/jobs")
    assert created.body["model"] == "gpt-4o-mini-2024-07-18"
    assert created.headers["authorization"].startswith("Bearer ")

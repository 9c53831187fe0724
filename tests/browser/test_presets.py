"""Presets in a real browser: save from the page, open from the list, save a version, see the diff."""

import json
import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, USERNAME
from tests.browser.test_playground_page import run_and_wait, switch_view
from tests.fake_upstream import FakeUpstream


def import_and_open(page: Page, name: str, request: dict) -> None:
    """Import a one-preset JSON file from the Import page and open it in the editor."""
    page.get_by_role("link", name="Presets", exact=True).click()
    page.get_by_role("link", name="Import").click()
    document = {"name": name, "request": request}
    page.get_by_label("JSON file").set_input_files(
        files=[
            {
                "name": "preset.json",
                "mimeType": "application/json",
                "buffer": json.dumps(document).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".flash")).to_contain_text("Imported 1 preset(s).")
    page.locator("#preset-results tr", has_text=name).get_by_role(
        "link", name="Open in editor"
    ).click()
    expect(page.locator("#connection")).to_have_text("Connected")


def test_save_open_version_and_diff(signed_in_page: Page, live_server_url: str) -> None:
    page = signed_in_page
    page.get_by_label("System prompt").fill("You explain tides.")
    page.get_by_role("textbox", name="Message").first.fill("Why are there two tides a day?")
    page.locator("#param-temperature").fill("0.3")

    panel = page.locator("#save-controls")
    panel.get_by_label("Name").fill("Tide helper <b>v</b>")
    panel.get_by_label("Tags").fill("Science, demo")
    panel.get_by_role("button", name="Save preset").click()
    expect(page.locator("#save-controls .saved")).to_have_text(
        "Saved as “Tide helper <b>v</b>”, version 1."
    )
    expect(page).to_have_url(re.compile(r"/\?preset=[0-9a-f-]{36}&version=1$"))

    # Open it from the list in a fresh page load: the form is filled from version 1.
    page.get_by_role("link", name="Presets", exact=True).click()
    page.get_by_label("Search").fill("science")
    row = page.locator("#preset-results tr", has_text="Tide helper <b>v</b>")
    expect(row).to_have_count(1)
    row.get_by_role("link", name="Open in editor").click()
    expect(page.locator("#connection")).to_have_text("Connected")
    expect(page.get_by_label("System prompt")).to_have_value("You explain tides.")
    expect(page.get_by_role("textbox", name="Message").first).to_have_value(
        "Why are there two tides a day?"
    )
    expect(page.locator("#param-temperature")).to_have_value("0.3")
    expect(page.locator("#save-controls .open-preset")).to_contain_text("version 1")

    # Edit and save a new version on top of version 1.
    page.get_by_role("textbox", name="Message").first.fill("Why are there two high tides a day?")
    page.locator("#param-temperature").fill("0.8")
    page.locator("#save-controls").get_by_label("Message").fill("Sharper question")
    page.locator("#save-controls").get_by_role("button", name="Save version").click()
    expect(page.locator("#save-controls .saved")).to_contain_text("Saved version 2")

    # The history shows both versions and the diff between them.
    page.locator("#save-controls .open-preset a").click()
    expect(page.locator(".history tbody tr")).to_have_count(2)
    expect(page.locator(".history")).to_contain_text("Sharper question")
    diff = page.locator("#diff")
    expect(diff).to_contain_text("Changes from version 1 to version 2")
    expect(diff.locator(".diff-removed")).to_contain_text(
        ["temperature: 0.3", "Why are there two tides a day?"]
    )
    expect(diff.locator(".diff-added")).to_contain_text(
        ["temperature: 0.8", "Why are there two high tides a day?"]
    )


def test_a_stale_save_is_refused_and_can_be_saved_anyway(signed_in_page: Page) -> None:
    first = signed_in_page
    first.get_by_role("textbox", name="Message").first.fill("Draft")
    panel = first.locator("#save-controls")
    panel.get_by_label("Name").fill("Shared draft")
    panel.get_by_role("button", name="Save preset").click()
    expect(panel.locator(".saved")).to_contain_text("version 1")
    opened_url = first.url

    # A second tab opens version 1 too and saves first.
    second = first.context.new_page()
    second.goto(opened_url)
    expect(second.get_by_role("textbox", name="Message").first).to_have_value("Draft")
    second.get_by_role("textbox", name="Message").first.fill("Second tab's edit")
    second.locator("#save-controls").get_by_role("button", name="Save version").click()
    expect(second.locator("#save-controls .saved")).to_contain_text("Saved version 2")

    # The first tab's save, based on version 1, is refused; nothing is overwritten.
    first.reload()
    first.get_by_role("textbox", name="Message").first.fill("First tab's edit")
    first.locator("#save-controls").get_by_role("button", name="Save version").click()
    stale = first.locator("#save-controls .stale")
    expect(stale).to_contain_text("you edited version 1, the latest is version 2")
    stale.get_by_role("button", name="Save as new version anyway").click()
    expect(first.locator("#save-controls .saved")).to_contain_text("Saved version 3")

    first.locator("#save-controls .open-preset a").click()
    expect(first.locator(".history tbody tr")).to_have_count(3)
    second.close()


def test_import_open_and_save_keeps_what_the_form_cannot_show(signed_in_page: Page) -> None:
    page = signed_in_page
    body = {
        "model": "offline-1",
        "messages": [{"role": "user", "content": "Count to three"}],
        "seed": 42,
        "top_k": 40,
    }
    document = {"name": "Seeded counter", "request": {"provider": "offline", "body": body}}
    page.get_by_role("link", name="Presets", exact=True).click()
    page.get_by_role("link", name="Import").click()
    page.get_by_label("JSON file").set_input_files(
        files=[
            {
                "name": "seeded.json",
                "mimeType": "application/json",
                "buffer": json.dumps(document).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".flash")).to_contain_text("Imported 1 preset(s).")

    page.locator("#preset-results tr", has_text="Seeded counter").get_by_role(
        "link", name="Open in editor"
    ).click()
    # The page's inputs hold seed; top_k (an extension) is in Extensions and kept on save.
    expect(page.locator("#preset-extra-notice")).to_contain_text("also sets top_k,")
    expect(page.locator("#param-seed")).to_have_value("42")
    # Nothing rarely used is set, so "More parameters" stays folded.
    expect(page.locator("#more-parameters")).not_to_have_attribute("open", "")
    assert json.loads(page.locator("#extensions").input_value()) == {"top_k": 40}
    page.get_by_role("textbox", name="Message").first.fill("Count to five")
    page.locator("#save-controls").get_by_role("button", name="Save version").click()
    expect(page.locator("#save-controls .saved")).to_contain_text("Saved version 2")

    page.locator("#save-controls .open-preset a").click()
    diff = page.locator("#diff")
    # The page always streams, so a version saved from it sets "stream" explicitly.
    expect(diff.locator(".diff-added")).to_have_text(["+ stream: true", "+ Count to five"])
    expect(diff.locator(".diff-removed")).to_have_text(["- Count to three"])
    expect(diff).to_contain_text("seed: 42")
    expect(diff).to_contain_text("top_k: 40")


EMBEDDING_BODY = {
    "model": "text-embedding-3-small",
    "input": ["The cat sat on the mat.", "A cat was sitting on a mat."],
    "dimensions": 8,
    "encoding_format": "float",
    "user": "preset-tester",
}
COMPLETION_BODY = {
    "model": "gpt-3.5-turbo-instruct",
    "prompt": "Once upon a time",
    "suffix": "The end.",
    "max_tokens": 7,
    "temperature": 0.5,
    "echo": False,
    "top_k": 40,
    "stream": True,
}


@pytest.mark.parametrize(
    ("mode", "body", "filled"),
    [
        (
            "embedding",
            EMBEDDING_BODY,
            {"#inputs": "The cat sat on the mat.\nA cat was sitting on a mat."},
        ),
        (
            "completion",
            COMPLETION_BODY,
            {"#completion-prompt": "Once upon a time", "#completion-suffix": "The end."},
        ),
    ],
)
def test_an_opened_preset_fills_its_modes_inputs_and_runs_its_exact_body(
    signed_in_page: Page, fake_upstream: FakeUpstream, mode: str, body: dict, filled: dict
) -> None:
    page = signed_in_page
    import_and_open(page, f"A {mode} preset", {"mode": mode, "provider": "openai", "body": body})
    expect(page.locator("#mode")).to_have_value(mode)
    expect(page.locator("#provider")).to_have_value("openai")
    expect(page.locator("#model")).to_have_value(body["model"])
    for selector, value in filled.items():
        expect(page.locator(selector)).to_be_visible()
        expect(page.locator(selector)).to_have_value(value)
    # A preset that sets a rarely used parameter opens "More parameters" to show it.
    more = page.locator("#more-parameters")
    expect(more).to_have_attribute("open", "")
    expect(page.locator("#more-parameters-count")).to_have_text(
        "(1 set)" if mode == "embedding" else "(2 set)"
    )
    # No other mode's input got the preset's text (the edit input shares the name "input").
    expect(page.locator("#edit-input")).to_have_value("")
    expect(page.locator("#edit-input")).to_be_hidden()

    run_and_wait(page)
    sent = fake_upstream.requests_to("/embeddings" if mode == "embedding" else "/completions")
    assert len(sent) == 1
    assert sent[0].body == body


def test_a_preset_for_a_gone_provider_opens_with_the_notice_and_the_picker(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    request = {"mode": "embedding", "provider": "retired-gateway", "body": EMBEDDING_BODY}
    import_and_open(page, "Orphaned embeddings", request)
    expect(page.locator("#missing-provider")).to_contain_text("“retired-gateway”")
    expect(page.locator("#inputs")).to_have_value(
        "The cat sat on the mat.\nA cat was sitting on a mat."
    )
    expect(page.locator("#provider")).to_be_focused()
    page.locator("#provider").select_option("openai")
    page.locator("#model").fill(EMBEDDING_BODY["model"])
    run_and_wait(page)
    assert [r.body for r in fake_upstream.requests_to("/embeddings")] == [EMBEDDING_BODY]


def test_signed_out_in_another_tab_the_save_says_so_and_works_after_signing_in(
    signed_in_page: Page, live_server_url: str
) -> None:
    """Signing out elsewhere: the panel says nothing was saved; signing in again in another
    tab (which gives a new CSRF token) lets the same page save its edits."""
    page = signed_in_page
    page.get_by_role("textbox", name="Message").first.fill("Keep these edits")
    other = page.context.new_page()
    other.goto(live_server_url + "/account/password/")
    other.get_by_role("button", name="Sign out").click()

    panel = page.locator("#save-controls")
    panel.get_by_label("Name").fill("Signed out save")
    panel.get_by_role("button", name="Save preset").click()
    expect(panel.get_by_role("alert")).to_contain_text("Nothing was saved: you are signed out.")
    expect(panel.get_by_role("link", name="Sign in again in another tab")).to_have_attribute(
        "target", "_blank"
    )

    other.goto(live_server_url + "/login/")
    other.get_by_label("Username").fill(USERNAME)
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    expect(other).to_have_url(live_server_url + "/")
    other.close()

    panel.get_by_label("Name").fill("Signed out save")
    panel.get_by_role("button", name="Save preset").click()
    expect(page.locator("#save-controls .saved")).to_have_text(
        "Saved as “Signed out save”, version 1."
    )
    expect(page.get_by_role("textbox", name="Message").first).to_have_value("Keep these edits")


def test_an_opened_preset_is_rendered_by_the_server_with_no_round_trip(
    signed_in_page: Page,
) -> None:
    """The page arrives with the preset in its form: no script converts it, and a 64-bit
    seed (past JavaScript's 2^53) keeps every digit."""
    page = signed_in_page
    body = {"model": "offline-2", "messages": [{"role": "user", "content": "hi"}]}
    request = {
        "mode": "chat",
        "provider": "offline",
        "body": {**body, "seed": 2**63 - 1, "top_k": 40},
        "variables": {"city": "Oslo"},
    }
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    with page.expect_response(re.compile(r"/\?preset=")) as opened:
        import_and_open(page, "Sixty-four-bit seed", request)
    document = opened.value.text()
    assert 'value="9223372036854775807"' in document  # in the HTML the server sent
    expect(page.locator("#param-seed")).to_have_value(str(2**63 - 1))
    expect(page.locator("#model")).to_have_value("offline-2")
    expect(page.get_by_role("textbox", name="Message").first).to_have_value("hi")
    assert json.loads(page.locator("#variables").input_value()) == {"city": "Oslo"}
    expect(page.locator("#preset-extra-notice")).to_contain_text("also sets top_k, variables,")
    opened_at = next(i for i, url in enumerate(asked) if "?preset=" in url)
    after = [url for url in asked[opened_at:] if "/static/" not in url]
    assert not [url for url in after if "/request/" in url], after
    assert len([url for url in after if "?preset=" in url]) == 1


def test_a_preset_saved_from_the_json_view_is_the_editors_request(signed_in_page: Page) -> None:
    page = signed_in_page
    page.get_by_role("textbox", name="Message").first.fill("From the form")
    switch_view(page, "JSON")
    editor = page.get_by_label("Request JSON")
    data = json.loads(editor.input_value())
    data["body"]["messages"][0]["content"] = "From the editor"
    data["body"]["seed"] = 2**63 - 1
    editor.fill(json.dumps(data))
    panel = page.locator("#save-controls")
    panel.get_by_label("Name").fill("Saved from JSON")
    panel.get_by_role("button", name="Save preset").click()
    expect(panel.locator(".saved")).to_have_text("Saved as “Saved from JSON”, version 1.")

    page.reload()  # the address names the saved preset: the server renders it
    expect(page.get_by_role("textbox", name="Message").first).to_have_value("From the editor")
    expect(page.locator("#param-seed")).to_have_value(str(2**63 - 1))


# Run in the live server's database: someone else's preset shared by read-only link.
LINKED_SETUP = """
from django.contrib.auth import get_user_model
from playground.presets.services import preset_create
other = get_user_model().objects.create_user({other!r})
preset = preset_create(owner=other, name={name!r}, request={request!r}, visibility="link")
print(preset.pk, preset.link_token)
"""


def test_a_preset_opened_by_its_link_is_found_again_under_shared_with_me(
    signed_in_page: Page, live_server_url: str, live_manage
) -> None:
    page = signed_in_page
    suffix = uuid.uuid4().hex[:8]
    name = f"Linked {suffix}"
    request = {
        "mode": "chat",
        "provider": "offline",
        "body": {"model": "offline-1", "messages": [{"role": "user", "content": "hi"}]},
    }
    code = LINKED_SETUP.format(other=f"sharer-{suffix}", name=name, request=request)
    preset_id, token = live_manage("shell", "-c", code).strip().splitlines()[-1].split()

    page.goto(f"{live_server_url}/presets/{preset_id}/?link={token}")
    expect(page.get_by_role("heading", name=name)).to_be_visible()

    # Later, without the link at hand: the list finds it, and its link opens it.
    page.goto(f"{live_server_url}/presets/")
    page.get_by_label("Shared with me").check()
    expect(page).to_have_url(re.compile(r"scope=shared"))
    row = page.locator("#preset-results tr", has_text=name)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/presets/{preset_id}/\?link="))

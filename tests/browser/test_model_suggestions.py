"""The editor's model suggestions in a real browser: they follow the provider however it
changes (the select, an opened preset, applied JSON), and the provider set last wins over
a list still loading."""

import contextlib
import json
import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Route, expect

from tests.browser.test_playground_page import switch_view
from tests.browser.test_presets import import_and_open

BODY = {"model": "fake-model", "messages": [{"role": "user", "content": "Hi"}], "stream": True}


def expect_suggestions(page: Page, expected: list[str]) -> None:
    """Wait until the suggestions the server sent (not the empty placeholder the page starts
    with, nor while a request for them is out) are ``expected``. Fine-tuned models ("ft:…")
    are left out: the fine-tuning tests make them on the shared live server, and the offline
    model suggests them."""
    page.wait_for_function(
        """expected => {
            const list = document.getElementById("model-options");
            if (!list || list.hasAttribute("hx-get") || document.querySelector(".htmx-request")) {
                return false;
            }
            const shown = Array.from(list.options, o => o.value).filter(v => !v.startsWith("ft:"));
            return JSON.stringify(shown) === expected;
        }""",
        arg=json.dumps(expected, separators=(",", ":")),
        timeout=10_000,
    )


def test_opening_a_preset_refreshes_the_model_suggestions(signed_in_page: Page) -> None:
    page = signed_in_page
    expect(page.locator("#provider")).to_have_value("offline")
    expect_suggestions(page, ["offline-1", "offline-2"])

    # A preset for the other provider: its models are suggested, the preset's model is kept.
    import_and_open(page, "Fake upstream preset", {"provider": "openai", "body": BODY})
    expect(page.locator("#provider")).to_have_value("openai")
    expect_suggestions(page, ["fake-model", "fake-model-mini"])
    expect(page.locator("#model")).to_have_value("fake-model")

    # Applying JSON that names another provider does the same.
    switch_view(page, "JSON")
    editor = page.get_by_label("Request JSON")
    data = json.loads(editor.input_value())
    assert data["provider"] == "openai"
    data["provider"] = "offline"
    data["body"]["model"] = "offline-2"
    editor.fill(json.dumps(data))
    page.get_by_role("button", name="Apply JSON to the form").click()
    expect(page.locator("#provider")).to_have_value("offline")
    expect_suggestions(page, ["offline-1", "offline-2"])
    expect(page.locator("#model")).to_have_value("offline-2")


def test_a_preset_for_a_gone_provider_leaves_no_stale_suggestions(signed_in_page: Page) -> None:
    page = signed_in_page
    expect_suggestions(page, ["offline-1", "offline-2"])
    import_and_open(page, "Gone provider preset", {"provider": "retired-gateway", "body": BODY})
    expect(page.locator("#missing-provider")).to_contain_text("retired-gateway")
    expect_suggestions(page, [])


def test_an_opened_preset_asks_only_for_its_own_providers_suggestions(
    signed_in_page: Page,
) -> None:
    """The server renders the preset's provider into the page: no list of the default
    provider is asked for, so none can arrive late and replace the preset's."""
    page = signed_in_page
    asked: list[str] = []
    page.on(
        "request",
        lambda request: (
            asked.append(request.url.split("?")[1]) if "/models/?" in request.url else None
        ),
    )
    import_and_open(page, "Own suggestions", {"provider": "openai", "body": BODY})
    expect(page.locator("#provider")).to_have_value("openai")
    expect_suggestions(page, ["fake-model", "fake-model-mini"])
    assert asked[-1:] == ["provider=openai"]
    assert "provider=offline" not in asked[asked.index("provider=openai") :]


def test_a_provider_chosen_while_the_first_list_loads_wins(signed_in_page: Page) -> None:
    """The page's first request for suggestions is still out when another provider is picked:
    the late answer must not leave the old list."""
    page = signed_in_page
    held: dict[str, Route] = {}
    page.route(
        re.compile(r"/models/\?provider=(offline|openai)$"),
        lambda route: held.update({route.request.url.rsplit("=", 1)[1]: route}),
    )
    page.reload()
    expect(page.locator("#connection")).to_have_text("Connected")
    page.get_by_label("Provider").select_option("openai")
    for _ in range(200):
        if len(held) == 2:
            break
        page.wait_for_timeout(50)
    assert set(held) == {"offline", "openai"}, "picking a provider did not ask for its models"
    # The default provider's answer arrives first: the first answer swapped in would win.
    with contextlib.suppress(PlaywrightError):  # htmx may have aborted it: nothing to answer
        held["offline"].continue_()
    held["openai"].continue_()
    expect_suggestions(page, ["fake-model", "fake-model-mini"])


def test_refresh_models_says_what_it_found(signed_in_page: Page, fake_upstream) -> None:
    page = signed_in_page
    page.get_by_label("Provider").select_option("openai")
    expect_suggestions(page, ["fake-model", "fake-model-mini"])
    status = page.locator("#model-options-status")

    fake_upstream.models = ["fake-model", "fake-model-mini", "fake-model-new"]
    try:
        page.get_by_role("button", name="Refresh models").click()
        expect_suggestions(page, ["fake-model", "fake-model-mini", "fake-model-new"])
        expect(status).to_have_text("3 models listed by the provider.")

        # A listing that fails (here a key the provider no longer takes) is said, not hidden
        # behind a list of one default model.
        fake_upstream.accepted_keys = {"sk-another-key"}
        page.get_by_role("button", name="Refresh models").click()
        expect(status).to_contain_text("The provider did not list its models")
        expect(status).to_contain_text("type the model name")
    finally:
        fake_upstream.models = ["fake-model", "fake-model-mini"]

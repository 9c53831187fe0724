"""Two tabs on one preset's page: the second to save is told the preset changed meanwhile,
sees it as it is now, and saves once it has seen it; a long history is paged."""

import json
import uuid

from playwright.sync_api import Page, expect

from tests.fake_upstream import FakeUpstream


def import_preset(page: Page, name: str, versions: int = 1) -> None:
    """Import a preset with ``versions`` versions and open its page from the list."""
    page.get_by_role("link", name="Presets", exact=True).click()
    page.get_by_role("link", name="Import").click()
    request = {"mode": "chat", "provider": "offline", "body": {"model": "offline-1"}}
    document = {
        "name": name,
        "versions": [
            {
                "request": {
                    **request,
                    "body": {
                        **request["body"],
                        "messages": [{"role": "user", "content": f"Question {n}"}],
                    },
                },
                "message": f"Saved {n}",
            }
            for n in range(1, versions + 1)
        ],
    }
    page.get_by_label("JSON file").set_input_files(
        files=[
            {
                "name": "p.json",
                "mimeType": "application/json",
                "buffer": json.dumps(document).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".flash")).to_contain_text("Imported 1 preset(s).")
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def rename(page: Page, name: str) -> None:
    form = page.locator(
        "section", has=page.get_by_role("heading", name="Name, description and tags")
    )
    form.get_by_label("Name").fill(name)
    form.get_by_role("button", name="Save").click()


def test_the_second_tab_to_rename_is_told_and_saves_after_seeing_the_change(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    name = f"Tabs {uuid.uuid4().hex[:6]}"
    import_preset(page, name)
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.get_by_role("heading", level=1)).to_have_text(name)

    rename(page, f"{name} first")
    expect(page.locator(".flash")).to_contain_text("Saved the name, description and tags.")

    rename(other, f"{name} second")
    expect(other.locator(".flash")).to_contain_text("This preset was changed meanwhile")
    expect(other.locator(".flash")).to_contain_text(f"name “{name} second”")
    # The page now shows the preset as it is: the other tab's name, in the title and the form.
    expect(other.get_by_role("heading", level=1)).to_have_text(f"{name} first")

    rename(other, f"{name} second")
    expect(other.locator(".flash")).to_contain_text("Saved the name, description and tags.")
    expect(other.get_by_role("heading", level=1)).to_have_text(f"{name} second")
    other.close()


def test_a_long_history_is_paged(signed_in_page: Page, fake_upstream: FakeUpstream) -> None:
    page = signed_in_page
    import_preset(page, f"Long {uuid.uuid4().hex[:6]}", versions=55)
    expect(page.locator(".history tbody tr")).to_have_count(50)
    expect(page.get_by_role("button", name="Run latest (v55)")).to_be_visible()
    pager = page.get_by_role("navigation", name="Versions pages")
    expect(pager).to_contain_text("Page 1 of 2")
    pager.get_by_role("link", name="Older").click()
    expect(page.locator(".history tbody tr")).to_have_count(5)
    expect(page.locator(".history tbody tr").first).to_contain_text("Saved 5")
    # Still the latest that "Run latest" runs, from the older page.
    expect(page.get_by_role("button", name="Run latest (v55)")).to_be_visible()

"""A lost visitor in a real browser: an unknown preset's address shows the site's 404 page,
which says what was not found and leads back to the presets."""

import re
import uuid

from playwright.sync_api import Page, expect


def test_an_unknown_preset_says_so_and_leads_back_to_the_presets(
    signed_in_page: Page, live_server_url: str
) -> None:
    page = signed_in_page
    response = page.goto(f"{live_server_url}/presets/{uuid.uuid4()}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Preset not found")
    expect(page.get_by_text("No preset you may see has this id.")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Preset not found · "))

    page.get_by_role("link", name="Back to presets").click()
    expect(page).to_have_url(f"{live_server_url}/presets/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Presets")

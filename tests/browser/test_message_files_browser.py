"""Chatting about a picture in a real browser: attach an image to a message (chosen, or
pasted), see its thumbnail, run it on the offline model, and find it again in the history."""

import base64

from playwright.sync_api import Page, expect

from tests.browser.test_playground_page import message_box, run_and_wait
from tests.uploads.samples import png_bytes, wav_bytes


def test_an_attached_and_a_pasted_image_are_shown_run_and_kept_in_the_history(
    signed_in_page: Page,
) -> None:
    page = signed_in_page
    row = message_box(page, 0)
    row.get_by_role("textbox", name="Message").fill("What is in these pictures?")
    row.locator(".attach-file").set_input_files(
        {"name": "cat.png", "mimeType": "image/png", "buffer": png_bytes(64, 48)}
    )
    first = row.locator("[data-attachment]").nth(0)
    expect(first.locator(".file-field-status")).to_contain_text("cat.png")
    expect(first.locator("img")).to_be_visible()
    expect(first.locator("img")).to_have_js_property("naturalWidth", 64)

    # A screenshot pasted into the message is attached to it too.
    row.get_by_role("textbox", name="Message").evaluate(
        """(box, b64) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const data = new DataTransfer();
            data.items.add(new File([bytes], "shot.png", {type: "image/png"}));
            box.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true}));
        }""",
        base64.b64encode(png_bytes(10, 20, (0, 90, 200, 255))).decode(),
    )
    second = row.locator("[data-attachment]").nth(1)
    expect(second.locator(".file-field-status")).to_contain_text("shot.png")
    expect(second.locator("img")).to_be_visible()
    second.get_by_label("Image detail").select_option("low")

    # And a link, which the offline model names without fetching.
    row.get_by_role("button", name="Image URL…").click()
    row.get_by_role("textbox", name="Image URL").fill("https://example.com/boat.jpg")
    row.get_by_role("textbox", name="Image URL").press("Enter")
    third = row.locator("[data-attachment]").nth(2)
    expect(third.get_by_role("link", name="image link")).to_have_attribute(
        "href", "https://example.com/boat.jpg"
    )
    expect(row.get_by_role("textbox", name="Image URL")).to_be_hidden()

    run_and_wait(page)
    reply = page.locator("#reply-0")
    expect(reply).to_contain_text("I see an image of 64×48 pixels (PNG).")
    expect(reply).to_contain_text("I see an image of 10×20 pixels (PNG).")
    expect(reply).to_contain_text("I see a link to an image on example.com")
    expect(reply).to_contain_text("What is in these pictures?")

    page.locator("#run-record").get_by_role("link", name="history").click()
    attachments = page.locator("#run-attachments li")
    expect(attachments).to_have_count(3)
    expect(attachments.nth(0).locator("img")).to_have_js_property("naturalWidth", 64)
    expect(attachments.nth(1)).to_contain_text("low")


def test_an_attached_recording_gets_a_player_and_its_format(signed_in_page: Page) -> None:
    page = signed_in_page
    row = message_box(page, 0)
    row.locator(".attach-file").set_input_files(
        {"name": "question.wav", "mimeType": "audio/wav", "buffer": wav_bytes(1.5)}
    )
    attachment = row.locator("[data-attachment=audio]")
    expect(attachment.locator(".file-field-status")).to_contain_text("question.wav")
    expect(attachment.locator("audio")).to_have_js_property("duration", 1.5)
    expect(attachment.locator(".attachment-option")).to_have_value("wav")
    run_and_wait(page)
    expect(page.locator("#reply-0")).to_contain_text("(Offline model) I hear 1.5 s of audio (WAV).")
    attachment.get_by_role("button", name="Remove attachment").click()
    expect(row.locator("[data-attachment]")).to_have_count(0)

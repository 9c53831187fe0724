"""Editing an image in a real browser: upload a picture and a mask, run, see the edit."""

import base64
import os

from playwright.sync_api import Page, expect

from playground.providers import offline_images
from playground.providers.openai_format import Sender
from tests.browser.test_accessibility import violations
from tests.browser.test_playground_page import run_and_wait
from tests.image_edit_samples import flat, mask, picture

PROMPT = "Paint the sky red"


def choose(page: Page, label: str, name: str, data: bytes) -> None:
    """Pick a file for the field labelled ``label`` and wait until it is uploaded."""
    page.get_by_label(label, exact=True).set_input_files(
        {"name": name, "mimeType": "image/png", "buffer": data}
    )
    field = page.locator(".file-field", has=page.get_by_label(label, exact=True))
    expect(field.locator(".file-field-status")).to_contain_text(name)
    expect(field.locator(".file-field-preview img")).to_be_visible()


def test_an_uploaded_image_is_edited_inside_its_mask_and_shown(signed_in_page: Page) -> None:
    page = signed_in_page
    page.get_by_label("Mode", exact=True).select_option("image")
    page.get_by_label("Describe the image").fill(PROMPT)
    page.get_by_text("Edit an image (optional)").click()
    choose(page, "Image to edit", "photo.png", picture(64, 64))
    choose(page, "Mask", "mask.png", mask(64, 64))
    run_and_wait(page)
    image = page.locator("#mode-result img.generated-image")
    expect(image).to_have_count(1)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#mode-result img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    assert image.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [64, 64]
    # The very image the offline model edits: the picture, tinted where the mask is clear.
    shown = base64.b64decode(image.get_attribute("src").split(",", 1)[1])
    answer = offline_images.images_response(
        {"prompt": PROMPT}, Sender("offline"), source=picture(64, 64), mask=mask(64, 64)
    )
    assert shown == base64.b64decode(answer["data"][0]["b64_json"])
    expect(page.locator("#mode-result .revised-prompt")).to_contain_text(
        "Paint the sky red (edited by the offline model"
    )
    # The file fields, their thumbnails and the result pass the accessibility checker.
    assert violations(page) == []
    if os.environ.get("PLAYGROUND_SCREENSHOTS"):
        page.screenshot(path=os.environ["PLAYGROUND_SCREENSHOTS"], full_page=True)


def test_a_mask_without_transparency_is_refused_naming_it_and_can_be_removed(
    signed_in_page: Page,
) -> None:
    page = signed_in_page
    page.get_by_label("Mode", exact=True).select_option("image")
    page.get_by_label("Describe the image").fill(PROMPT)
    page.get_by_text("Edit an image (optional)").click()
    choose(page, "Image to edit", "photo.png", picture(48, 48))
    choose(page, "Mask", "flat.png", flat(48, 48))
    run_and_wait(page, state="invalid")
    expect(page.locator("#run-status")).to_contain_text("flat.png has no alpha channel")
    # Without the mask the whole image is edited.
    mask_field = page.locator(".file-field", has=page.get_by_label("Mask", exact=True))
    mask_field.get_by_role("button", name="Remove the file").click()
    expect(mask_field.locator(".file-field-status")).to_have_text("")
    run_and_wait(page)
    expect(page.locator("#mode-result img.generated-image")).to_have_count(1)

"""The speech mode in a real browser: read a text aloud offline, play it, download it."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import violations
from tests.browser.test_playground_page import run_and_wait
from tests.fake_upstream import FakeUpstream


def test_speech_mode_plays_the_offline_models_audio_and_offers_it_for_download(
    signed_in_page: Page,
) -> None:
    page = signed_in_page
    page.get_by_label("Mode", exact=True).select_option("speech")
    expect(page.locator("#messages")).to_be_hidden()
    page.get_by_label("Text to speak").fill("Good morning, playground.")
    page.get_by_label("Voice", exact=True).select_option("nova")
    page.get_by_role("textbox", name="Instructions (optional").fill("Cheerful.")
    page.locator("#speech-param-speed").fill("1.5")  # shown at once
    page.locator("#more-parameters summary").click()  # the format is folded away
    page.locator("#speech-param-response_format").select_option("wav")
    run_and_wait(page)

    audio = page.locator("#mode-result audio.speech-audio")
    expect(audio).to_have_count(1)
    src = audio.get_attribute("src")
    assert re.fullmatch(r"/uploads/[0-9a-f]{64}/", src), src
    # The browser loads and decodes the stored file: it knows its length.
    page.wait_for_function(
        "() => { const a = document.querySelector('#mode-result audio');"
        " return a.readyState >= 1 && a.duration > 0; }"
    )
    duration = audio.evaluate("a => a.duration")
    assert 0.2 < duration < 1.0, duration  # three words, a short tone each, at 1.5x
    # Its URL answers with the audio (as the signed-in page fetches it).
    answer = page.evaluate(
        "async src => { const r = await fetch(src);"
        " return [r.status, r.headers.get('content-type'), (await r.arrayBuffer()).byteLength]; }",
        src,
    )
    assert answer[0] == 200 and answer[1] == "audio/wav" and answer[2] > 1000, answer

    link = page.get_by_role("link", name="Download good-morning-playground.wav")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "good-morning-playground.wav"
    assert open(download.value.path(), "rb").read(4) == b"RIFF"
    # The speech form and its result pass the accessibility checker.
    assert violations(page) == []


def test_a_providers_speech_plays_the_very_bytes_it_served(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    page.get_by_label("Provider").select_option("openai")
    page.get_by_label("Mode", exact=True).select_option("speech")
    page.get_by_label("Model", exact=True).fill("gpt-4o-mini-tts")
    page.get_by_label("Text to speak").fill("Streamed through the playground.")
    run_and_wait(page)

    (sent,) = fake_upstream.requests_to("/audio/speech")
    assert sent.body == {
        "model": "gpt-4o-mini-tts",
        "input": "Streamed through the playground.",
        "voice": "alloy",
    }
    src = page.locator("#mode-result audio.speech-audio").get_attribute("src")
    page.wait_for_function(
        "() => { const a = document.querySelector('#mode-result audio');"
        " return a.readyState >= 1 && a.duration > 0; }"
    )
    loaded = page.evaluate(
        "async src => { const r = await fetch(src);"
        " return [r.headers.get('content-type'), [...new Uint8Array(await r.arrayBuffer())]]; }",
        src,
    )
    assert loaded[0] == "audio/mpeg" and bytes(loaded[1]) == sent.served
    expect(
        page.get_by_role("link", name="Download streamed-through-the-playground.mp3")
    ).to_be_visible()

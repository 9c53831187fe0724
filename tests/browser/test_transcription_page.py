"""Transcription and translation in a real browser: upload an audio file, read its words
offline with their timed segments, and translate one through a provider."""

from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import violations
from tests.browser.test_playground_page import run_and_wait
from tests.fake_upstream import FakeUpstream
from tests.test_transcription import WAV

FIRST_SEGMENT = "The offline model heard 5.0 seconds of meeting.wav."


def choose_audio(page: Page) -> None:
    """Pick meeting.wav for the audio field and wait until it is uploaded and playable."""
    page.get_by_label("Audio file", exact=True).set_input_files(
        {"name": "meeting.wav", "mimeType": "audio/wav", "buffer": WAV}
    )
    field = page.locator(".file-field", has=page.get_by_label("Audio file", exact=True))
    expect(field.locator(".file-field-status")).to_contain_text("meeting.wav")
    expect(field.locator(".file-field-preview audio")).to_have_count(1)


def test_an_uploaded_recording_is_transcribed_offline_with_timed_segments(
    signed_in_page: Page,
) -> None:
    page = signed_in_page
    page.get_by_label("Mode", exact=True).select_option("transcription")
    expect(page.locator("#messages")).to_be_hidden()
    choose_audio(page)
    page.locator("#transcription-param-language").fill("en")
    page.locator("#more-parameters summary").click()
    page.locator("#transcription-param-response_format").select_option("verbose_json")
    run_and_wait(page)

    expect(page.locator("#reply-0")).to_contain_text(FIRST_SEGMENT)
    segments = page.locator("#mode-result table.transcript-segments tbody tr")
    expect(segments).to_have_count(2)
    expect(segments.first).to_contain_text("0:00.0")
    expect(segments.first).to_contain_text(FIRST_SEGMENT)
    expect(page.locator("#mode-result .transcript-duration")).to_have_text("0:05.0")
    expect(page.locator("#mode-result .transcript-language")).to_have_text("en")
    # A transcript is no chat reply: nothing offers to add it to a conversation.
    expect(page.get_by_role("button", name="Add to conversation")).to_be_hidden()
    # The audio form and its result pass the accessibility checker.
    assert violations(page) == []


def test_a_recording_is_translated_by_a_provider_as_subtitles(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    page.get_by_label("Provider").select_option("openai")
    page.get_by_label("Mode", exact=True).select_option("translation")
    page.get_by_label("Model", exact=True).fill("whisper-1")
    choose_audio(page)
    page.locator("#more-parameters summary").click()
    page.locator("#translation-param-response_format").select_option("srt")
    run_and_wait(page)

    expect(page.locator("#reply-0")).to_contain_text("00:00:00,000 --> 00:00:02,520")
    expect(page.locator("#reply-0")).to_contain_text("into English.")
    (sent,) = fake_upstream.requests_to("/audio/translations")
    assert sent.body == {"model": "whisper-1", "response_format": "srt"}
    assert sent.files["file"][0].data == WAV


def test_switching_mode_suggests_that_modes_model_unless_one_was_typed(
    signed_in_page: Page,
) -> None:
    page = signed_in_page
    page.get_by_label("Provider").select_option("openai")
    model = page.get_by_label("Model", exact=True)
    default = model.input_value()  # the provider's default, for chat
    assert default and default != "whisper-1"
    mode = page.get_by_label("Mode", exact=True)

    mode.select_option("transcription")
    expect(model).to_have_value("whisper-1")
    mode.select_option("speech")
    expect(model).to_have_value("gpt-4o-mini-tts")
    mode.select_option("chat")
    expect(model).to_have_value(default)
    # A model typed by hand stays, whatever the mode.
    model.fill("my-own-model")
    mode.select_option("transcription")
    expect(model).to_have_value("my-own-model")
    # The offline model takes any name: it keeps its own.
    page.get_by_label("Provider").select_option("offline")
    mode.select_option("speech")
    expect(model).to_have_value("offline-1")

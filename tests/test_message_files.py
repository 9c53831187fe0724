"""Images and audio in chat messages: checked before sending, referenced by upload in the
request, sent as base64, seen by the offline model, and kept only by runs that ran."""

import base64
import datetime
import hashlib
import io
import json
from decimal import Decimal

import pytest
from channels.db import database_sync_to_async as sync_to_async
from channels.testing import WebsocketCommunicator
from django.template.loader import render_to_string

from playground import message_files
from playground.consumers import RunConsumer
from playground.forms import form_values_from_request, request_from_form
from playground.message_files import attachment_problems, files_inlined
from playground.providerconfig.lookup import get_provider
from playground.providers import TextDelta, UpstreamError
from playground.providers.offline_attachments import (
    attachment_sentences,
    audio_seconds,
    image_dimensions,
)
from playground.request_form import request_editor_context
from playground.runs.models import Budget, Run
from playground.spec import RequestInvalid, validate_request
from playground.terminal import run_request_text
from playground.uploads.models import Upload
from playground.uploads.services import upload_create
from tests.conftest import RunClient
from tests.presets.factories import make_preset, make_user
from tests.runs.factories import make_run
from tests.uploads.samples import mp3_bytes, png_bytes, wav_bytes

IMAGE = "messages[0].content[1].image_url.url"
AUDIO = "messages[0].content[1].input_audio.data"


def chat_with(*parts: dict, provider: str = "offline", text: str = "What is this?") -> dict:
    content = [{"type": "text", "text": text}, *parts]
    body = {"model": "offline-1", "messages": [{"role": "user", "content": content}]}
    return {"mode": "chat", "provider": provider, "body": body}


def image_part(url: str, detail: str | None = None) -> dict:
    image = {"url": url} | ({"detail": detail} if detail else {})
    return {"type": "image_url", "image_url": image}


def audio_part(data: str, fmt: str = "wav") -> dict:
    return {"type": "input_audio", "input_audio": {"data": data, "format": fmt}}


def refusal(data: dict) -> dict[str, str]:
    with pytest.raises(RequestInvalid) as caught:
        validate_request(data)
    return caught.value.errors


def data_url(data: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


# --- checks as written ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/cat.png",
        data_url(png_bytes(3, 2)),
        "upload:" + "a" * 64,
        "@cat.png",
    ],
)
def test_an_image_may_be_a_link_a_data_url_or_a_file_reference(url):
    validate_request(chat_with(image_part(url, "low")))


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("ftp://example.com/cat.png", "must be an http(s) URL, a data URL"),
        ("data:text/plain;base64,aGVsbG8=", "data URL of type text/plain"),
        ("data:image/png,rawbytes", "a data URL must be base64"),
        ("data:image/png;base64,***", "does not decode"),
        (data_url(wav_bytes()), "is not an image of a type allowed here (png, jpeg, webp, gif)"),
        ("upload:abc", "followed by the file's SHA-256"),
    ],
)
def test_a_wrong_image_is_refused_naming_the_message_and_field(url, text):
    assert text in refusal(chat_with(image_part(url)))[IMAGE]


def test_a_detail_other_than_auto_low_or_high_is_refused():
    errors = refusal(chat_with(image_part("https://example.com/a.png", "medium")))
    assert "messages[0].content[1].image_url.detail" in errors


def test_an_image_over_20_mb_is_refused(monkeypatch):
    monkeypatch.setattr(message_files, "IMAGE_MAX_BYTES", 100)
    errors = refusal(chat_with(image_part(data_url(png_bytes(40, 40)))))
    assert "an image may be at most 100 B" in errors[IMAGE]
    assert message_files.size_text(20 * 1024 * 1024) == "20 MB"


def test_audio_must_be_base64_wav_or_mp3():
    assert "must be base64-encoded audio" in refusal(chat_with(audio_part("not base64!")))[AUDIO]
    errors = refusal(chat_with(audio_part(base64.b64encode(wav_bytes()).decode(), "ogg")))
    assert "messages[0].content[1].input_audio.format" in errors


# --- the files references name --------------------------------------------------------


@pytest.mark.django_db
def test_a_referenced_file_of_the_wrong_kind_or_missing_is_named():
    wav = upload_create(data=wav_bytes(), filename="hello.wav", purpose="audio")
    png = upload_create(data=png_bytes(), filename="cat.png", purpose="image")
    missing = "upload:" + "0" * 64
    body = chat_with(
        image_part(wav.reference),
        audio_part(png.reference),
        audio_part(wav.reference, "mp3"),
        image_part(missing),
    )["body"]
    assert attachment_problems(body) == {
        IMAGE: "hello.wav is not an image of a type allowed here (png, jpeg, webp, gif).",
        "messages[0].content[2].input_audio.data": (
            "cat.png is not wav or mp3 audio (input_audio takes only these)."
        ),
        "messages[0].content[3].input_audio.data": (
            "hello.wav is wav audio, but the part's format says mp3."
        ),
        "messages[0].content[4].image_url.url": (
            f"{missing}: no uploaded file has this content (upload it again)."
        ),
    }


@pytest.mark.django_db
def test_references_become_a_data_url_and_base64_and_the_body_given_is_unchanged():
    png = upload_create(data=png_bytes(5, 6), filename="cat.png", purpose="image")
    wav = upload_create(data=wav_bytes(1.0), filename="hi.wav", purpose="audio")
    body = chat_with(image_part(png.reference, "high"), audio_part(wav.reference))["body"]
    sent = files_inlined(body)
    parts = sent["messages"][0]["content"]
    assert parts[1] == image_part(data_url(png_bytes(5, 6)), "high")
    assert parts[2] == audio_part(base64.b64encode(wav_bytes(1.0)).decode())
    assert body["messages"][0]["content"][1]["image_url"]["url"] == png.reference


def test_the_offline_model_reads_sizes_and_lengths_from_the_files():
    assert image_dimensions(png_bytes(64, 48)) == (64, 48)
    gif = b"GIF89a" + (7).to_bytes(2, "little") + (9).to_bytes(2, "little") + b"\x00" * 20
    assert image_dimensions(gif) == (7, 9)
    jpeg = b"\xff\xd8\xff\xe0\x00\x04ab\xff\xc0\x00\x11\x08\x00\x30\x00\x40" + b"\x00" * 12
    assert image_dimensions(jpeg) == (64, 48)
    assert audio_seconds(wav_bytes(1.5), "wav") == 1.5
    assert audio_seconds(mp3_bytes(), "mp3") == pytest.approx(417 * 8 / 128000)


# --- runs ------------------------------------------------------------------------------


async def reply_of(data: dict) -> str:
    request = validate_request(data)
    provider = get_provider(request.provider)
    body = request.body.model_dump(mode="json", exclude_unset=True)
    events = [event async for event in provider.stream(body, "chat")]
    return "".join(event.text for event in events if isinstance(event, TextDelta))


@pytest.mark.django_db(transaction=True)
async def test_the_offline_model_says_what_it_sees_and_hears():
    png = await sync_to_async(upload_create)(
        data=png_bytes(64, 48), filename="cat.png", purpose="image"
    )
    wav = await sync_to_async(upload_create)(
        data=wav_bytes(1.5), filename="hi.wav", purpose="audio"
    )
    reply = await reply_of(chat_with(image_part(png.reference), audio_part(wav.reference)))
    assert reply.startswith(
        "(Offline model) I see an image of 64×48 pixels (PNG). I hear 1.5 s of audio (WAV). "
        "You said: \u201cWhat is this?\u201d"
    )
    assert await reply_of(chat_with(image_part(png.reference))) == await reply_of(
        chat_with(image_part(png.reference))
    )
    link = await reply_of(chat_with(image_part("https://example.com/a.png"), text="Describe"))
    assert "I see a link to an image on example.com (the offline model does not fetch it)" in link


@pytest.mark.django_db(transaction=True)
async def test_the_upstream_receives_the_files_as_a_data_url_and_base64(fake_upstream):
    png = await sync_to_async(upload_create)(data=png_bytes(), filename="cat.png", purpose="image")
    wav = await sync_to_async(upload_create)(data=wav_bytes(), filename="a.wav", purpose="audio")
    data = chat_with(image_part(png.reference, "low"), audio_part(wav.reference), provider="openai")
    await reply_of(data)
    sent = fake_upstream.chat_requests[0].body["messages"][0]["content"]
    assert sent[1] == image_part(data_url(png_bytes()), "low")
    assert sent[2] == audio_part(base64.b64encode(wav_bytes()).decode())


@pytest.mark.django_db(transaction=True)
async def test_a_file_no_longer_stored_fails_the_run_naming_the_field_before_sending(
    fake_upstream,
):
    data = chat_with(image_part("upload:" + "0" * 64), provider="openai")
    with pytest.raises(UpstreamError) as caught:
        await reply_of(data)
    assert caught.value.message.startswith(f"{IMAGE}: upload:")
    assert fake_upstream.chat_requests == []


# --- the run socket and the history ---------------------------------------------------


async def connect(user) -> RunClient:
    communicator = WebsocketCommunicator(RunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return RunClient(communicator)


@sync_to_async
def stored(data: bytes, filename: str, purpose: str) -> Upload:
    return upload_create(data=data, filename=filename, purpose=purpose)


@sync_to_async
def kept(upload: Upload) -> bool:
    return Upload.objects.get(pk=upload.pk).kept


@pytest.mark.django_db(transaction=True)
async def test_a_run_on_the_page_answers_about_the_image_and_keeps_it():
    ann = await sync_to_async(make_user)("ann")
    png = await stored(png_bytes(64, 48), "cat.png", "image")
    client = await connect(ann)
    await client.send({"action": "run", "request": chat_with(image_part(png.reference))})
    assert await client.receive_until_state() == "done"
    assert "I see an image of 64×48 pixels (PNG)." in client.reply()
    await client.receive_record()
    await client.communicator.disconnect()
    assert await kept(png)
    run = await sync_to_async(Run.objects.get)()
    assert run.request["body"]["messages"][0]["content"][1]["image_url"]["url"] == png.reference


@pytest.mark.django_db(transaction=True)
async def test_a_wrong_file_is_refused_on_the_page_naming_the_field():
    ann = await sync_to_async(make_user)("ann")
    wav = await stored(wav_bytes(), "hello.wav", "audio")
    client = await connect(ann)
    await client.send({"action": "run", "request": chat_with(image_part(wav.reference))})
    frame = await client.receive()
    await client.communicator.disconnect()
    assert "hello.wav is not an image of a type allowed here" in frame
    assert IMAGE in frame
    assert not await kept(wav)


@pytest.mark.django_db(transaction=True)
async def test_a_refused_run_does_not_keep_its_uploads(fake_upstream):
    @sync_to_async
    def spent_user():
        ann = make_user("ann")
        Budget.objects.create(user=ann, monthly_usd=Decimal("1.00"))
        Run.objects.create(
            created_at=datetime.datetime.now(datetime.UTC),
            user=ann,
            provider="openai",
            model="fake-model",
            mode="chat",
            status="finished",
            cost_usd=Decimal("2.00"),
        )
        return ann

    ann = await spent_user()
    png = await stored(png_bytes(), "cat.png", "image")
    client = await connect(ann)
    request = chat_with(image_part(png.reference), provider="openai")
    await client.send({"action": "run", "request": request})
    assert await client.receive_until_state() == "error"
    await client.receive_record()
    await client.communicator.disconnect()
    assert await sync_to_async(Run.objects.filter(status="refused").count)() == 1
    assert not await kept(png)
    assert fake_upstream.chat_requests == []


# --- the terminal ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_the_terminal_reads_at_paths_beside_the_request_file(tmp_path):
    (tmp_path / "cat.png").write_bytes(png_bytes(64, 48))
    (tmp_path / "hi.mp3").write_bytes(mp3_bytes())
    request = chat_with(image_part("@cat.png"), audio_part("@hi.mp3", "mp3"))
    out, err = io.StringIO(), io.StringIO()
    status = await run_request_text(json.dumps(request), out, err, files_dir=tmp_path)
    assert status == 0, err.getvalue()
    assert "I see an image of 64×48 pixels (PNG). I hear 0.03 s of audio (MP3)." in out.getvalue()


@pytest.mark.django_db(transaction=True)
async def test_the_terminal_refuses_a_missing_path_naming_the_field(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    request = json.dumps(chat_with(image_part("@nowhere.png")))
    status = await run_request_text(request, out, err, files_dir=tmp_path)
    assert status == 2
    assert f"{IMAGE}: @nowhere.png: cannot read the file" in err.getvalue()


# --- the form and the pages -------------------------------------------------------------

PNG_REFERENCE = "upload:" + hashlib.sha256(png_bytes(64, 48)).hexdigest()


def test_a_rows_attachments_become_content_parts_after_its_text_and_back():
    values = {
        "mode": "chat",
        "provider": "offline",
        "model": "offline-1",
        "messages-0-role": "user",
        "messages-0-content": "What is this?",
        "messages-0-attachment-0-url": PNG_REFERENCE,
        "messages-0-attachment-0-detail": "low",
        "messages-0-attachment-1-audio": "upload:" + "b" * 64,
        "messages-0-attachment-1-format": "wav",
        "messages-0-attachment-2-url": "https://example.com/a.png",
        "messages-0-attachment-2-detail": "",
    }
    data = request_from_form(values)
    assert data["body"]["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is this?"},
                image_part(PNG_REFERENCE, "low"),
                audio_part("upload:" + "b" * 64),
                image_part("https://example.com/a.png"),
            ],
        }
    ]
    back = form_values_from_request(data)
    assert {k: v for k, v in back.items() if k.startswith("messages-")} == {
        k: v for k, v in values.items() if k.startswith("messages-") and v
    }
    assert request_from_form(back) == data


def test_an_attachment_alone_has_no_text_part_and_parts_a_row_cannot_hold_stay_json():
    values = {
        "messages-0-role": "user",
        "messages-0-content": "",
        "messages-0-attachment-0-url": "https://e.com/a.png",
    }
    assert request_from_form(values)["body"]["messages"][0]["content"] == [
        image_part("https://e.com/a.png")
    ]
    unusual = {"type": "image_url", "image_url": {"url": "https://e.com/a.png"}, "cache": 1}
    data = chat_with(unusual)
    values = form_values_from_request(data)
    assert values["messages-0-content_format"] == "json"
    assert not any("attachment" in name for name in values)


@pytest.mark.django_db
def test_the_page_shows_an_uploaded_image_as_a_thumbnail_in_its_row():
    png = upload_create(data=png_bytes(64, 48), filename="cat.png", purpose="image")
    data = chat_with(image_part(png.reference, "high"), image_part("https://example.com/a.png"))
    page = render_to_string(
        "playground/_request_editor.html", request_editor_context(data, user=None, view="form")
    )
    assert f'<img src="/uploads/{png.sha256}/" alt="cat.png" class="attachment-thumbnail">' in page
    assert f'name="messages-0-attachment-0-url" value="{png.reference}"' in page
    assert '<option value="high" selected>high</option>' in page
    assert 'href="https://example.com/a.png" rel="noreferrer noopener"' in page


@pytest.mark.django_db
def test_the_history_shows_a_runs_images_and_audio(client):
    ann = make_user("ann")
    png = upload_create(data=png_bytes(), filename="cat.png", purpose="image")
    wav = upload_create(data=wav_bytes(), filename="hi.wav", purpose="audio")
    request = chat_with(image_part(png.reference), audio_part(wav.reference))
    run = make_run(user=ann, request=request)
    client.force_login(ann)
    page = client.get(f"/history/{run.pk}/").content.decode()
    assert f'<img src="/uploads/{png.sha256}/" alt="cat.png"' in page
    assert f'<audio controls preload="metadata" src="/uploads/{wav.sha256}/"' in page
    assert "messages[0].content[2]" in page


@pytest.mark.django_db
def test_a_preset_keeps_its_images_and_opens_with_their_thumbnails(client):
    ann = make_user("ann")
    png = upload_create(data=png_bytes(64, 48), filename="cat.png", purpose="image")
    preset = make_preset(ann, request=chat_with(image_part(png.reference, "low")))
    assert Upload.objects.get(pk=png.pk).kept
    client.force_login(ann)
    page = client.get(f"/presets/{preset.pk}/open/", follow=True).content.decode()
    assert f'<img src="/uploads/{png.sha256}/" alt="cat.png" class="attachment-thumbnail">' in page


def test_the_offline_model_answers_a_chinese_prompt_in_chinese():
    message = {"role": "user", "content": [image_part(data_url(png_bytes(3, 2)))]}
    assert attachment_sentences(message, chinese=True) == ["我看到一张 3×2 像素的图片（PNG）。"]
    assert attachment_sentences(message) == ["I see an image of 3×2 pixels (PNG)."]

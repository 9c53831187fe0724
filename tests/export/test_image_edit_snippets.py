"""Image-edit snippets, run for real: Python, Node.js and curl each upload the files from
disk as multipart/form-data, and the fake upstream receives what the playground sends
(compared by fields and by file name, type and hash)."""

import asyncio
import base64
import hashlib
import tempfile
from pathlib import Path

import pytest

from playground.export import export
from playground.providerconfig.lookup import get_provider
from playground.providers import Images, offline_images
from playground.providers.openai_format import Sender
from playground.spec import RequestInvalid, upstream_body, validate_request
from tests.conftest import TEST_API_KEY
from tests.export.test_run_snippets import _run, node_sdk  # noqa: F401 (a fixture)
from tests.image_edit_samples import jpeg, mask, picture, uploaded

# Text a shell, a JS string or a form field could get wrong: a leading @ (curl -F would
# read a file), quotes, $, newlines, non-ASCII.
PROMPT = "@home: paint the sky red, \"now\" 'please' $HOME `id`\nline 2 你好"
LANGS = ("python", "node", "curl")


def sent(request) -> tuple[dict, dict]:
    """A recorded multipart request as (text fields, {part: [(file name, type, sha256)]})."""
    files = {
        name: [(f.filename, f.content_type, f.sha256) for f in parts]
        for name, parts in request.files.items()
    }
    return dict(request.body), files


def playground_sends(fake_upstream, request: dict) -> tuple[tuple[dict, dict], list[bytes]]:
    """What the playground itself sends for ``request``, and the images it gets back."""
    body = upstream_body(validate_request(request))

    async def run() -> list:
        return [e async for e in get_provider("openai").stream(body, "image")]

    events = asyncio.run(run())
    (images,) = [e for e in events if isinstance(e, Images)]
    recorded = fake_upstream.requests.pop()
    return sent(recorded), [base64.b64decode(i.b64_json) for i in images.images]


def offline_edit(fields: dict, image: bytes, cut: bytes) -> list[bytes]:
    """The images the fake upstream answers an edit with (the offline model's)."""
    answer = offline_images.images_response(fields, Sender("fake"), source=image, mask=cut)
    return [base64.b64decode(item["b64_json"]) for item in answer["data"]]


def answered(recorded) -> list[bytes]:
    return offline_edit(
        recorded.body, recorded.files["image"][0].data, recorded.files["mask"][0].data
    )


@pytest.mark.django_db(transaction=True)
def test_edit_snippets_upload_the_same_fields_and_files_as_the_playground(
    fake_upstream,
    node_sdk,  # noqa: F811
    tmp_path,
):
    files = {"photo.png": picture(), "mask.png": mask()}
    body = {
        "model": "gpt-image-1",
        "prompt": PROMPT,
        "image": uploaded(files["photo.png"], "photo.png"),
        "mask": uploaded(files["mask.png"], "mask.png"),
        "n": 2,
        "quality": "low",
        "input_fidelity": "high",
        "output_compression": 50,
        "output_format": "webp",
        # A provider's own key: a form field too (extra_body in Python).
        "watermark": False,
    }
    request = {"mode": "image", "provider": "openai", "body": body}
    expected, images = playground_sends(fake_upstream, request)
    answered_to_playground = offline_edit(expected[0], files["photo.png"], files["mask.png"])
    assert expected[0]["prompt"] == PROMPT and expected[0]["watermark"] == "false"
    assert expected[1] == {
        "image": [("photo.png", "image/png", hashlib.sha256(files["photo.png"]).hexdigest())],
        "mask": [("mask.png", "image/png", hashlib.sha256(files["mask.png"]).hexdigest())],
    }
    for lang in LANGS:
        snippet = export(lang, request)
        assert TEST_API_KEY not in snippet and "upload:" not in snippet
        assert "Reads photo.png, mask.png from the current directory" in snippet
        workdir = Path(tempfile.mkdtemp(dir=tmp_path))
        for name, data in files.items():
            (workdir / name).write_bytes(data)
        result = _run(lang, snippet, workdir)
        assert result.returncode == 0, (lang, result.stderr.decode()[-2000:])
        (recorded,) = fake_upstream.requests_to("/images/edits")
        fake_upstream.requests.clear()
        assert recorded.path == "/v1/images/edits", lang
        if lang == "node":
            # Node's FormData sends line breaks as CRLF, as the multipart standard says (the
            # snippet says so too).
            assert "sends each line break of a text field as \\r\\n" in snippet
            fields, parts = sent(recorded)
            fields["prompt"] = fields["prompt"].replace("\r\n", "\n")
            assert (fields, parts) == expected
        else:
            assert sent(recorded) == expected, lang
        if lang != "curl":  # the SDK snippets save the images they get
            # The offline model answers png (and says so) whatever output_format asks.
            saved = [(workdir / f"image-{n}.png").read_bytes() for n in (1, 2)]
            assert saved == answered(recorded), lang
    assert images == answered_to_playground


@pytest.mark.django_db(transaction=True)
def test_several_images_are_uploaded_as_image_brackets_by_every_snippet(
    fake_upstream,
    node_sdk,  # noqa: F811
    tmp_path,
):
    files = {"one.png": picture(), "two.jpg": jpeg()}
    body = {"prompt": "Put them together", "image": [uploaded(d, n) for n, d in files.items()]}
    request = {"mode": "image", "provider": "openai", "body": body}
    expected, _images = playground_sends(fake_upstream, request)
    assert [f[:2] for f in expected[1]["image[]"]] == [
        ("one.png", "image/png"),
        ("two.jpg", "image/jpeg"),
    ]
    for lang in LANGS:
        workdir = Path(tempfile.mkdtemp(dir=tmp_path))
        for name, data in files.items():
            (workdir / name).write_bytes(data)
        result = _run(lang, export(lang, request), workdir)
        assert result.returncode == 0, (lang, result.stderr.decode()[-2000:])
        (recorded,) = fake_upstream.requests
        fake_upstream.requests.clear()
        assert sent(recorded) == expected, lang


@pytest.mark.django_db
def test_two_uploads_with_one_name_are_read_from_two_files():
    body = {
        "prompt": "p",
        "image": uploaded(picture(), "photo.png"),
        "mask": uploaded(mask(), "photo.png"),
    }
    snippet = export("python", {"mode": "image", "provider": "openai", "body": body})
    assert "image=('photo.png', open('photo.png', 'rb'), 'image/png')" in snippet
    assert "mask=('photo-2.png', open('photo-2.png', 'rb'), 'image/png')" in snippet


@pytest.mark.django_db
def test_an_upload_that_is_not_stored_cannot_be_exported():
    body = {"prompt": "p", "image": "upload:" + "0" * 64}
    with pytest.raises(RequestInvalid) as refused:
        export("curl", {"mode": "image", "provider": "openai", "body": body})
    assert refused.value.errors == {
        "image": f"upload:{'0' * 64}: no uploaded file has this content (upload it again)."
    }


def test_a_terminal_path_is_exported_as_that_path():
    body = {"prompt": "p", "image": "@pictures/cat.webp"}
    snippet = export("curl", {"mode": "image", "provider": "openai", "body": body})
    assert "-F 'image=@\"pictures/cat.webp\";type=image/webp'" in snippet
    assert "--form-string 'prompt=p'" in snippet

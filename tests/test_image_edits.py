"""Image edits: an image body with an image (and a mask) goes to /images/edits as a
multipart upload, checked against OpenAI's CreateImageEditRequest before it is sent."""

import base64
import hashlib

import pytest

from playground.image_edit_files import image_header, png_pixels
from playground.modes import get_mode
from playground.providerconfig.lookup import get_provider
from playground.providers import Images, UpstreamError
from playground.providers.offline import OfflineProvider
from playground.request_files import body_files_read
from playground.spec import RequestInvalid, upstream_body, validate_request
from playground.uploads.models import Upload
from tests.image_edit_samples import (
    GIF,
    PROMPT,
    flat,
    jpeg,
    mask,
    picture,
    rgba_at,
    uploaded,
    webp,
)
from tests.openapi import assert_valid_request
from tests.test_consumers_modes import image_cards, run_message, text_of


def edit(**body) -> dict:
    return {"mode": "image", "provider": "offline", "body": {"prompt": PROMPT, **body}}


def problems(**body) -> dict[str, str]:
    with pytest.raises(RequestInvalid) as refused:
        validate_request(edit(**body))
    return refused.value.errors


def file_problems(**body) -> dict[str, str]:
    request = validate_request(edit(**body))
    with pytest.raises(RequestInvalid) as refused:
        body_files_read("image", upstream_body(request))
    return refused.value.errors


REFERENCE = "upload:" + "a" * 64


# --- which endpoint, and the body's fields ---------------------------------------------


def test_a_body_with_an_image_goes_to_the_edits_endpoint_as_a_multipart_upload():
    mode = get_mode("image")
    generation = mode.endpoint_for({"prompt": "p"})
    edit_endpoint = mode.endpoint_for({"prompt": "p", "image": REFERENCE})
    assert (generation.path, generation.multipart) == ("/images/generations", False)
    assert (edit_endpoint.path, edit_endpoint.multipart) == ("/images/edits", True)
    assert edit_endpoint.sdk.method == "images.edit"
    assert mode.endpoint_for({"prompt": "p", "image": ""}) == generation
    assert mode.file_fields == ("image", "mask")


def test_an_edit_body_is_valid_for_openais_create_image_edit_request():
    body = {
        "model": "gpt-image-1",
        "image": [REFERENCE, "@photo.jpg"],
        "mask": "@mask.png",
        "size": "1024x1024",
        "quality": "high",
        "input_fidelity": "high",
        "background": "opaque",
        "output_format": "webp",
        "output_compression": 80,
        "n": 2,
    }
    request = validate_request(edit(**body))
    assert upstream_body(request) == {"prompt": PROMPT, **body}
    assert_valid_request("image", upstream_body(request))


def test_a_file_field_must_be_a_file_reference():
    message = "expected a file: upload:<sha256> from the page, or @path in the terminal"
    assert problems(image="https://example.com/cat.png") == {"image": message}
    assert problems(image=REFERENCE, mask="cat.png") == {"mask": message}
    assert problems(image=[REFERENCE] * 17) == {"image": "give from 1 to 16 images"}


def test_what_only_generations_take_is_refused_for_an_edit_naming_the_field():
    assert problems(image=REFERENCE, style="vivid", moderation="low") == {
        "style": "is for generating images; image edits do not take it",
        "moderation": "is for generating images; image edits do not take it",
    }


def test_what_only_edits_take_is_refused_for_a_generation_naming_the_field():
    assert problems(input_fidelity="high") == {
        "input_fidelity": "is for editing an image: choose an image to edit, or clear it"
    }
    # A mask alone asks for an edit, which needs its image.
    assert problems(mask=REFERENCE) == {"image": "is required"}


def test_each_model_family_is_held_to_what_its_edits_take():
    assert problems(image=REFERENCE, model="dall-e-3") == {
        "model": "dall-e-3 does not edit images; use dall-e-2 or a GPT image model"
    }
    assert problems(image=[REFERENCE, REFERENCE], model="dall-e-2", input_fidelity="low") == {
        "image": "dall-e-2 edits at most 1 image(s) at a time",
        "input_fidelity": "dall-e-2 does not take it (GPT image models other than "
        "gpt-image-1-mini do)",
    }
    assert "input_fidelity" in problems(
        image=REFERENCE, model="gpt-image-1-mini", input_fidelity="high"
    )
    assert problems(image=REFERENCE, model="dall-e-2", size="1536x1024") == {
        "size": "'1536x1024' is not a size dall-e-2 makes (use 256x256, 512x512, 1024x1024)"
    }


# --- the files, read from their bytes ------------------------------------------------


def test_image_headers_give_the_type_dimensions_and_alpha():
    assert image_header(picture(30, 20)) == image_header(picture(30, 20))
    assert (image_header(picture(30, 20)).width, image_header(picture(30, 20)).height) == (30, 20)
    assert not image_header(picture()).alpha and image_header(mask()).alpha
    header = image_header(jpeg(40, 30))
    assert (header.media_type, header.width, header.height) == ("image/jpeg", 40, 30)
    header = image_header(webp(24, 12))
    assert (header.media_type, header.width, header.height, header.alpha) == (
        "image/webp",
        24,
        12,
        True,
    )
    assert image_header(GIF) is None and image_header(b"\x89PNG\r\n\x1a\n") is None


@pytest.mark.django_db
def test_a_mask_that_is_not_a_png_with_alpha_of_the_images_size_is_refused():
    image = uploaded(picture(), "photo.png")
    assert file_problems(image=image, mask=uploaded(jpeg(32, 32), "mask.jpg")) == {
        "mask": "mask.jpg is not a PNG; the mask must be a PNG with transparency"
    }
    assert file_problems(image=image, mask=uploaded(flat(), "flat.png")) == {
        "mask": "flat.png has no alpha channel: the mask's fully transparent pixels are where "
        "the image is edited (save it as an RGBA PNG)"
    }
    assert file_problems(image=image, mask=uploaded(mask(64, 32), "wide.png")) == {
        "mask": "wide.png is 64x32; the mask must have the image's dimensions, 32x32"
    }
    sent = body_files_read(
        "image", {"prompt": "p", "image": image, "mask": uploaded(mask(), "m.png")}
    )
    assert [c.filename for c in sent.files["image"] + sent.files["mask"]] == ["photo.png", "m.png"]
    assert sent.fields == {"prompt": "p"}


@pytest.mark.django_db
def test_images_of_other_types_or_shapes_are_refused_naming_the_file():
    assert file_problems(image=uploaded(GIF, "anim.gif")) == {
        "image": "anim.gif is not a png, webp or jpg image"
    }
    assert file_problems(image=uploaded(jpeg(), "photo.jpg"), model="dall-e-2") == {
        "image": "dall-e-2 edits png images only; photo.jpg is not one"
    }
    assert file_problems(image=uploaded(picture(40, 30), "wide.png"), model="dall-e-2") == {
        "image": "dall-e-2 edits square images only; wide.png is 40x30"
    }
    several = [uploaded(picture(), "a.png"), uploaded(GIF, "anim.gif")]
    assert file_problems(image=several) == {"image[1]": "anim.gif is not a png, webp or jpg image"}
    assert file_problems(image="upload:" + "0" * 64) == {
        "image": f"upload:{'0' * 64}: no uploaded file has this content (upload it again)."
    }


def test_a_path_is_read_only_by_the_terminal():
    assert file_problems(image="@/etc/hostname") == {
        "image": "@/etc/hostname: a file path is read only by the terminal (run_request); "
        "in the page, upload the file."
    }


# --- the offline model ----------------------------------------------------------------


async def offline_images(body: dict) -> Images:
    events = [e async for e in OfflineProvider(tokens_per_second=0).stream(body, "image")]
    (images,) = [e for e in events if isinstance(e, Images)]
    return images


def png_of(images: Images, index: int = 0) -> bytes:
    return base64.b64decode(images.images[index].b64_json)


@pytest.mark.django_db(transaction=True)
async def test_the_offline_model_tints_the_image_where_the_mask_is_transparent():
    from asgiref.sync import sync_to_async

    image = await sync_to_async(uploaded)(picture(), "photo.png")
    cut = await sync_to_async(uploaded)(mask(), "mask.png")
    images = await offline_images({"prompt": PROMPT, "image": image, "mask": cut, "n": 2})
    edited = png_of(images)
    assert png_pixels(edited).width == 32 and png_pixels(edited).height == 32
    source, holes = png_pixels(picture()), png_pixels(mask())
    changed = kept = 0
    for y in range(32):
        for x in range(32):
            before = tuple(source.rows[y][4 * x : 4 * x + 4])
            after = rgba_at(edited, x, y)
            if holes.rows[y][4 * x + 3] == 0:
                changed += after != before
            else:
                kept += 1
                assert after == before, (x, y)
    assert changed > 0 and kept > 0
    assert png_of(images, 0) != png_of(images, 1)  # each of n differs
    assert "edited by the offline model" in images.images[0].revised_prompt
    # The same request, the same pictures.
    again = await offline_images({"prompt": PROMPT, "image": image, "mask": cut, "n": 2})
    assert png_of(again) == edited


@pytest.mark.django_db(transaction=True)
async def test_the_offline_model_edits_without_a_mask_and_at_the_size_asked():
    from asgiref.sync import sync_to_async

    image = await sync_to_async(uploaded)(picture(), "photo.png")
    whole = png_of(await offline_images({"prompt": PROMPT, "image": image}))
    assert all(rgba_at(whole, x, 5) != rgba_at(picture(), x, 5) for x in range(0, 32, 7))
    bigger = png_of(await offline_images({"prompt": PROMPT, "image": image, "size": "64x64"}))
    assert (png_pixels(bigger).width, png_pixels(bigger).height) == (64, 64)
    photo = await sync_to_async(uploaded)(jpeg(40, 30), "photo.jpg")
    drawn = png_of(await offline_images({"prompt": PROMPT, "image": photo}))
    assert (image_header(drawn).width, image_header(drawn).height) == (40, 30)


@pytest.mark.django_db(transaction=True)
async def test_a_bad_file_met_by_the_provider_is_refused_naming_it_and_nothing_is_sent(
    fake_upstream,
):
    from asgiref.sync import sync_to_async

    image = await sync_to_async(uploaded)(GIF, "anim.gif")
    for provider in (OfflineProvider(tokens_per_second=0), get_provider("openai")):
        with pytest.raises(UpstreamError) as refused:
            [e async for e in provider.stream({"prompt": "p", "image": image}, "image")]
        assert refused.value.kind == "refused" and refused.value.param == "image"
        assert "image: anim.gif is not a png, webp or jpg image" in refused.value.message
    assert fake_upstream.requests == []


# --- an OpenAI-compatible upstream ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_an_edit_is_uploaded_as_multipart_form_data_and_answered_with_images(fake_upstream):
    from asgiref.sync import sync_to_async

    image = await sync_to_async(uploaded)(picture(), "photo.png")
    cut = await sync_to_async(uploaded)(mask(), "mask.png")
    body = {
        "model": "gpt-image-1",
        "prompt": PROMPT,
        "image": image,
        "mask": cut,
        "n": 2,
        "input_fidelity": "high",
        "quality": "low",
    }
    events = [e async for e in get_provider("openai").stream(body, "image")]
    (request,) = fake_upstream.requests
    assert request.path == "/v1/images/edits"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert request.body == {
        "model": "gpt-image-1",
        "prompt": PROMPT,
        "n": "2",
        "input_fidelity": "high",
        "quality": "low",
    }
    files = {
        name: [(f.filename, f.content_type, f.sha256) for f in parts]
        for name, parts in request.files.items()
    }
    assert files == {
        "image": [("photo.png", "image/png", hashlib.sha256(picture()).hexdigest())],
        "mask": [("mask.png", "image/png", hashlib.sha256(mask()).hexdigest())],
    }
    (images,) = [e for e in events if isinstance(e, Images)]
    offline = await offline_images(body)
    assert [png_of(images, i) for i in (0, 1)] == [png_of(offline, i) for i in (0, 1)]


@pytest.mark.django_db(transaction=True)
async def test_several_images_go_as_image_brackets_parts(fake_upstream):
    from asgiref.sync import sync_to_async

    first = await sync_to_async(uploaded)(picture(), "one.png")
    second = await sync_to_async(uploaded)(jpeg(), "two.jpg")
    body = {"prompt": PROMPT, "image": [first, second]}
    [e async for e in get_provider("openai").stream(body, "image")]
    (request,) = fake_upstream.requests
    assert [f.filename for f in request.files["image[]"]] == ["one.png", "two.jpg"]
    assert request.body == {"prompt": PROMPT}


# --- the page's socket ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_the_page_shows_the_edited_image_in_the_grid(run_client, fake_upstream):
    from asgiref.sync import sync_to_async

    image = await sync_to_async(uploaded)(picture(), "photo.png")
    cut = await sync_to_async(uploaded)(mask(), "mask.png")
    body = {"model": "offline-1", "prompt": PROMPT, "image": image, "mask": cut}
    await run_client.send(run_message("image", body, provider="offline"))
    assert await run_client.receive_until_state() == "done", run_client.status_text()
    (card,) = image_cards(run_client)
    assert 'download="paint-the-sky-red-1.png"' in card
    assert "Paint the sky red (edited by the offline model" in text_of(card)


@pytest.mark.django_db(transaction=True)
async def test_a_bad_mask_is_refused_before_the_run_naming_it_and_not_kept(
    run_client, fake_upstream
):
    from asgiref.sync import sync_to_async

    image = await sync_to_async(uploaded)(picture(), "photo.png")
    flat_mask = await sync_to_async(uploaded)(flat(), "flat.png")
    body = {"model": "gpt-image-1", "prompt": PROMPT, "image": image, "mask": flat_mask}
    await run_client.send(run_message("image", body))
    assert await run_client.receive_until_state() == "invalid"
    assert "flat.png has no alpha channel" in run_client.status_text()
    assert fake_upstream.requests == []
    kept = await sync_to_async(lambda: list(Upload.objects.values_list("kept", flat=True)))()
    assert kept == [False, False]


# --- the page's form ------------------------------------------------------------------


def test_the_forms_file_fields_carry_the_references_both_ways():
    from playground.forms import form_values_from_request, request_from_form

    values = {
        "mode": "image",
        "provider": "offline",
        "prompt": PROMPT,
        "image": REFERENCE,
        "mask": "",
        "input_fidelity": "low",
    }
    request = request_from_form(values)
    assert request["body"] == {"prompt": PROMPT, "image": REFERENCE, "input_fidelity": "low"}
    back = form_values_from_request(request)
    assert back["image"] == REFERENCE and "mask" not in back and "extensions" not in back
    # Several images are more than the form's one field holds: they stay in the extensions.
    several = {**request, "body": {"prompt": PROMPT, "image": [REFERENCE, REFERENCE]}}
    assert "image" not in form_values_from_request(several)
    assert REFERENCE in form_values_from_request(several)["extensions"]


def test_a_png_that_inflates_beyond_its_rows_is_read_no_further():
    import struct
    import zlib

    from playground.image_edit_files import _chunk

    header = struct.pack(">IIBBBBB", 4, 4, 8, 6, 0, 0, 0)
    bomb = zlib.compress(b"\x00" * (50 * 1024 * 1024))  # 50 MB of zeros, ~50 KB packed
    png = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", bomb)
    pixels = png_pixels(png + _chunk(b"IEND", b""))
    assert pixels is not None and len(pixels.rows) == 4 and len(pixels.rows[0]) == 16


@pytest.mark.django_db
def test_an_edit_opened_from_a_preset_or_the_history_shows_its_files_in_the_form():
    from tests.test_request_form import rendered, value_of

    image = uploaded(picture(), "photo.png")
    cut = uploaded(mask(), "mask.png")
    page = rendered(edit(image=image, mask=cut, input_fidelity="high"))
    assert '<details class="image-edit" open>' in page
    assert value_of(page, "image") == image and value_of(page, "mask") == cut
    assert f"photo.png ({len(picture())} B)" in page and f"mask.png ({len(mask())} B)" in page
    assert 'data-media-type="image/png"' in page
    assert 'class="file-field-remove">' in page  # not hidden: there is a file to remove
    fresh = rendered(edit())
    assert '<details class="image-edit">' in fresh
    assert 'class="file-field-remove" hidden>' in fresh


def test_the_offline_edit_answer_is_openais_images_response():
    from playground.providers.offline_images import images_response
    from playground.providers.openai_format import Sender
    from tests.openapi import assert_valid

    answer = images_response(
        {"prompt": PROMPT, "n": 2, "size": "1024x1024"},
        Sender("offline"),
        source=picture(),
        mask=mask(),
    )
    assert_valid(answer, "ImagesResponse")
    assert answer["size"] == "1024x1024"
    assert image_header(base64.b64decode(answer["data"][1]["b64_json"])).width == 1024


def test_the_fake_upstream_reads_a_chunked_multipart_upload(fake_upstream):
    import httpx

    boundary = "b0und4ry"
    parts = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\n{PROMPT}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="p.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + picture()
        + f"\r\n--{boundary}--\r\n".encode()
    )

    def chunks():  # no length known: httpx sends Transfer-Encoding: chunked
        yield from (parts[i : i + 100] for i in range(0, len(parts), 100))

    response = httpx.post(
        f"{fake_upstream.base_url}/images/edits",
        content=chunks(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 200
    (request,) = fake_upstream.requests
    assert request.headers["transfer-encoding"] == "chunked"
    assert request.body == {"prompt": PROMPT}
    assert [(f.filename, f.data) for f in request.files["image"]] == [("p.png", picture())]

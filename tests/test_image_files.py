"""Only real PNG, JPEG and WebP files become images on the page; links are never fetched."""

import base64

from playground.image_files import file_stem, media_type, shown_image
from playground.providers import GeneratedImage
from playground.providers.offline_images import draw_png

PNG = draw_png(8, 8, "x")
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_the_file_type_is_read_from_the_first_bytes_not_from_the_answer():
    assert [media_type(d) for d in (PNG, JPEG, WEBP)] == ["image/png", "image/jpeg", "image/webp"]
    assert media_type(b"<svg onload=alert(1)>") is None
    assert media_type(b"GIF89a") is None


def test_a_png_is_shown_as_a_data_url_with_a_file_name_from_the_prompt():
    shown, data = shown_image(GeneratedImage(b64_json=b64(PNG)), 2, file_stem("A fox, at dusk!"))
    assert data == PNG
    assert shown.data_url == "data:image/png;base64," + b64(PNG)
    assert shown.file_name == "a-fox-at-dusk-2.png" and shown.size_bytes == len(PNG)
    assert file_stem("") == "image" and file_stem("狐狸") == "image"


def test_a_jpeg_named_png_by_its_answer_is_shown_as_a_jpeg():
    shown, _ = shown_image(GeneratedImage(url="data:image/png;base64," + b64(JPEG)), 1, "x")
    assert shown.data_url.startswith("data:image/jpeg;base64,") and shown.file_name == "x-1.jpg"


def test_bytes_that_are_no_image_and_svg_are_not_shown():
    for data in (b"<svg onload=alert(1)>", b"not base64 at all"):
        shown, kept = shown_image(GeneratedImage(b64_json=b64(data)), 1, "x")
        assert (shown.data_url, shown.link, shown.unreadable, kept) == ("", "", True, None)
    shown, _ = shown_image(GeneratedImage(b64_json="%%%"), 1, "x")
    assert shown.unreadable and not shown.data_url
    shown, _ = shown_image(GeneratedImage(url="data:text/html,<script>alert(1)</script>"), 1, "x")
    assert shown.unreadable and not shown.data_url and not shown.other_link


def test_only_http_links_are_links_and_none_is_fetched():
    shown, data = shown_image(GeneratedImage(url="https://cdn.example/i.png?sig=1"), 1, "x")
    assert (shown.link, data) == ("https://cdn.example/i.png?sig=1", None)
    shown, _ = shown_image(GeneratedImage(url="javascript:alert(1)"), 1, "x")
    assert shown.link == "" and shown.other_link == "javascript:alert(1)"

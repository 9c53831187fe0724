"""Image requests are refused before sending when no model, or the named one, makes them."""

import pytest

from playground.spec import RequestInvalid, validate_request


def refusal(**body) -> dict[str, str]:
    with pytest.raises(RequestInvalid) as refused:
        validate_request({"mode": "image", "provider": "p", "body": {"prompt": "p", **body}})
    return refused.value.errors


@pytest.mark.parametrize(
    ("size", "said"),
    [
        ("big", "'big' is not a size (use auto, or WIDTHxHEIGHT in pixels such as 1024x1024)"),
        ("1024*1024", "'1024*1024' is not a size (use auto"),
        ("0x0", "'0x0' is not a size any model makes (width and height from 16 to 4096 pixels)"),
        ("100000x100000", "width and height from 16 to 4096 pixels"),
    ],
)
def test_an_impossible_size_is_refused_naming_what_is_allowed(size, said):
    assert said in refusal(size=size)["size"]


@pytest.mark.parametrize(
    ("body", "field", "said"),
    [
        (
            {"model": "dall-e-2", "size": "1792x1024"},
            "size",
            "'1792x1024' is not a size dall-e-2 makes (use 256x256, 512x512, 1024x1024)",
        ),
        (
            {"model": "openai/dall-e-3", "size": "256x256"},
            "size",
            "is not a size openai/dall-e-3 makes (use 1024x1024, 1792x1024, 1024x1792)",
        ),
        (
            {"model": "gpt-image-1", "size": "1792x1024"},
            "size",
            "(use auto, 1024x1024, 1536x1024, 1024x1536)",
        ),
        ({"model": "gpt-image-2", "size": "1000x1000"}, "size", "divisible by 16"),
        ({"model": "gpt-image-2", "size": "3840x1024"}, "size", "between 1:3 and 3:1"),
        ({"model": "gpt-image-2", "size": "3840x2176"}, "size", "largest size, 3840x2160"),
        ({"model": "dall-e-3", "n": 2}, "n", "dall-e-3 makes at most 1 image(s) per request"),
        ({"model": "gpt-image-1", "quality": "hd"}, "quality", "use low, medium, high, auto"),
        ({"model": "gpt-image-1", "style": "vivid"}, "style", "only dall-e-3 takes a style"),
        ({"model": "gpt-image-1", "response_format": "url"}, "response_format", "b64_json"),
        ({"model": "dall-e-3", "background": "transparent"}, "background", "GPT image models"),
        ({"model": "dall-e-2", "prompt": "x" * 1001}, "prompt", "dall-e-2 takes at most 1000"),
        ({"output_compression": 50}, "output_compression", "only applies to jpeg or webp"),
        (
            {"background": "transparent", "output_format": "jpeg"},
            "background",
            "transparent needs output_format png or webp",
        ),
        ({"n": 11}, "n", "11 is out of range (allowed: 1 to 10)"),
        ({"output_compression": 101}, "output_compression", "allowed: 0 to 100"),
        ({"quality": "ultra"}, "quality", "'ultra' is not allowed"),
        ({"response_format": "png"}, "response_format", "'url' or 'b64_json'"),
        ({"prompt": ""}, "prompt", "must not be empty"),
    ],
)
def test_what_a_model_does_not_make_is_refused_naming_the_field(body, field, said):
    errors = refusal(**body)
    assert said in errors[field], errors


def test_a_model_not_listed_is_held_to_the_general_rules_only():
    body = {"prompt": "p", "model": "offline-1", "size": "300x200", "n": 10, "style": "vivid"}
    request = validate_request({"mode": "image", "provider": "offline", "body": body})
    assert request.body.size == "300x200"

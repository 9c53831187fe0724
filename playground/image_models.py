"""What image models make: sizes, counts, qualities and parameters, checked before sending.

OpenAI's ``POST /images/generations`` takes one body for very different models, and each
refuses what it does not make with a 400 naming one parameter at a time. The rules here
come from the descriptions in OpenAI's OpenAPI document (``CreateImageRequest``): any
size must at least be ``auto`` or ``WIDTHxHEIGHT`` within sane bounds (``size_problem``);
a known family (matched on the model name, also behind a gateway prefix such as
``openai/dall-e-3``) is held to what it makes (``family_problems``). A model not listed
(a gateway's, a local server's, the offline model) is held to the general rules only.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

# Any image model: each side at least this, at most that (gpt-image-2 tops out at 3840).
MIN_SIDE = 16
MAX_SIDE = 4096

_SIZE = re.compile(r"([0-9]{1,6})x([0-9]{1,6})")

GPT_IMAGE_ONLY = ("background", "output_format", "output_compression", "moderation")


@dataclass(frozen=True)
class ImageFamily:
    """A family of OpenAI image models and what it makes."""

    label: str
    pattern: re.Pattern[str]
    # The sizes it makes; None: any size within the free-size rules (gpt-image-2).
    sizes: tuple[str, ...] | None
    max_images: int
    qualities: tuple[str, ...]
    max_prompt_chars: int
    # The GPT image models: background, output format and compression, moderation; always
    # base64 (no response_format); no style.
    gpt_image: bool
    takes_style: bool = False
    # How many images one edit (POST /images/edits) takes; 0: the family does not edit.
    max_edit_images: int = 16


_GPT_QUALITIES = ("low", "medium", "high", "auto")
FAMILIES = (
    ImageFamily(
        "dall-e-2",
        re.compile(r"(?:^|/)dall-e-2$", re.IGNORECASE),
        ("256x256", "512x512", "1024x1024"),
        10,
        ("standard", "auto"),
        1000,
        gpt_image=False,
        max_edit_images=1,
    ),
    ImageFamily(
        "dall-e-3",
        re.compile(r"(?:^|/)dall-e-3$", re.IGNORECASE),
        ("1024x1024", "1792x1024", "1024x1792"),
        1,
        ("standard", "hd", "auto"),
        4000,
        gpt_image=False,
        takes_style=True,
        max_edit_images=0,
    ),
    # gpt-image-2 (and its dated versions) make free sizes.
    ImageFamily(
        "gpt-image-2",
        re.compile(r"(?:^|/)gpt-image-2(?:$|-)", re.IGNORECASE),
        None,
        10,
        _GPT_QUALITIES,
        32000,
        gpt_image=True,
    ),
    ImageFamily(
        "gpt-image-1",
        re.compile(r"(?:^|/)gpt-image-1(?:$|[-.])", re.IGNORECASE),
        ("auto", "1024x1024", "1536x1024", "1024x1536"),
        10,
        _GPT_QUALITIES,
        32000,
        gpt_image=True,
    ),
)

# gpt-image-2's free sizes: sides divisible by 16, at most 3:1 either way, up to 3840x2160.
FREE_SIZE_STEP = 16
FREE_SIZE_MAX_RATIO = 3
FREE_SIZE_MAX_EDGE = 3840
FREE_SIZE_MAX_PIXELS = 3840 * 2160


def family_of(model: str | None) -> ImageFamily | None:
    """The known family of ``model``; None for a model not listed."""
    return next((f for f in FAMILIES if model and f.pattern.search(model)), None)


def parse_size(size: str) -> tuple[int, int] | None:
    """``WIDTHxHEIGHT`` as two numbers; None for ``auto`` or anything else."""
    match = _SIZE.fullmatch(size)
    return (int(match[1]), int(match[2])) if match else None


def size_problem(size: str) -> str | None:
    """Why no model makes ``size``, in words naming what is allowed; None when it may."""
    if size == "auto":
        return None
    dimensions = parse_size(size)
    if dimensions is None:
        return _(
            "%(value)s is not a size (use auto, or WIDTHxHEIGHT in pixels such as 1024x1024)"
        ) % {"value": repr(size)}
    if not all(MIN_SIDE <= side <= MAX_SIDE for side in dimensions):
        return _(
            "%(value)s is not a size any model makes (width and height from %(low)s to "
            "%(high)s pixels)"
        ) % {"value": repr(size), "low": MIN_SIDE, "high": MAX_SIDE}
    return None


def family_problems(body: dict[str, Any]) -> dict[str, str]:
    """``{field: why}`` for what the body's model family does not make (empty when the
    model is not a known one, or the body asks only for what it makes)."""
    model = body.get("model")
    family = family_of(model)
    if family is None:
        return {}
    names = {"model": model}
    problems: dict[str, str] = {}
    size = body.get("size")
    if isinstance(size, str) and size_problem(size) is None:
        problem = _free_size_problem(size) if family.sizes is None else None
        if family.sizes is not None and size not in family.sizes:
            problem = _("%(value)s is not a size %(model)s makes (use %(allowed)s)") % {
                "value": repr(size),
                "allowed": ", ".join(family.sizes),
                **names,
            }
        if problem:
            problems["size"] = problem
    n = body.get("n")
    if isinstance(n, int) and n > family.max_images:
        problems["n"] = _("%(model)s makes at most %(count)s image(s) per request") % {
            "count": family.max_images,
            **names,
        }
    quality = body.get("quality")
    if quality is not None and quality not in family.qualities:
        problems["quality"] = _("%(value)s is not a quality %(model)s offers (use %(allowed)s)") % {
            "value": repr(quality),
            "allowed": ", ".join(family.qualities),
            **names,
        }
    if body.get("style") is not None and not family.takes_style:
        problems["style"] = _("only dall-e-3 takes a style; %(model)s does not") % names
    if family.gpt_image and body.get("response_format") is not None:
        problems["response_format"] = (
            _("%(model)s always answers base64 (b64_json) and refuses response_format: clear it")
            % names
        )
    if not family.gpt_image:
        for name in GPT_IMAGE_ONLY:
            if body.get(name) is not None:
                problems[name] = (
                    _(
                        "only the GPT image models (gpt-image-1 and later) take it; %(model)s does not"
                    )
                    % names
                )
    prompt = body.get("prompt")
    if isinstance(prompt, str) and len(prompt) > family.max_prompt_chars:
        problems["prompt"] = _(
            "is %(length)s characters long; %(model)s takes at most %(limit)s"
        ) % {"length": len(prompt), "limit": family.max_prompt_chars, **names}
    return problems


def _free_size_problem(size: str) -> str | None:
    dimensions = parse_size(size)
    if dimensions is None:
        return None  # auto
    width, height = dimensions
    if width % FREE_SIZE_STEP or height % FREE_SIZE_STEP:
        return _("%(value)s: width and height must both be divisible by %(step)s") % {
            "value": repr(size),
            "step": FREE_SIZE_STEP,
        }
    if max(width, height) > FREE_SIZE_MAX_RATIO * min(width, height):
        return _("%(value)s: the aspect ratio must be between 1:3 and 3:1") % {"value": repr(size)}
    if max(width, height) > FREE_SIZE_MAX_EDGE or width * height > FREE_SIZE_MAX_PIXELS:
        return _("%(value)s is larger than the largest size, 3840x2160") % {"value": repr(size)}
    return None


# gpt-image-1-mini (any version) refuses input_fidelity.
_MINI = re.compile(r"-mini(?:$|-)", re.IGNORECASE)


def edit_family_problems(body: dict[str, Any]) -> dict[str, str]:
    """``{field: why}`` for what an image edit asks of its model's family that it does not
    do (empty for a model not listed)."""
    model = body.get("model")
    family = family_of(model)
    if family is None:
        return {}
    names = {"model": model}
    if family.max_edit_images == 0:
        return {
            "model": _("%(model)s does not edit images; use dall-e-2 or a GPT image model") % names
        }
    problems: dict[str, str] = {}
    images = body.get("image")
    if isinstance(images, list) and len(images) > family.max_edit_images:
        problems["image"] = _("%(model)s edits at most %(count)s image(s) at a time") % {
            "count": family.max_edit_images,
            **names,
        }
    if body.get("input_fidelity") is not None and (
        not family.gpt_image or _MINI.search(str(model))
    ):
        problems["input_fidelity"] = (
            _("%(model)s does not take it (GPT image models other than gpt-image-1-mini do)")
            % names
        )
    return problems

"""The page's parameter inputs, laid out from the body models and the mode registry.

Each input is described once from its field (label, kind of input, range, step, help
text, choices): the page's template renders these descriptions, so a parameter's
range is never written twice.
"""

import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel

from playground.capabilities import REASONING_REFUSED
from playground.modes import DEFAULT_MODE, MODE_NAMES, get_mode
from playground.spec_errors import field_bounds

# Parameters shown at once; the page folds the others into "More parameters", which
# opens by itself when one of them is set.
COMMON_PARAMETERS = frozenset(
    {
        "temperature",
        "top_p",
        "max_tokens",
        "max_completion_tokens",
        "n",
        "stop",
        "seed",
        # Set on every new request (the usage the history and the costs need): shown.
        "stream_options",
        # Embeddings have no sampling: their size and encoding are what people change.
        "dimensions",
        "encoding_format",
        # An image's size and quality are what people pick first.
        "size",
        "quality",
        # How fast speech is read is what people try first.
        "speed",
        # A recording's language, given, makes its transcript faster and more accurate.
        "language",
        # A fine-tuning job's training settings and the name its model gets.
        "hyperparameters",
        "suffix",
    }
)


@functools.cache
def parameter_inputs(mode: str = DEFAULT_MODE) -> tuple[Mapping[str, Any], ...]:
    """Describe the page's parameter inputs from the spec (name, label, kind, range, help).

    Built once per mode (the spec does not change while the process runs; every run's
    form is read with it), hence read-only."""
    record = get_mode(mode)
    inputs = []
    for name in record.parameters:
        # Declared by the mode's body model, or by one of its endpoints' (an image edit's).
        model = next(m for m in record.body_models if name in m.model_fields)
        field = model.model_fields[name]
        bounds = field_bounds(field)
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        inputs.append(
            MappingProxyType(
                {
                    "name": name,
                    "label": extra.get("label", name),
                    "kind": extra.get("input", "number"),
                    "min": bounds.get("ge"),
                    "max": bounds.get("le"),
                    "step": extra.get("step", "any"),
                    "choices": extra.get("choices") or _choices(field.annotation),
                    "help": field.description,
                    "common": name in COMMON_PARAMETERS,
                    "reasoning_only": name == "reasoning_effort",
                    "not_for_reasoning": record.sends_chat and name in REASONING_REFUSED,
                }
            )
        )
    return tuple(inputs)


def parameter_groups() -> list[dict[str, Any]]:
    """The page's parameter inputs, grouped by the modes that show them.

    A parameter that several modes share (same name, same kind of input, same meaning:
    its help text) is one input for all of them, so its value survives a switch of mode and its label names one
    input only. Inputs of the default mode keep the plain ``param-<name>`` id that
    upstream errors point at; the others are prefixed with their first mode's name.
    """
    owners: dict[tuple[str, str, str], list[str]] = {}
    described: dict[tuple[str, str, str], Mapping[str, Any]] = {}
    for mode in MODE_NAMES:
        for parameter in parameter_inputs(mode):
            # An image's n (1 to 10 images) is not a chat's n (candidate columns).
            key = (parameter["name"], parameter["kind"], str(parameter["help"]))
            owners.setdefault(key, []).append(mode)
            described.setdefault(key, parameter)
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for key, modes in owners.items():
        groups.setdefault(tuple(modes), []).append(described[key])
    return [
        {
            "modes": " ".join(modes),
            "prefix": "param-" if DEFAULT_MODE in modes else f"{modes[0]}-param-",
            "inputs": inputs,
        }
        for modes, inputs in groups.items()
    ]


def _choices(annotation: Any) -> list[str]:
    """The allowed values of a Literal (inside an optional), or the ``type`` of each model
    of a union (``response_format``), for a select input."""
    for arg in getattr(annotation, "__args__", ()) or ():
        if getattr(arg, "__origin__", None) is Literal:
            return [str(v) for v in arg.__args__]
        members = get_args(get_args(arg)[0] if get_origin(arg) is Annotated else arg)
        # A union tagged by a function (the Responses API's tool_choice): its text options.
        for member in members:
            inner = get_args(member)[0] if get_origin(member) is Annotated else None
            if get_origin(inner) is Literal:
                return [str(v) for v in get_args(inner)]
        types = [m.model_fields["type"].annotation for m in members if _typed_model(m)]
        if types:
            return [str(v) for literal in types for v in get_args(literal)]
    if getattr(annotation, "__origin__", None) is Literal:
        return [str(v) for v in annotation.__args__]
    return []


def _typed_model(member: Any) -> bool:
    return (
        isinstance(member, type) and issubclass(member, BaseModel) and "type" in member.model_fields
    )

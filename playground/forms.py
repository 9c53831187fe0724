"""The form codec: the page's flat form and the request object, each into the other.

The server owns the request: ``form_values_from_request`` writes a request object as
the values the server renders into the page's form (``playground.request_form``), and
``request_from_form`` reads what the page sends back (a POST, or the JSON object htmx's
ws extension sends over the run socket) into a request object, not yet validated. The
browser never converts one into the other: it sends its form, or in the JSON view the
editor's text, as it is.

The flat form protocol: every name the page sends, one text value each (a 64-bit seed
would lose digits as a JavaScript number, so values stay text until here). An empty
value means "not set" and is left out of the body.

``request``
    The JSON editor's text (a script on the websocket may send the object itself).
    When present it is the whole request and every name below is ignored; the form's
    inputs are disabled in the JSON view, so the page never sends both.
``mode``, ``provider``, ``model``
    The request's ``mode`` (a name in ``playground.modes.REGISTRY``; chat when empty),
    ``provider`` and ``body.model`` (left out for a moderation or an image when empty).
Prompt fields, by the mode's ``prompt_fields`` (``templates/playground/prompt/_<it>.html``):
    ``messages`` (chat): ``system`` (a system message first, unless blank);
    ``messages-<i>-role``, ``messages-<i>-content`` (one row per ``<i>``, in the order of
    ``<i>``), ``messages-<i>-content_format`` ("json": the content is JSON, e.g. content
    parts), ``messages-<i>-tool_call_id`` (kept on a tool row) and
    ``messages-<i>-tool_calls`` (an assistant row's calls as JSON; its empty content is
    then left out); a user row's attachments, each a content part after its text, in the
    order of ``<j>``: ``messages-<i>-attachment-<j>-url`` (an image: a link, a data URL or
    ``upload:<sha256>``) with ``-detail`` (auto, low, high), or
    ``messages-<i>-attachment-<j>-audio`` (``upload:<sha256>`` or base64) with ``-format``
    (wav, mp3); ``tools-<i>-name``, ``tools-<i>-description`` and
    ``tools-<i>-parameters`` (a JSON Schema) for each function tool.
    ``instruction`` (edit): ``instruction`` and ``input``, the system and user message.
    ``prompt`` (completion): ``prompt`` (with ``prompt_format`` "json" for a JSON prompt
    such as a list of prompts) and ``suffix``.
    ``image`` (image): ``prompt`` (and ``prompt_format``, as for a completion).
    ``speech`` (speech): ``input`` (the text), ``voice`` (a built-in voice's name; a
    custom voice object travels in the extensions) and ``instructions``.
    ``inputs`` (embedding, moderation): ``input``, one input per line (with
    ``input_format`` "json" for any other shape).
    ``audio`` (transcription, translation): ``file`` (the audio, ``upload:<sha256>``) and
    ``prompt`` (text that guides the style).
    ``fine_tuning`` (fine_tuning): ``training_file`` and ``validation_file`` (a JSONL file
    uploaded here, ``upload:<sha256>``) or ``training_file_id`` and ``validation_file_id``
    (a provider's file id, typed).
    ``responses`` (responses): ``instructions``; ``input``, a text, or input items as a
    JSON list (a text starting with "[" that reads as one; ``input_format`` "json" or
    "text" says which outright); ``previous_response_id``.
Parameters, each under its wire name (``playground.form_layout.parameter_inputs``):
    numbers as typed; ``true``/``false``; JSON text for JSON kinds (``logit_bias``);
    ``stop`` one per line, or JSON. Companions: ``response_format`` holds the type, and
    for ``json_schema`` also ``response_format_name``, ``response_format_schema`` and
    ``response_format_strict``; ``tool_choice`` ("auto", "none", "required") or
    ``tool_choice_function`` (a function the model must call). A mode that generates
    text streams unless ``stream`` says otherwise.
``extensions``
    A JSON object of body keys the form has no input for, sent as they are (vLLM's
    ``top_k``; messages the rows cannot hold, which then win over blank rows).
``variables``
    A JSON object: the values of ``variables`` no prompt text uses (kept aside); each
    name a text uses has its own input, ``variable.<name>``.
Not part of the request: ``action`` (run, stop, raw), ``moderate`` ("on": check the prompt
and the reply), ``preset``/``version``/``link`` (a saved version to run), the save
panel's ``preset_*``/``version_message``/``base_version``, and htmx's ``HEADERS``.
"""

import dataclasses
import json
import math
import re
from typing import Any, get_args

from playground.form_layout import parameter_inputs
from playground.jsonpath import path_text
from playground.modes import DEFAULT_MODE, REGISTRY, UnknownMode, get_mode
from playground.row_ids import row_number
from playground.spec import (
    FormInvalid,
    RequestInvalid,
    RunRequest,
    edit_body,
    edit_parts,
    validate_request,
)
from playground.spec_parts import ROLES, Message

# What one message row holds; a conversation with other keys travels in ``extensions``.
ROW_KEYS = frozenset({"role", "content", "tool_call_id", "tool_calls"})


def _row_roles() -> tuple[str, ...]:
    """The roles a message row can send valid: those whose required keys a row holds."""
    holdable: set[str] = set()
    for model in get_args(get_args(Message)[0]):
        required = {name for name, field in model.model_fields.items() if field.is_required()}
        if required <= ROW_KEYS:
            holdable.update(get_args(model.model_fields["role"].annotation))
    return tuple(role for role in ROLES if role in holdable)


# The role choices of a message row (a function message needs a name, which rows lack).
ROW_ROLES = _row_roles()


def values_from_post(post: Any) -> dict[str, Any]:
    """A POSTed form (a QueryDict) in the shape the websocket receives it: one value per
    name, a list for a repeated name, and no CSRF token."""
    return {
        key: values if len(values) > 1 else values[0]
        for key, values in post.lists()
        if key != "csrfmiddlewaretoken"
    }


def request_from_form(values: dict[str, Any]) -> dict[str, Any]:
    """The request object the page sent: its form values, or the JSON editor's ``request``.

    Not yet validated. Text that cannot become a request (an input's JSON, or the
    editor's, that does not parse) raises FormInvalid naming the field.
    """
    if "request" in values:
        return _request_from_editor(values["request"])
    mode = _text(values.get("mode")).strip() or DEFAULT_MODE
    record = REGISTRY.get(mode)
    fields = record.prompt_fields if record else ""
    errors: dict[str, str] = {}
    body: dict[str, Any] = {"model": _text(values.get("model"))}
    if fields == "instruction":
        body = edit_body(_text(values.get("instruction")), _text(values.get("input")), **body)
    elif fields == "messages":
        body["messages"] = _form_messages(values, errors)
        tools = _form_tools(values, errors)
        if tools:
            body["tools"] = tools
    elif fields in {"prompt", "image"}:
        body["prompt"] = _json_or_text(values, "prompt", errors)
        suffix = _text(values.get("suffix"))
        if suffix:
            body["suffix"] = suffix
    elif fields == "speech":
        body["input"] = _text(values.get("input"))
        voice = _text(values.get("voice")).strip()
        if voice:
            body["voice"] = voice
        instructions = _text(values.get("instructions"))
        if instructions.strip():
            body["instructions"] = instructions
    elif fields == "responses":
        body.update(_form_responses(values, errors))
    elif fields == "audio":
        prompt = _text(values.get("prompt"))
        if prompt.strip():
            body["prompt"] = prompt
    elif fields == "fine_tuning":
        # Each file: uploaded here (its reference) or a provider's file id, typed.
        for name in ("training_file", "validation_file"):
            given = _text(values.get(name)).strip() or _text(values.get(f"{name}_id")).strip()
            if given:
                body[name] = given
    elif fields == "inputs":
        if _text(values.get("input_format")) == "json":
            body["input"] = _parse_json(_text(values.get("input")), "input", errors)
        else:
            lines = [line for line in _text(values.get("input")).splitlines() if line.strip()]
            body["input"] = lines[0] if len(lines) == 1 else lines
    # A file chosen in the page travels as its reference (an image to edit, its mask).
    for name in record.file_fields if record else ():
        reference = _text(values.get(name)).strip()
        if reference:
            body[name] = reference
    optional_model = (
        record is not None and not record.body_model.model_fields["model"].is_required()
    )
    if optional_model and not body["model"].strip():
        del body["model"]  # optional for a moderation or an image: the provider's default
    parameters = {p["name"]: p for p in parameter_inputs(mode)} if record else {}
    for name, parameter in parameters.items():
        value = _form_value(values, name, parameter["kind"], errors)
        if value is not None:
            body[name] = value
    extensions = _text(values.get("extensions")).strip()
    if extensions:
        extra = _parse_json(extensions, "extensions", errors)
        if isinstance(extra, dict):
            # Messages the form rows cannot hold (a "name", say) travel here whole; then
            # the rows are blank and the extension is the conversation.
            body.update(
                {k: v for k, v in extra.items() if k not in body or _blank_rows(k, body[k])}
            )
        elif extra is not None:
            errors["extensions"] = 'must be a JSON object of extra body keys, like {"top_k": 40}'
    if record and record.generates_text and "stream" not in body:
        body["stream"] = True
    variables = _form_variables(values, errors)
    if errors:
        raise FormInvalid(errors)
    request = {"mode": mode, "provider": _text(values.get("provider")), "body": body}
    if variables:
        request["variables"] = variables
    return request


def _request_from_editor(value: Any) -> dict[str, Any]:
    """The JSON editor's text as a request object; a script may send the object itself."""
    if isinstance(value, dict):
        return value
    errors: dict[str, str] = {}
    data = _parse_json(_text(value), "request", errors)
    if errors:
        raise FormInvalid(errors)
    if not isinstance(data, dict):
        raise FormInvalid({"request": "must be a JSON object"})
    return data


def _form_variables(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """The request's ``variables``: an input ``variable.<name>`` per name the prompt uses,
    plus the values kept aside for names no text uses (a hidden JSON object)."""
    variables: dict[str, Any] = {}
    text = _text(values.get("variables")).strip()
    if text:
        kept = _parse_json(text, "variables", errors)
        if kept is not None and not isinstance(kept, dict):
            errors["variables"] = 'must be a JSON object of names and values, like {"city": "Oslo"}'
        elif kept:
            variables.update(kept)
    for key, value in values.items():
        if key.startswith(VARIABLE_INPUT):
            variables[key[len(VARIABLE_INPUT) :]] = _text(value)
    return variables


# The Variables panel's inputs: "variable.city" holds the value of {{city}}.
VARIABLE_INPUT = "variable."


def _blank_rows(key: str, value: Any) -> bool:
    """True for the form's messages when every row is empty (nothing typed, no calls)."""
    return key == "messages" and all(
        m.get("role") == "user" and m.get("content") == "" and len(m) == 2 for m in value
    )


def _json_or_text(values: dict[str, Any], name: str, errors: dict[str, str]) -> Any:
    """A text input that holds JSON when its ``<name>_format`` companion says so."""
    text = _text(values.get(name))
    if _text(values.get(f"{name}_format")) == "json":
        return _parse_json(text, name, errors)
    return text


def form_values_from_request(data: Any) -> dict[str, str]:
    """The page's form values for a request object: the inverse of request_from_form.

    Values are text, as inputs hold them (so a 64-bit seed survives the browser).
    What the form has no input for goes into ``extensions``, so nothing is lost; what
    it cannot hold at all (an unknown mode, a body that is not an object) raises
    FormInvalid naming it.
    """
    _check_holdable(data)
    mode = str(data.get("mode") or DEFAULT_MODE)
    record = get_mode(mode)
    fields = record.prompt_fields
    body = dict(data.get("body") or {})
    values: dict[str, str] = {"mode": mode, "provider": str(data.get("provider") or "")}
    if "model" in body:
        values["model"] = str(body.pop("model"))
    if (
        fields == "instruction"
        and isinstance(body.get("messages"), list)
        and len(body["messages"]) == 2
    ):
        instruction, text = edit_parts(body)
        if body["messages"] == edit_body(instruction, text)["messages"]:
            values.update(instruction=instruction, input=text)
            del body["messages"]
    elif fields == "messages":
        values.update(_form_messages_values(body))
        values.update(_form_tools_values(body))
    elif fields in {"prompt", "image"} and "prompt" in body:
        _put_text_or_json(values, "prompt", body.pop("prompt"))
        if isinstance(body.get("suffix"), str):
            values["suffix"] = body.pop("suffix")
    elif fields == "speech":
        for name in ("input", "voice", "instructions"):
            if isinstance(body.get(name), str):  # a custom voice object stays in the extensions
                values[name] = body.pop(name)
    elif fields == "responses":
        values.update(_form_responses_values(body))
    elif fields == "audio" and isinstance(body.get("prompt"), str):
        values["prompt"] = body.pop("prompt")
    elif fields == "fine_tuning":
        from playground.uploads.references import is_file_reference  # light: no ORM

        for name in ("training_file", "validation_file"):
            value = body.get(name)
            if isinstance(value, str):
                values[name if is_file_reference(value) else f"{name}_id"] = body.pop(name)
    elif fields == "inputs" and "input" in body:
        value = body.pop("input")
        as_lines = isinstance(value, str) and "\n" not in value and value.strip() == value
        items = value if isinstance(value, list) else []
        lines_ok = items and all(
            isinstance(i, str) and i.strip() == i and i and "\n" not in i for i in items
        )
        if as_lines or (lines_ok and len(items) > 1):
            values["input"] = value if isinstance(value, str) else "\n".join(items)
        else:
            values.update(input=json.dumps(value, ensure_ascii=False), input_format="json")
    for name in record.file_fields:
        if isinstance(body.get(name), str):  # a list of files stays in the extensions
            values[name] = body.pop(name)
    kinds = {p["name"]: p["kind"] for p in parameter_inputs(mode)}
    for name, kind in kinds.items():
        if name in body and _put_parameter(values, name, kind, body[name]):
            del body[name]
    if record.generates_text and body.get("stream") is True:
        del body["stream"]  # the form sends stream: true unless told otherwise
    if body:
        values["extensions"] = json.dumps(body, ensure_ascii=False, indent=2)
    if isinstance(data.get("variables"), dict) and data["variables"]:
        values["variables"] = json.dumps(data["variables"], ensure_ascii=False)
    return values


def _form_responses(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """A Responses body's prompt fields: instructions, input (text or items), the id of
    the response it continues."""
    body: dict[str, Any] = {}
    instructions = _text(values.get("instructions"))
    if instructions.strip():
        body["instructions"] = instructions
    text = _text(values.get("input"))
    given = _text(values.get("input_format"))
    if given == "json":
        body["input"] = _parse_json(text, "input", errors)
    elif given != "text" and text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except (ValueError, RecursionError):
            items = None
        body["input"] = items if isinstance(items, list) else text
    else:
        body["input"] = text
    previous = _text(values.get("previous_response_id")).strip()
    if previous:
        body["previous_response_id"] = previous
    return body


def _form_responses_values(body: dict[str, Any]) -> dict[str, str]:
    """The inverse of ``_form_responses``: what it can hold leaves ``body``."""
    values: dict[str, str] = {}
    if isinstance(body.get("instructions"), str) and body["instructions"].strip():
        values["instructions"] = body.pop("instructions")
    if isinstance(body.get("input"), str):
        text = body.pop("input")
        values["input"] = text
        if text.lstrip().startswith("["):
            values["input_format"] = "text"  # a text that would read as items
    elif isinstance(body.get("input"), list):
        values["input"] = json.dumps(body.pop("input"), ensure_ascii=False, indent=2)
        values["input_format"] = "json"
    previous = body.get("previous_response_id")
    if isinstance(previous, str) and previous and previous == previous.strip():
        values["previous_response_id"] = body.pop("previous_response_id")
    return values


def _check_holdable(data: Any) -> None:
    """Raise FormInvalid unless the form can show ``data`` without losing any of it."""
    if not isinstance(data, dict):
        raise FormInvalid({"request": "must be a JSON object"})
    errors = {}
    try:
        get_mode(data.get("mode") or DEFAULT_MODE)
    except UnknownMode as not_a_mode:
        errors["mode"] = not_a_mode.args[0]
    if not isinstance(data.get("body") or {}, dict):
        errors["body"] = "must be a JSON object"
    if not isinstance(data.get("variables") or {}, dict):
        errors["variables"] = 'must be a JSON object of names and values, like {"city": "Oslo"}'
    if not isinstance(data.get("provider") or "", str):
        errors["provider"] = "must be a provider's name"
    unknown = set(data) - {field.name for field in dataclasses.fields(RunRequest)}
    if unknown:
        # The form has no place for them; the spec says what the request's keys are.
        try:
            validate_request(data)
        except RequestInvalid as invalid:
            errors.update({key: invalid.errors[key] for key in unknown if key in invalid.errors})
    if errors:
        raise FormInvalid(errors)


def _put_text_or_json(values: dict[str, str], name: str, value: Any) -> None:
    if isinstance(value, str):
        values[name] = value
    else:
        values[name] = json.dumps(value, ensure_ascii=False)
        values[f"{name}_format"] = "json"


def _put_parameter(values: dict[str, str], name: str, kind: str, value: Any) -> bool:
    """Set the input(s) for one parameter; False when the form cannot hold this value."""
    if value is None:
        return False
    if kind == "response_format":
        if not isinstance(value, dict) or set(value) - {"type", "json_schema"}:
            return False
        given = value.get("json_schema")
        spec = given if isinstance(given, dict) else {}
        if set(spec) - {"name", "schema", "strict"} or value.get("type") not in {
            "text",
            "json_object",
            "json_schema",
        }:
            return False
        values[name] = str(value["type"])
        if value["type"] == "json_schema":
            values["response_format_name"] = str(spec.get("name", ""))
            if "schema" in spec:
                values["response_format_schema"] = json.dumps(spec["schema"], indent=2)
            if isinstance(spec.get("strict"), bool):
                values["response_format_strict"] = "true" if spec["strict"] else "false"
        return True
    if kind == "text_format":
        shown = (
            value.get("format") if isinstance(value, dict) and set(value) == {"format"} else None
        )
        if not isinstance(shown, dict) or set(shown) - {"type", "name", "schema", "strict"}:
            return False
        spec = {key: item for key, item in shown.items() if key != "type"}
        chat_shaped = {"type": shown.get("type"), "json_schema": spec} if spec else shown
        if spec and shown.get("type") != "json_schema":
            return False
        return _put_parameter(values, name, "response_format", chat_shaped)
    if kind == "reasoning":
        if not isinstance(value, dict) or set(value) - {"effort", "summary"} or not value:
            return False
        if not all(isinstance(item, str) and item for item in value.values()):
            return False
        values[name] = value.get("effort", "")
        if "summary" in value:
            values["reasoning_summary"] = value["summary"]
        return True
    if kind == "tool_choice":
        if isinstance(value, str):
            values[name] = value
            return True
        function = value.get("function") if isinstance(value, dict) else None
        if (
            isinstance(function, dict)
            and set(function) == {"name"}
            and set(value)
            == {
                "type",
                "function",
            }
        ):
            values["tool_choice_function"] = str(function["name"])
            return True
        return False
    if kind == "bool":
        if not isinstance(value, bool):
            return False
        values[name] = "true" if value else "false"
        return True
    if kind == "json":
        values[name] = json.dumps(value, ensure_ascii=False)
        return True
    if kind == "stop":
        simple = (
            isinstance(value, str)
            and value
            and "\n" not in value
            and not value.startswith(("[", '"'))
        )
        if simple:
            values[name] = value
        else:
            values[name] = json.dumps(value, ensure_ascii=False)
        return True
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        values[name] = json.dumps(value)
        return True
    if not isinstance(value, str) or (kind != "textarea" and value != value.strip()):
        return False
    values[name] = value
    return True


def _form_messages_values(body: dict[str, Any]) -> dict[str, str]:
    messages = body.get("messages")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        return {}
    shown = [m for m in messages if set(m) <= ROW_KEYS and m.get("role") in ROW_ROLES]
    if len(shown) != len(messages):
        return {}
    values: dict[str, str] = {}
    rows = list(messages)
    first = rows[0] if rows else {}
    if (
        first.get("role") == "system"
        and isinstance(first.get("content"), str)
        and first["content"].strip()
    ):
        values["system"] = first["content"]
        rows = rows[1:]
    for i, message in enumerate(rows):
        values[f"messages-{i}-role"] = str(message.get("role", ""))
        content = message.get("content")
        if "content" not in message and message.get("tool_calls"):
            values[f"messages-{i}-content"] = ""
        else:
            _put_text_or_json(values, f"messages-{i}-content", content)
        attachments = _row_attachments(message)
        if attachments is not None:
            text, parts = attachments
            values[f"messages-{i}-content"] = text
            values.pop(f"messages-{i}-content_format", None)
            for j, (key, value, option_key, option) in enumerate(parts):
                values[f"messages-{i}-attachment-{j}-{key}"] = value
                if option:
                    values[f"messages-{i}-attachment-{j}-{option_key}"] = option
        if "tool_call_id" in message:
            values[f"messages-{i}-tool_call_id"] = str(message["tool_call_id"])
        if "tool_calls" in message:
            values[f"messages-{i}-tool_calls"] = json.dumps(
                message["tool_calls"], ensure_ascii=False
            )
    del body["messages"]
    return values


# A row's attachment: (value key, value, option key, option) as the form names them.
_Attachment = tuple[str, str, str, str]


def _row_attachments(message: dict[str, Any]) -> tuple[str, list[_Attachment]] | None:
    """A user message's text and attachments, when its content parts are exactly what a
    row holds (a text first, if any, then images and audio with no other keys): reading
    the row back gives the same parts. None otherwise (the content stays JSON)."""
    content = message.get("content")
    if message.get("role") != "user" or not isinstance(content, list) or not content:
        return None
    text, parts = "", content
    first = content[0]
    if isinstance(first, dict) and first.get("type") == "text" and set(first) == {"type", "text"}:
        if not isinstance(first["text"], str) or not first["text"]:
            return None
        text, parts = first["text"], content[1:]
    attachments = [_attachment(part) for part in parts]
    if not attachments or any(a is None for a in attachments):
        return None
    return text, [a for a in attachments if a is not None]


def _attachment(part: Any) -> _Attachment | None:
    if not isinstance(part, dict):
        return None
    kind = part.get("type")
    inner = part.get(kind) if isinstance(kind, str) else None
    if not isinstance(inner, dict) or set(part) != {"type", kind}:
        return None
    if kind == "image_url" and set(inner) <= {"url", "detail"}:
        key, value, option_key, option = "url", inner.get("url"), "detail", inner.get("detail", "")
    elif kind == "input_audio" and set(inner) <= {"data", "format"}:
        key, value, option_key, option = (
            "audio",
            inner.get("data"),
            "format",
            inner.get("format", ""),
        )
    else:
        return None
    # The form strips what it reads and leaves out an empty option: only such values return.
    if not isinstance(value, str) or not value or value != value.strip():
        return None
    if not isinstance(option, str) or option != option.strip():
        return None
    if option_key in inner and not option:
        return None
    return key, value, option_key, option


def attachment_indexes(values: dict[str, Any], row: int) -> list[int]:
    """The numbers ``<j>`` of message row ``row``'s attachments in ``values``, in order."""
    prefix = f"messages-{row}-attachment-"
    numbers = (
        row_number(name[len(prefix) :].split("-")[0])
        for name in values
        if name.startswith(prefix) and name.endswith(("-url", "-audio"))
    )
    return sorted({number for number in numbers if number is not None})


def _form_attachments(values: dict[str, Any], row: int) -> list[dict[str, Any]]:
    """The content parts of message row ``row``'s attachments, in the order of ``<j>``."""
    parts: list[dict[str, Any]] = []
    for number in attachment_indexes(values, row):
        names = f"messages-{row}-attachment-{number}-"
        url = _text(values.get(f"{names}url")).strip()
        audio = _text(values.get(f"{names}audio")).strip()
        if url:
            image: dict[str, Any] = {"url": url}
            detail = _text(values.get(f"{names}detail")).strip()
            if detail:
                image["detail"] = detail
            parts.append({"type": "image_url", "image_url": image})
        elif audio:
            sound: dict[str, Any] = {"data": audio}
            audio_format = _text(values.get(f"{names}format")).strip()
            if audio_format:
                sound["format"] = audio_format
            parts.append({"type": "input_audio", "input_audio": sound})
    return parts


def _form_tools_values(body: dict[str, Any]) -> dict[str, str]:
    tools = body.get("tools")
    if not isinstance(tools, list) or not tools:
        return {}
    values: dict[str, str] = {}
    for i, tool in enumerate(tools):
        function = tool.get("function") if isinstance(tool, dict) else None
        if (
            not isinstance(function, dict)
            or set(tool) != {"type", "function"}
            or tool.get("type") != "function"
            or set(function) - {"name", "description", "parameters"}
            or not isinstance(function.get("name"), str)
            or not function.get("name")
            or not isinstance(function.get("description", ""), str)
        ):
            return {}
        values[f"tools-{i}-name"] = function["name"]
        if "description" in function:
            values[f"tools-{i}-description"] = function["description"]
        if "parameters" in function:
            values[f"tools-{i}-parameters"] = json.dumps(function["parameters"], indent=2)
    del body["tools"]
    return values


def _form_value(values: dict[str, Any], name: str, kind: str, errors: dict[str, str]) -> Any:
    raw = _text(values.get(name)).strip()
    if kind == "response_format":
        return _form_response_format(values, raw, errors)
    if kind == "text_format":
        return _form_text_format(values, raw, errors)
    if kind == "reasoning":
        summary = _text(values.get("reasoning_summary")).strip()
        reasoning = {key: value for key, value in (("effort", raw), ("summary", summary)) if value}
        return reasoning or None
    if kind == "tool_choice":
        function = _text(values.get("tool_choice_function")).strip()
        if function:
            return {"type": "function", "function": {"name": function}}
        return raw or None
    if not raw:
        return None
    if kind == "bool":
        return {"true": True, "false": False}.get(raw, raw)
    if kind == "json":
        return _parse_json(raw, name, errors)
    if kind == "stop":
        if raw.startswith(("[", '"')):
            return _parse_json(raw, name, errors)
        lines = [line for line in _text(values.get(name)).splitlines() if line]
        return lines[0] if len(lines) == 1 else lines
    if kind in {"text", "textarea", "select"}:
        return _text(values.get(name)) if kind != "select" else raw
    return _number(raw)


def _number(raw: str) -> Any:
    """A number input's text as a JSON number; anything else stays text for the spec to refuse."""
    if re.fullmatch(r"[-+]?\d+", raw):
        try:
            return int(raw)
        except ValueError:  # beyond Python's 4300 digits: no parameter takes such a number
            return raw
    try:
        value = float(raw)
    except ValueError:
        return raw
    return value if math.isfinite(value) else raw


def _form_response_format(values: dict[str, Any], kind: str, errors: dict[str, str]) -> Any:
    if not kind:
        return None
    if kind != "json_schema":
        return {"type": kind}
    spec: dict[str, Any] = {"name": _text(values.get("response_format_name")).strip()}
    schema_text = _text(values.get("response_format_schema")).strip()
    if schema_text:
        spec["schema"] = _parse_json(schema_text, "response_format.json_schema.schema", errors)
    strict = _text(values.get("response_format_strict")).strip()
    if strict in {"true", "false"}:
        spec["strict"] = strict == "true"
    return {"type": "json_schema", "json_schema": spec}


def _form_text_format(values: dict[str, Any], kind: str, errors: dict[str, str]) -> Any:
    """The Responses API's ``text``: its format from the same inputs as chat's
    response_format (flat: ``{"format": {"type": "json_schema", "name", "schema"…}}``)."""
    if not kind:
        return None
    chat_shaped = _form_response_format(values, kind, errors)
    text_format = {"type": kind, **chat_shaped.get("json_schema", {})}
    problem = errors.pop("response_format.json_schema.schema", None)
    if problem:
        errors["text.format.schema"] = problem
    return {"format": text_format}


def _form_messages(values: dict[str, Any], errors: dict[str, str]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    system = _text(values.get("system"))
    if system.strip():
        messages.append({"role": "system", "content": system})
    for i in row_indexes(values, "messages", "role"):
        message: dict[str, Any] = {
            "role": _text(values.get(f"messages-{i}-role")),
            "content": _json_or_text(values, f"messages-{i}-content", errors),
        }
        attachments = _form_attachments(values, i)
        if attachments:
            content = message["content"]
            if isinstance(content, list):
                message["content"] = [*content, *attachments]
            elif isinstance(content, str):
                text = [{"type": "text", "text": content}] if content else []
                message["content"] = [*text, *attachments]
        tool_call_id = _text(values.get(f"messages-{i}-tool_call_id")).strip()
        if message["role"] == "tool" and tool_call_id:
            message["tool_call_id"] = tool_call_id
        calls = _text(values.get(f"messages-{i}-tool_calls")).strip()
        if message["role"] == "assistant" and calls:
            message["tool_calls"] = _parse_json(
                calls, path_text(("messages", len(messages), "tool_calls")), errors
            )
            if message["content"] == "":
                del message["content"]
        messages.append(message)
    return messages


def _form_tools(values: dict[str, Any], errors: dict[str, str]) -> list[dict[str, Any]]:
    tools: list[dict[str, Any]] = []
    for i in row_indexes(values, "tools", "name"):
        function: dict[str, Any] = {"name": _text(values.get(f"tools-{i}-name")).strip()}
        description = _text(values.get(f"tools-{i}-description")).strip()
        if description:
            function["description"] = description
        parameters = _text(values.get(f"tools-{i}-parameters")).strip()
        if parameters:
            where = path_text(("tools", len(tools), "function", "parameters"))
            function["parameters"] = _parse_json(parameters, where, errors)
        if function["name"] or description or parameters:
            tools.append({"type": "function", "function": function})
    return tools


def row_indexes(values: dict[str, Any], group: str, key: str) -> list[int]:
    """The row numbers of the ``<group>-<i>-<key>`` names in ``values``, in order."""
    numbers = (
        row_number(name.split("-")[1])
        for name in values
        if name.startswith(f"{group}-") and name.endswith(f"-{key}")
    )
    # Not ASCII digits, or beyond any row a page has: not a row of the form.
    return sorted(number for number in numbers if number is not None)


def _parse_json(text: str, field: str, errors: dict[str, str]) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        errors[field] = f"is not valid JSON ({error})"
        return None
    except RecursionError:
        errors[field] = "is nested too deeply to read"
        return None


def _text(value: Any) -> str:
    # htmx sends a repeated name as a list; the page never repeats one, so take the last.
    if isinstance(value, list):
        value = value[-1] if value else ""
    return "" if value is None else str(value)

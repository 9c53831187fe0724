"""The request editor: the server renders the page's form from a request object.

Every way a request reaches the page goes through ``request_editor_context`` and the
template ``playground/_request_editor.html``: the first render (``default_request``),
an opened preset, Apply JSON, switching to the JSON view, and a reopened run. It holds
the Form | JSON views: the form's inputs filled with the request's values (through the
form codec, ``playground.forms``), or the editor holding the request's JSON. Only one
of them is enabled, so the page sends one or the other, as it is, and never converts.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext as _

from playground.bodies import SPEECH_VOICES
from playground.form_layout import parameter_groups
from playground.forms import (
    ROW_ROLES,
    attachment_indexes,
    form_values_from_request,
    row_indexes,
)
from playground.fragments import tool_call_line
from playground.message_files import attachment_preview
from playground.modes import DEFAULT_MODE, REGISTRY, get_mode
from playground.providerconfig.lookup import available_providers
from playground.runs.selectors import last_page_run_choice
from playground.spec import RequestInvalid, extension_keys, validate_request
from playground.translation_marks import gettext_noop
from playground.variables import body_names

View = Literal["form", "json"]
VIEWS: tuple[View, ...] = ("form", "json")


@dataclass(frozen=True)
class EditorStatus:
    """What the last switch of view found, shown beside the Form | JSON switch."""

    text: str = ""
    error: bool = False


def default_request(
    providers: list[Any], last: tuple[str, str, str] | None = None
) -> dict[str, Any]:
    """The request a fresh page starts with: the provider PLAYGROUND_DEFAULT_PROVIDER names,
    else the first real provider (the offline one only when there is no other), its model, one empty user message, and the usage asked
    for at the end of the stream (the history's tokens and cost; otherwise they are only
    estimated). All of it shows, in the form and the JSON."""
    named = settings.PLAYGROUND_DEFAULT_PROVIDER
    provider = next((p for p in providers if p.name == named), None) or next(
        (p for p in providers if not p.offline), providers[0]
    )
    mode, model = DEFAULT_MODE, provider.default_model
    # What the user ran last on the page (the history), while its provider is still theirs.
    remembered = next((p for p in providers if last and p.name == last[0]), None)
    if remembered is not None and last is not None and last[2] in REGISTRY:
        provider, mode = remembered, last[2]
        model = last[1] or remembered.default_model
    body: dict[str, Any] = {"model": model}
    if REGISTRY[mode].prompt_fields == "messages":
        body["messages"] = [{"role": "user", "content": ""}]
    if "stream_options" in REGISTRY[mode].body_model.model_fields:
        # The form streams unless told otherwise (forms.py): stream is not repeated here.
        body["stream_options"] = {"include_usage": True}
    return {"mode": mode, "provider": provider.name, "body": body}


def fresh_chat_request(provider: str, model: str) -> dict[str, Any]:
    """A new chat with ``model`` on ``provider`` (an unknown provider is named when run)."""
    body: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": ""}]}
    body["stream_options"] = {"include_usage": True}
    return {"mode": DEFAULT_MODE, "provider": provider, "body": body}


def request_editor_context(
    data: dict[str, Any] | None,
    *,
    user: AbstractBaseUser | AnonymousUser,
    view: View = "form",
    status: EditorStatus | None = None,
) -> dict[str, Any]:
    """The context of ``playground/_request_editor.html`` for the request ``data`` (None: a
    fresh page's, ``default_request``), shown in ``view``.

    Raises FormInvalid when the form cannot hold ``data`` (an unknown mode, a body that
    is not an object), naming what.
    """
    providers = available_providers(user)
    if data is None:
        remember = settings.PLAYGROUND_REMEMBER_LAST_RUN and getattr(
            user, "is_authenticated", False
        )
        last = last_page_run_choice(user) if remember else None
        data = default_request(providers, last)
    values = form_values_from_request(data)
    mode = get_mode(values["mode"])
    provider = next((p for p in providers if p.name == values["provider"]), None)
    extensions = json.loads(values.get("extensions") or "{}")
    panel = variables_panel(data)
    return {
        "view": view,
        "view_tabs": (("form", gettext_noop("Form")), ("json", "JSON")),
        "status": status or EditorStatus(),
        "request_text": json.dumps(data, indent=2, ensure_ascii=False) if view == "json" else "",
        "values": values,
        "modes": list(REGISTRY.values()),
        "mode": mode,
        "providers": providers,
        "provider": provider,
        "parameter_groups": _parameter_groups(mode.name, values),
        "prompt_fieldsets": _prompt_fieldsets(mode.name, values),
        "message_rows": _message_rows(values, mode.prompt_fields == "messages"),
        "tool_rows": _tool_rows(values),
        "roles": ROW_ROLES,
        "speech_voices": SPEECH_VOICES,
        "booleans": ("true", "false"),
        "reasoning_summaries": REASONING_SUMMARIES,
        # Keys no input shows (body keys in Extensions, the variables): an opened preset names them.
        # (variables whose names no prompt text uses are kept aside, with no input).
        "unshown_keys": sorted(extensions) + (["variables"] if panel["kept"] else []),
        "variables_panel": panel,
    }


def variables_panel(data: dict[str, Any]) -> dict[str, Any]:
    """The Variables panel: an input per name the prompt's texts use, in order of first
    use, holding its value; values of names no text uses any more are kept aside (hidden),
    so that a name deleted by mistake and typed again finds its value."""
    record = REGISTRY.get(data.get("mode") or DEFAULT_MODE)
    body = data.get("body")
    variables = data.get("variables")
    variables = variables if isinstance(variables, dict) else {}
    names = body_names(body, record.template_keys) if record and isinstance(body, dict) else []
    fields = [{"name": name, "value": str(variables.get(name, ""))} for name in names]
    kept = {k: v for k, v in variables.items() if k not in names}
    return {"fields": fields, "kept": json.dumps(kept, ensure_ascii=False) if kept else ""}


def switch_status(data: dict[str, Any], mode: str, view: View, *, applied: bool) -> EditorStatus:
    """What a switch found: the body keys no input shows; for Apply, what Run would refuse."""
    extensions = extension_keys(mode, data.get("body") or {})
    names = _("Extensions: %(keys)s") % {"keys": ", ".join(extensions)} if extensions else ""
    if not applied or view != "form":
        return EditorStatus(names)
    try:
        validate_request(data)
    except RequestInvalid as invalid:
        # Still applied, so nothing typed is lost; the status names what Run would refuse.
        return EditorStatus(
            _("Applied to the form, but Run would refuse it: %(problems)s.")
            % {"problems": invalid},
            error=True,
        )
    return EditorStatus(" ".join(filter(None, [_("Applied to the form."), names])))


# The Responses API's reasoning.summary choices (its reasoning input's companion).
REASONING_SUMMARIES = ("auto", "concise", "detailed")


def _parameter_groups(mode: str, values: dict[str, str]) -> list[dict[str, Any]]:
    """form_layout's parameter groups; the group showing ``mode`` holds the values."""
    groups = []
    for group in parameter_groups():
        active = mode in group["modes"].split()
        shown = values if active else {}
        inputs = [{**p, "value": shown.get(p["name"], "")} for p in group["inputs"]]
        groups.append({**group, "inputs": inputs, "active": active, "values": shown})
    return groups


def _prompt_fieldsets(mode: str, values: dict[str, str]) -> list[dict[str, Any]]:
    """One fieldset per kind of prompt fields, for the modes that share it (registry order)."""
    modes_of: dict[str, list[str]] = {}
    for record in REGISTRY.values():
        modes_of.setdefault(record.prompt_fields, []).append(record.name)
    return [
        {
            "modes": " ".join(modes),
            "template": f"playground/prompt/_{fields}.html",
            "active": mode in modes,
            "values": values if mode in modes else {},
        }
        for fields, modes in modes_of.items()
    ]


def _message_rows(values: dict[str, str], shown: bool) -> list[dict[str, Any]]:
    """The conversation's rows; an empty user row when there are none to show."""
    rows = []
    for index in row_indexes(values, "messages", "role"):
        prefix = f"messages-{index}-"
        calls = values.get(f"{prefix}tool_calls", "")
        rows.append(
            {
                "index": index,
                "role": values[f"{prefix}role"],
                "content": values.get(f"{prefix}content", ""),
                "content_format": values.get(f"{prefix}content_format", ""),
                "tool_call_id": values.get(f"{prefix}tool_call_id", ""),
                "tool_calls": calls,
                "call_lines": list(_call_lines(json.loads(calls) if calls else [])),
                "attachments": _row_attachments(values, index),
            }
        )
    if not rows and shown:
        rows.append({"index": 0, "role": "user"})
    return rows


def _row_attachments(values: dict[str, str], row: int) -> list[dict[str, Any]]:
    """A message row's images and audio, in order: kind ("image", "audio"), value (a link, a
    data URL, upload:… or base64) and option (the image's detail, the audio's format)."""
    attachments = []
    for index in attachment_indexes(values, row):
        names = f"messages-{row}-attachment-{index}-"
        if f"{names}url" in values:
            kind, value, option = "image", values[f"{names}url"], values.get(f"{names}detail", "")
        else:
            kind, value, option = "audio", values[f"{names}audio"], values.get(f"{names}format", "")
        preview = attachment_preview(kind, value)
        attachments.append({"kind": kind, "value": value, "option": option, "preview": preview})
    return attachments


def _call_lines(calls: Any) -> Iterable[str]:
    """An assistant row's tool calls as the page shows them: ``→ name(arguments)  id``."""
    for call in calls if isinstance(calls, list) else []:
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict):
            yield tool_call_line(
                str(function.get("name", "")),
                str(function.get("arguments", "")),
                str(call.get("id", "")),
            )


def _tool_rows(values: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "index": index,
            "name": values.get(f"tools-{index}-name", ""),
            "description": values.get(f"tools-{index}-description", ""),
            "parameters": values.get(f"tools-{index}-parameters", ""),
        }
        for index in row_indexes(values, "tools", "name")
    ]

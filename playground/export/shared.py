"""What every exporter needs: the target URL, the key's variable, the body as JSON."""

import json
import mimetypes
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from playground.jsonpath import PathPart, walk
from playground.modes import Endpoint, Mode
from playground.providers.base_url import OPENAI_BASE_URL, base_url_problem, normalized_base_url
from playground.spec import RequestInvalid
from playground.speech_files import audio_file_name

# JavaScript numbers are doubles: integers beyond this lose digits in a Node snippet.
MAX_SAFE_INTEGER = 2**53 - 1


@dataclass(frozen=True)
class Target:
    """Where the exported code sends the request; never holds a key, only its variable name."""

    base_url: str
    api_key_env: str
    note: str = ""


def target_for(provider: str | dict[str, Any], user: Any = None) -> Target:
    """Resolve a provider ``user`` may use by name, or an inline ``{base_url, api_key_env}``."""
    if isinstance(provider, dict):
        return inline_target(provider)
    config = settings.PLAYGROUND_PROVIDERS.get(provider)
    if config is None and provider == "openai":
        # OpenAI itself, named in a request JSON on a server that has no key configured.
        config = {"kind": "openai"}
    if config is None:
        return _stored_target(provider, user)
    if config.get("kind") == "offline":
        # The offline model has no HTTP endpoint; export what would run against OpenAI.
        return Target(
            OPENAI_BASE_URL,
            "OPENAI_API_KEY",
            "The offline model exists only inside the playground; pick a real model here.",
        )
    return Target(
        normalized_base_url(str(config.get("base_url") or OPENAI_BASE_URL)),
        str(config.get("api_key_env") or "OPENAI_API_KEY"),
    )


# What a snippet may read a key from: a POSIX shell variable name (curl expands it unquoted
# inside "…", so anything else would be shell code).
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
INLINE_KEYS = ("base_url", "api_key_env")


def inline_target(provider: dict[str, Any]) -> Target:
    """An inline provider ``{base_url, api_key_env}`` (export only), checked: both values
    are written into code, so a URL must be one and a variable name must be one."""
    errors = {}
    for key in provider:
        if key not in INLINE_KEYS:
            errors[f"provider.{key}"] = (
                _(
                    "is not an inline provider key (allowed: base_url, api_key_env); a key is "
                    "never written into code: name its environment variable in api_key_env"
                )
                if "key" in str(key).lower()
                else _("is not an inline provider key (allowed: base_url, api_key_env)")
            )
    base_url = provider.get("base_url") or OPENAI_BASE_URL
    problem = base_url_problem(
        base_url, key_hint=_("The key comes from the variable named in api_key_env.")
    )
    if problem is not None:
        errors["provider.base_url"] = problem
    variable = provider.get("api_key_env") or "OPENAI_API_KEY"
    if not isinstance(variable, str) or not _ENV_NAME.fullmatch(variable):
        # The value is not echoed: it may be the key itself, pasted in the wrong place.
        errors["provider.api_key_env"] = _(
            "must be an environment variable name: letters, digits and _, not starting "
            "with a digit (e.g. DEEPSEEK_API_KEY); the key itself never goes in the request"
        )
    if errors:
        raise RequestInvalid(errors)
    return Target(normalized_base_url(base_url), variable)


def key_variable_for(provider_name: str) -> str:
    """The environment variable a snippet reads a stored provider's key from: its own name,
    so that several providers' keys can sit side by side (``openrouter`` → OPENROUTER_API_KEY)."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", provider_name).strip("_").upper() or "PROVIDER"
    if stem[0].isdigit():
        stem = "P_" + stem
    return f"{stem}_API_KEY"


def _stored_target(name: str, user: Any) -> Target:
    """A provider stored in the database: its base URL and header names; never a secret."""
    from playground.providerconfig.selectors import provider_config_for
    from playground.providerconfig.services import forbidden_header_problem

    stored = provider_config_for(name, user)
    if stored is None:
        raise RequestInvalid(
            {
                "provider": _("there is no provider named %(name)s that you may use")
                % {"name": repr(name)}
            }
        )
    # Not those stored before the rule on extra headers: the playground does not send them.
    names = (h.strip() for h in stored.extra_header_names.split(","))
    headers = [h for h in names if h and forbidden_header_problem(h) is None]
    note = (
        "This provider also gets these headers from the playground (values not exported): "
        + ", ".join(headers)
        if headers
        else ""
    )
    return Target(normalized_base_url(stored.base_url), key_variable_for(name), note)


def body_json(body: dict[str, Any], indent: int | None = 2) -> str:
    """JSON text of the body; non-ASCII kept readable (every target language accepts UTF-8)."""
    return json.dumps(body, ensure_ascii=False, indent=indent)


def printer(mode: Mode, lang: str, body: dict[str, Any]) -> str:
    """The code that prints the mode's answer in ``lang`` (a template per answer shape)."""
    streamed = bool(body.get("stream")) and mode.streams
    name = f"{mode.answer}{'-stream' if streamed else ''}.{lang}.txt"
    # A file answer (speech) is saved under the name the playground gives it; the name is
    # a slug and an extension the spec allows, safe inside a string literal.
    context = {"file_name": audio_file_name(body), "sse": body.get("stream_format") == "sse"}
    return render_to_string(f"export/printers/{name}", context)


def unsafe_integers(value: Any) -> list[tuple[PathPart, ...]]:
    """Paths of integers a JavaScript number cannot hold exactly."""
    return [
        path
        for path, item in walk(value)
        if isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_SAFE_INTEGER
    ]


@dataclass(frozen=True)
class ExportedFile:
    """A file a snippet reads from disk: the path it opens and the type it sends it as."""

    path: str
    media_type: str


def exported_files(endpoint: Endpoint, body: dict[str, Any]) -> dict[str, list[ExportedFile]]:
    """Each file field the body sets → the files the snippet reads from its directory: an
    upload by the name it was uploaded with (with its real type's extension), a terminal's
    ``@path`` as written. RequestInvalid names a field whose upload is not stored."""
    from playground.uploads.references import (  # the ORM stays out of importers' way
        PATH_PREFIX,
        FileReferenceError,
        download_name,
        file_reference_read,
    )

    files: dict[str, list[ExportedFile]] = {}
    taken: dict[str, str] = {}  # path → the reference it reads, so two files never share one
    errors = {}
    for name in endpoint.file_fields:
        value = body.get(name)
        if value in (None, "", []):
            continue
        exported = []
        for reference in value if isinstance(value, list) else [value]:
            if reference.startswith(PATH_PREFIX):
                path = reference[len(PATH_PREFIX) :]
                exported.append(ExportedFile(path, _media_type_of_name(path)))
                continue
            try:
                content = file_reference_read(reference)
            except FileReferenceError as error:
                errors[name] = str(error)
                continue
            path = download_name(content)
            stem, dot, extension = path.rpartition(".")
            number = 2
            while taken.get(path, reference) != reference:
                path = f"{stem}-{number}{dot}{extension}"
                number += 1
            taken[path] = reference
            exported.append(ExportedFile(path, content.media_type))
        files[name] = exported
    if errors:
        raise RequestInvalid(errors)
    return files


def files_uploaded_first(mode: Mode, body: dict[str, Any]) -> dict[str, ExportedFile]:
    """A mode whose files go to /files before the call (a fine-tuning job's training file):
    each such field that names a file of the playground → the file a snippet uploads first,
    read from its directory. A provider's file id is sent as it is (not listed)."""
    from playground.uploads.references import is_file_reference  # light: no ORM

    named = {name: body[name] for name in mode.uploaded_first if is_file_reference(body.get(name))}
    if not named:
        return {}
    endpoint = Endpoint(mode.endpoint, mode.body_model, mode.sdk, file_fields=tuple(named))
    files = exported_files(endpoint, named)
    return {name: files[name][0] for name in named}


def files_note(files: dict[str, list[ExportedFile]]) -> str:
    """The comment that says which files a snippet reads, and from where."""
    paths = ", ".join(file.path for exported in files.values() for file in exported)
    return f"Reads {paths} from the current directory (the files the request names)."


def _media_type_of_name(path: str) -> str:
    guessed, _encoding = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"

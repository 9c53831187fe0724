"""The files a body sends: its endpoint's file fields read and checked before sending.

A mode's endpoint names the body keys that hold files (``modes.Endpoint.file_fields``);
each holds a reference (``upload:<sha256>``, or ``@path`` in the terminal) or a list of
them. Reading them is one step for every caller: the page and the terminal before a run
starts (a refusal names the field, and nothing is sent or kept), the providers when they
send (the upstream's multipart parts, the offline model's input), the exports (file
names). It touches the database (uploads): call it off the event loop.
"""

from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async

from playground.modes import Endpoint, get_mode
from playground.spec_errors import RequestInvalid
from playground.uploads.kinds import UPLOAD_KINDS
from playground.uploads.references import (
    FileContent,
    FileReferenceError,
    file_reference_read,
    is_file_reference,
)


@dataclass(frozen=True)
class BodyFiles:
    """A body split for a multipart upload: its file fields' contents and the other keys."""

    endpoint: Endpoint
    # Each file field the body sets → its files, in order (a single reference: one).
    files: dict[str, list[FileContent]]
    # The body's other keys, as they are.
    fields: dict[str, Any]
    # The file fields the body gives as a list (sent as ``image[]``, one part per file).
    listed: frozenset[str] = frozenset()

    def parts(self) -> list[tuple[str, FileContent]]:
        """Each file with its multipart field name, in order."""
        return [
            (f"{name}[]" if name in self.listed else name, content)
            for name, contents in self.files.items()
            for content in contents
        ]


def body_files_read(mode: str, body: dict[str, Any]) -> BodyFiles:
    """The files ``body`` names for its endpoint, read and checked: RequestInvalid names
    each field whose file cannot be read or is not what the endpoint takes."""
    endpoint = get_mode(mode).endpoint_for(body)
    kind = UPLOAD_KINDS.get(endpoint.upload_purpose)
    files: dict[str, list[FileContent]] = {}
    errors: dict[str, str] = {}
    for name in endpoint.file_fields:
        value = body.get(name)
        if value in (None, "", []):
            continue
        references = value if isinstance(value, list) else [value]
        contents = []
        for index, reference in enumerate(references):
            field = f"{name}[{index}]" if isinstance(value, list) else name
            try:
                contents.append(file_reference_read(str(reference), kind=kind))
            except FileReferenceError as error:
                errors[field] = str(error)
        files[name] = contents
    if not errors:
        errors = endpoint.body_model.file_problems(body, files)
    if errors:
        raise RequestInvalid(errors)
    fields = {key: value for key, value in body.items() if key not in endpoint.file_fields}
    listed = frozenset(name for name in files if isinstance(body.get(name), list))
    return BodyFiles(endpoint, files, fields, listed)


async def body_files_check(mode: str, body: dict[str, Any]) -> None:
    """Before a run starts: RequestInvalid naming each field whose file is not what the
    endpoint takes. A body without files costs nothing (no trip off the event loop)."""
    if get_mode(mode).endpoint_for(body).multipart:
        await database_sync_to_async(body_files_read)(mode, body)
    if any(is_file_reference(body.get(name)) for name in get_mode(mode).uploaded_first):
        await database_sync_to_async(uploaded_first_check)(mode, body)


def uploaded_first_check(mode: str, body: dict[str, Any]) -> None:
    """The files a body names for upload before the call (a fine-tuning job's training
    file), read and checked line by line: RequestInvalid names the field and the line."""
    from playground.training_file import TrainingFileInvalid, training_file_check

    errors: dict[str, str] = {}
    for name in get_mode(mode).uploaded_first:
        value = body.get(name)
        if not is_file_reference(value):
            continue
        try:
            training_file_check(file_reference_read(str(value), kind=UPLOAD_KINDS["jsonl"]).data)
        except FileReferenceError as error:
            errors[name] = str(error)
        except TrainingFileInvalid as invalid:
            errors[name] = " ".join(invalid.problems)
    if errors:
        raise RequestInvalid(errors)

"""The body of POST /fine_tuning/jobs (OpenAI's ``CreateFineTuningJobRequest``).

The training and validation files are a provider's file ids (``file-…``), or files the
playground uploads first: ``upload:<sha256>`` from the page, ``@path`` in the terminal
(``finetuning.services`` uploads them to ``/files`` and sends their ids).
"""

import re
from typing import Any, Literal

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, field_validator

from playground.bodies import WireBody, _model, _param
from playground.translation_marks import gettext_noop

MAX_SUFFIX_CHARS = 64
_FILE_ID = re.compile(r"[A-Za-z0-9_\-.:]{1,200}")
_SUFFIX = re.compile(r"[A-Za-z0-9_\-]*")


class Hyperparameters(BaseModel):
    """How the model is trained: each "auto" (the provider's choice) or a number."""

    model_config = ConfigDict(extra="forbid")

    n_epochs: Literal["auto"] | int | None = Field(default=None, ge=1, le=50)
    batch_size: Literal["auto"] | int | None = Field(default=None, ge=1, le=256)
    learning_rate_multiplier: Literal["auto"] | float | None = Field(default=None, gt=0, le=100)


def is_file_id(value: str) -> bool:
    """A provider's file id (``file-abc123``), as opposed to a file the playground uploads."""
    from playground.uploads.references import is_file_reference  # light: no ORM

    return not is_file_reference(value) and bool(_FILE_ID.fullmatch(value))


def _file(value: Any) -> Any:
    from playground.uploads.references import is_file_reference

    if not isinstance(value, str) or not (is_file_id(value) or is_file_reference(value)):
        raise ValueError(
            _("expected a file id (file-…), a file uploaded here (upload:<sha256>) or @path")
        )
    return value


class FineTuningBody(WireBody):
    """The body of POST /fine_tuning/jobs: the model to train, on which examples, how."""

    model: str = _model()
    training_file: str = Field(
        description="The JSONL training file: its id at the provider, or a file to upload.",
        json_schema_extra={"label": gettext_noop("Training file"), "input": "file"},
    )
    validation_file: str | None = _param(
        gettext_noop("A JSONL file of examples held out to measure the model on (optional)."),
        gettext_noop("Validation file"),
        "file",
    )
    hyperparameters: Hyperparameters | None = _param(
        gettext_noop(
            'n_epochs (1–50), batch_size (1–256), learning_rate_multiplier; each a number or "auto".'
        ),
        gettext_noop("Hyperparameters"),
        "json",
    )
    suffix: str | None = _param(
        gettext_noop("Up to 64 letters, digits, - and _, added to the fine-tuned model's name."),
        gettext_noop("Suffix"),
        "text",
        max_length=MAX_SUFFIX_CHARS,
    )
    seed: int | None = _param(
        gettext_noop("The same seed and parameters give the same job, mostly."),
        gettext_noop("Seed"),
        ge=0,
        le=2_147_483_647,
        extra={"step": 1},
    )

    @classmethod
    def candidate_count(cls, body: dict[str, Any]) -> int:
        return 1  # the reply says which job was created

    @field_validator("training_file", "validation_file")
    @classmethod
    def _a_file(cls, value: str | None) -> str | None:
        return None if value is None else str(_file(value))

    @field_validator("suffix")
    @classmethod
    def _a_suffix(cls, value: str | None) -> str | None:
        if value is not None and not _SUFFIX.fullmatch(value):
            raise ValueError(_("may hold letters, digits, - and _ only"))
        return value

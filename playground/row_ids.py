"""Whole numbers that name stored rows (ids, version numbers), as URLs, forms and the run
socket send them.

SQLite stores 64-bit integers and Python's sqlite3 raises OverflowError for a larger
value, so ``/teams/99999999999999999999999/`` was a 500. A number out of that range names
no row: the ``<dbint:…>`` path converter answers 404 for it, and ``row_number`` reads it
as "not a number of a row" for the callers to refuse or ignore.
"""

from typing import Any

from django import forms
from django.urls import register_converter

ROW_NUMBER_MAX = 2**63 - 1  # SQLite's INTEGER and PostgreSQL's bigint


def row_number(value: Any) -> int | None:
    """``value`` as a row id or number: an int, or ASCII digits as a form sends them;
    None when it is neither or out of range (so no row can have it)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        # ASCII only: str.isdigit also accepts "²", which int() refuses.
        if not (value.isascii() and value.isdigit()) or len(value) > 19:
            return None
        value = int(value)
    if isinstance(value, int) and 0 <= value <= ROW_NUMBER_MAX:
        return value
    return None


class RowNumberConverter:
    """``<dbint:name>``: Django's ``<int:…>`` bounded to what the database can look up."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = row_number(value)
        if number is None:
            raise ValueError("out of range")  # Django then answers 404: no such page
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RowNumberConverter, "dbint")


class RowModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's multiple choice of rows, refusing an id beyond the database as not one of
    the choices (its own check asks the database, where such an id overflows)."""

    def clean(self, value: Any) -> Any:
        for pk in value or ():
            if row_number(pk) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(pk)[:30]},
                )
        return super().clean(value)

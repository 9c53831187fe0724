"""Searching runs: their prompts and replies as one text, matched by words.

PostgreSQL: full-text search (the 'simple' configuration, no stemming, every language)
over ``search_text``'s stored words (``search_vector``, migration 0005), with a GIN index. Its parser does not split
Chinese, Japanese or Korean text into words, so the stored text and the query both have
a space put between such characters, and each searched word is matched as a phrase:
"天气" finds "今天天气很好" (as 天 <-> 气). SQLite: each word as a case-insensitive
substring of the same text (Django escapes % and _).
"""

import re
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from playground.spec import input_texts
from playground.storable import without_unstorable

# Han, kana, hangul and CJK punctuation: scripts written without spaces between words.
_CJK = re.compile(
    "([\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef])"
)
_SPACES = re.compile(" {2,}")
MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 20
SEARCH_CONFIG = "simple"


class SearchRefused(Exception):
    """The search text cannot be searched; the message says why and what is allowed."""


def spaced(text: str) -> str:
    """``text`` with a space around every CJK character (see the module's docstring), and
    no two spaces in a row, so that the stored text and a query are spaced alike."""
    return _SPACES.sub(" ", _CJK.sub(r" \1 ", text))


def searchable_text(request: dict[str, Any] | None, output: dict[str, Any] | None) -> str:
    """Every prompt text of the request, its variables' values (the prompt keeps the
    template) and every reply text of the output, one per line."""
    texts: list[str] = []
    body = (request or {}).get("body") or {}
    variables = (request or {}).get("variables") or {}
    if isinstance(variables, dict):
        texts.extend(str(value) for value in variables.values())
    for message in body.get("messages") or []:
        if isinstance(message, dict):
            texts.extend(_content_texts(message.get("content")))
    for key in ("prompt", "input", "instruction", "instructions"):
        if key in body:
            texts.extend(input_texts(body[key]))
    for candidate in (output or {}).get("candidates") or []:
        texts.append(str(candidate.get("text") or ""))
        texts.extend(str(call.get("arguments") or "") for call in candidate.get("tool_calls") or [])
    return spaced(without_unstorable("\n".join(text for text in texts if text)))


def _content_texts(content: Any) -> list[str]:
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        return [str(part.get("text", "")) for part in content if isinstance(part, dict)]
    return []


def search_words(query: str) -> list[str]:
    """The words to find (each must be there), or SearchRefused saying why not."""
    query = without_unstorable(query)
    if len(query) > MAX_QUERY_CHARS:
        raise SearchRefused(
            "q: "
            + _(
                "the search text is %(count)s characters; at most %(limit)s are searched. "
                "Search for a few words of it."
            )
            % {"count": f"{len(query):,}", "limit": MAX_QUERY_CHARS}
        )
    # A CJK word becomes its characters; quotes are kept as part of a word, not syntax.
    words = [spaced(word).strip() for word in query.split()]
    words = list(dict.fromkeys(word for word in words if word))
    if len(words) > MAX_QUERY_WORDS:
        raise SearchRefused(
            "q: " + _("at most %(limit)s words are searched at once.") % {"limit": MAX_QUERY_WORDS}
        )
    return words


def runs_search(runs: QuerySet, words: list[str]) -> QuerySet:
    """The runs whose text holds every word."""
    if not words:
        return runs
    if connection.vendor == "postgresql":
        # search_vector: the generated, indexed column of migration 0005 (not a model field:
        # SQLite has no such type), matched with one phrase query per word.
        matches = " && ".join([f"phraseto_tsquery('{SEARCH_CONFIG}', %s)"] * len(words))
        return runs.filter(
            RawSQL(f"runs_run.search_vector @@ ({matches})", words, output_field=BooleanField())
        )
    condition = Q()
    for word in words:
        condition &= Q(search_text__icontains=word)
    return runs.filter(condition)

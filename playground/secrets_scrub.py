"""The one scrubber of provider secrets: what leaves the server never carries a key.

An upstream (or a gateway left in debug mode) may echo the request's ``Authorization``
header or a stored provider's extra headers back: in reply text, tool-call arguments,
logprobs, model names, response headers, error bodies. Every secret of a provider (the
key and each extra header's value, all stored encrypted) is searched for where text
leaves the server, not field by field:

- websocket frames (``RunConsumer.send_html``), with the reply stream held back a little
  (``StreamScrubber``) so that a secret split across two frames is still whole when
  scrubbed;
- the terminal (``ScrubbingWriter`` around ``manage.py run_request``'s output);
- logs (``SecretsLogFilter`` on the handlers, see settings.LOGGING), with the scrubbers
  of every provider this process has built;
- model lists (``GET /models``), kept in the cache and shown in pages;
- upstream error texts quoted in messages (``providers/http_errors.py``), which pages
  show too;
- the error page's variables (``debug.py``);
- the token-by-token probability view (``RunOutcome.shown_logprobs``), where a secret
  the reply spells over several tokens is whole only when they are read together.

Each secret is searched in the forms an echo takes: as sent, in any letter case,
percent-encoded, JSON ``\\u``-escaped, HTML-escaped, and base64 (standard and URL-safe,
of the secret and of ``Bearer <secret>``, at each of the three byte alignments). The
variants are built once per set of secrets into one compiled regular expression, so a
text with no secret in it costs one scan (measured: ~1 µs for a reply frame; holding
back a possible tail adds 1 to 2 µs per frame).
"""

import base64
import html
import json
import logging
import re
import threading
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

REDACTED = "***"
# Shorter values (a header such as "1" or "yes") would blank out ordinary text.
MIN_SECRET_LENGTH = 4
# Base64 of a short secret is a few letters that turn up by chance in long base64 data
# (embeddings): only secrets this long are also looked for in base64.
MIN_BASE64_SECRET_LENGTH = 8
# Length of the prefix that marks a place where a variant may start (see hold_from).
_GRAM = 4
# Length of the prefix of each variant the regular expression holds (see Scrubber).
_PREFIX = 24


def _lower(text: str) -> str:
    """``text`` in lower case, character for character (a few letters lower to two
    characters, which would shift every place found after them)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def secret_variants(secret: str) -> set[str]:
    """Every form of ``secret`` that is searched for (lower case; matched ignoring case)."""
    variants = {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        "".join(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else c for c in secret),
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret, safe=""),
        "".join(f"%{byte:02x}" for byte in secret.encode()),
        html.escape(secret, quote=True),
        html.escape(secret, quote=True).replace("&#x27;", "&#39;"),
    }
    if len(secret) >= MIN_BASE64_SECRET_LENGTH:
        for raw in (secret.encode(), f"Bearer {secret}".encode()):
            variants.update(_base64_cores(raw))
    return {variant.lower() for variant in variants if variant}


def _base64_cores(raw: bytes) -> set[str]:
    """The base64 characters that depend only on ``raw``, wherever it starts in the encoded
    data (three byte alignments), in the standard and the URL-safe alphabets."""
    cores = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode()
        first = -(-offset * 8 // 6)  # the first character made of raw's bits only
        last = (offset + len(raw)) * 8 // 6  # past the last one
        core = encoded[first:last]
        cores.add(core)
        cores.add(core.replace("+", "-").replace("/", "_"))
    return cores


def _trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words`` (the longest one at a place), with
    their common prefixes written once: the engine then compares a character or two at a
    place instead of trying each word (2.7 against 0.9 µs for a frame, measured)."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for character in word:
            node = node.setdefault(character, {})
        node[""] = {}
    return _alternatives(trie) if trie else "(?!)"


def _alternatives(node: dict[str, dict]) -> str:
    branches = []
    for character in sorted(key for key in node if key):
        literal, child = character, node[character]
        # A chain with no fork is one literal (so recursion goes as deep as forks, not
        # as characters: a variant is up to 6 times a secret's length).
        while "" not in child and len(child) == 1:
            ((character, child),) = child.items()
            literal += character
        forks = any(key for key in child)
        branches.append(re.escape(literal) + (_alternatives(child) if forks else ""))
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # Greedy: a longer word is preferred to the word that ends here.
    return f"(?:{body})?" if "" in node else body


class Scrubber:
    """Finds and replaces the variants of a fixed set of secrets (see ``scrubber_for``).

    Text is matched in lower case (an exact-case regular expression is about twenty times
    faster than one ignoring case). The regular expression holds only each variant's first
    ``_PREFIX`` characters, with common prefixes written once (compiling the whole variants
    took 34 ms for one 164-character key, measured); a place it finds is then checked
    against the whole variants there."""

    def __init__(self, secrets: Iterable[str]) -> None:
        kept = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH})
        variants = sorted({v for s in kept for v in secret_variants(s)}, key=lambda v: (-len(v), v))
        self.active = bool(variants)
        self.longest = len(variants[0]) if variants else 0
        # The variants by their first _GRAM characters, longest first: the longest form at
        # a place is the one replaced.
        self._by_gram: dict[str, list[str]] = {}
        for variant in variants:
            self._by_gram.setdefault(variant[:_GRAM], []).append(variant)
        self._starts = re.compile(_trie_pattern({v[:_PREFIX] for v in variants}))
        self._grams = re.compile(_trie_pattern(self._by_gram))
        # Proper prefixes shorter than _GRAM, at the very end: what the text's last few
        # characters may be (searched from _GRAM - 1 characters before the end only).
        short = {v[:n] for v in variants for n in range(1, _GRAM)}
        self._tail = re.compile("(?:" + _trie_pattern(short) + r")\Z")

    def __bool__(self) -> bool:
        return self.active

    def _matches(self, lowered: str, place: int = 0) -> Iterator[tuple[int, int]]:
        """Where whole variants are in ``lowered``, left to right, not overlapping."""
        while (found := self._starts.search(lowered, place)) is not None:
            start = found.start()
            for variant in self._by_gram.get(lowered[start : start + _GRAM], ()):
                if lowered.startswith(variant, start):
                    yield start, start + len(variant)
                    place = start + len(variant)
                    break
            else:
                place = start + 1

    def scrub(self, text: str) -> str:
        """``text`` with every secret, in every form, replaced by ***."""
        if not self.active:
            return text
        lowered = _lower(text)
        if self._starts.search(lowered) is None:  # the common case: one scan
            return text
        pieces = []
        done = 0
        for start, end in self._matches(lowered):
            pieces.append(text[done:start])
            pieces.append(REDACTED)
            done = end
        if not pieces:
            return text
        pieces.append(text[done:])
        return "".join(pieces)

    def scrub_pieces(self, pieces: Sequence[str]) -> list[str]:
        """``pieces`` shown one after the other (a reply's tokens), with every secret they
        spell together replaced: the piece where one begins shows *** in its place, the
        pieces it continues into lose their part of it."""
        if not self.active:
            return list(pieces)
        joined = "".join(pieces)
        spans = list(self._matches(_lower(joined)))
        if not spans:
            return list(pieces)
        shown = []
        end = 0
        for piece in pieces:
            start, end = end, end + len(piece)
            kept, cursor = [], start
            for secret_start, secret_end in spans:
                if secret_end <= start or secret_start >= end:
                    continue
                if secret_start > cursor:
                    kept.append(joined[cursor:secret_start])
                if secret_start >= start:
                    kept.append(REDACTED)
                cursor = max(cursor, min(secret_end, end))
            kept.append(joined[cursor:end])
            shown.append("".join(kept))
        return shown

    def contains(self, text: str) -> bool:
        return self.active and next(self._matches(_lower(text)), None) is not None

    def hold_from(self, text: str) -> int:
        """Where the part of ``text`` that may be the start of a secret begins (its length
        when none): that part must wait for the text that follows it. A whole secret found
        in ``text`` is never cut."""
        if not self.active:
            return len(text)
        lowered = _lower(text)
        # Only a tail shorter than the longest variant can be an unfinished one; whole
        # secrets overlapping it go out whole (and scrubbed), never cut.
        start = max(0, len(text) - self.longest + 1)
        found = self._grams.search(lowered, start)
        if found is not None:
            for _, end in self._matches(lowered, max(0, start - self.longest)):
                start = max(start, end)
            found = self._grams.search(lowered, start)
        while found is not None:
            place = found.start()
            rest = lowered[place:]
            if any(v.startswith(rest) for v in self._by_gram.get(rest[:_GRAM], ())):
                return place
            found = self._grams.search(lowered, place + 1)
        tail = self._tail.search(lowered, max(start, len(text) - _GRAM + 1))
        return tail.start() if tail is not None else len(text)

    def stream(self) -> "StreamScrubber":
        return StreamScrubber(self)


class StreamScrubber:
    """Scrubs a text that arrives in pieces: ``feed`` returns what may go out now (scrubbed),
    keeping back a tail that may be the start of a secret; ``finish`` returns the rest."""

    def __init__(self, scrubber: Scrubber) -> None:
        self._scrubber = scrubber
        self._held = ""

    def feed(self, text: str) -> str:
        if not self._scrubber.active:
            return text
        text = self._held + text
        cut = self._scrubber.hold_from(text)
        self._held = text[cut:]
        return self._scrubber.scrub(text[:cut])

    def finish(self) -> str:
        held, self._held = self._held, ""
        return self._scrubber.scrub(held)

    @property
    def holding(self) -> bool:
        return bool(self._held)


NO_SECRETS = Scrubber(())

# The scrubber of every set of secrets a provider of this process was built with (built
# once each): the log filter applies them all.
_known: dict[tuple[str, ...], Scrubber] = {}
_known_lock = threading.Lock()


def scrubber_for(secrets: Iterable[str]) -> Scrubber:
    """The scrubber of a provider's secrets (built once per set of secrets); the secrets
    are also remembered for the log filter."""
    wanted = tuple(sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}))
    if not wanted:
        return NO_SECRETS
    scrubber = _known.get(wanted)
    if scrubber is None:
        with _known_lock:
            scrubber = _known.get(wanted) or Scrubber(wanted)
            _known[wanted] = scrubber
    return scrubber


def scrub_known_secrets(text: str) -> str:
    """``text`` without any secret a provider of this process has been built with."""
    for scrubber in list(_known.values()):
        text = scrubber.scrub(text)
    return text


class SecretsLogFilter(logging.Filter):
    """Scrubs every log record (message, arguments, traceback) of the providers' secrets.

    Put on the handlers (settings.LOGGING): a filter on a logger would miss the records
    its children pass up."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _known:
            return True
        scrub = scrub_known_secrets
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: logging reports it when it formats
            return True
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class Writer(Protocol):
    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


class ScrubbingWriter:
    """A text stream (the terminal) that scrubs what is written through it, holding back a
    tail that may be the start of a secret until more text comes or ``finish``."""

    def __init__(self, out: Writer, scrubber: Scrubber) -> None:
        self._out = out
        self._stream = scrubber.stream()

    def write(self, text: str) -> int:
        safe = self._stream.feed(text)
        if safe:
            self._out.write(safe)
        return len(text)

    def flush(self) -> None:
        self._out.flush()

    def finish(self) -> None:
        rest = self._stream.finish()
        if rest:
            self._out.write(rest)
        self._out.flush()

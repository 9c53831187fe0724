"""Run a request JSON from the terminal: the logic behind ``manage.py run_request``.

The same request format the page saves and exports (``{"mode", "provider",
"body"}``), the same validation, provider and plain error messages; the reply
is streamed to stdout as it arrives. With ``raw`` every upstream answer (each
SSE chunk, or the JSON answer) is printed as one JSON line instead.
"""

import json
import traceback
from dataclasses import dataclass, field
from typing import Any, TextIO

from playground.capabilities import capability_problems, capability_warnings
from playground.providerconfig.lookup import aget_provider
from playground.providers import (
    Embeddings,
    Finished,
    Moderations,
    Provider,
    RawChunk,
    Retrying,
    TextDelta,
    ToolCall,
    UpstreamError,
    Usage,
)
from playground.secrets_scrub import ScrubbingWriter, Writer
from playground.spec import RequestInvalid, upstream_body, validate_request

EXIT_OK = 0
EXIT_UPSTREAM_FAILED = 1
EXIT_BAD_REQUEST = 2
EXIT_INTERRUPTED = 130


@dataclass
class _Printer:
    """Prints events readably: candidate 0 live, other candidates when they are complete."""

    out: Writer
    raw: bool
    held: dict[int, list[str]] = field(default_factory=dict)
    live_text: bool = False

    def event(self, event: Any) -> None:
        if self.raw:
            if isinstance(event, RawChunk) and event.data.strip() != "[DONE]":
                self._raw_line(event.data)
            return
        if isinstance(event, TextDelta):
            if event.index == 0:
                self.out.write(event.text)
                self.out.flush()
                self.live_text = True
            else:
                self.held.setdefault(event.index, []).append(event.text)
        elif isinstance(event, ToolCall):
            self._end_line()
            label = f"candidate {event.index + 1} " if event.index else ""
            self.out.write(f"[{label}tool call {event.name} id={event.id}] {event.arguments}\n")
        elif isinstance(event, Finished) and event.index > 0 and event.index in self.held:
            self.flush_candidate(event.index)
        elif isinstance(event, Embeddings):
            self.out.write(describe_embeddings(event))
        elif isinstance(event, Moderations):
            self.out.write(describe_moderations(event))
        self.out.flush()

    def _raw_line(self, data: str) -> None:
        try:
            line = json.dumps(json.loads(data), ensure_ascii=False)
        except ValueError:
            line = json.dumps({"unparsed": data})
        self.out.write(line + "\n")
        self.out.flush()

    def _end_line(self) -> None:
        if self.live_text:
            self.out.write("\n")
            self.live_text = False

    def flush_candidate(self, index: int) -> None:
        self._end_line()
        self.out.write(f"--- candidate {index + 1} ---\n{''.join(self.held.pop(index))}\n")

    def finish(self) -> None:
        """Print what is still held (also after a failure: partial text is kept)."""
        for index in sorted(self.held):
            self.flush_candidate(index)
        self._end_line()
        self.out.flush()


def describe_embeddings(result: Embeddings) -> str:
    lines = []
    for position, vector in enumerate(result.vectors):
        first = ", ".join(f"{v:.4f}" for v in vector[:5])
        lines.append(f"input {position + 1}: {len(vector)} dimensions [{first}, ...]")
    if len(result.vectors) > 1:
        lines.append("cosine similarity:")
        for row in result.cosine_matrix():
            lines.append("  " + "  ".join(f"{value:6.3f}" for value in row))
    return "\n".join(lines) + "\n"


def describe_moderations(result: Moderations) -> str:
    lines = []
    for position, item in enumerate(result.results):
        scores = item.get("category_scores") or {}
        flagged = [name for name, on in (item.get("categories") or {}).items() if on]
        if flagged:
            listed = ", ".join(f"{name} {float(scores.get(name, 0)):.2f}" for name in flagged)
            lines.append(f"input {position + 1}: flagged ({listed})")
        else:
            top = max(scores.items(), key=lambda kv: kv[1], default=("none", 0))
            lines.append(
                f"input {position + 1}: not flagged (highest: {top[0]} {float(top[1]):.4f})"
            )
    return "\n".join(lines) + "\n"


def describe_invalid(errors: dict[str, str]) -> str:
    """The page's refusal text, for stderr."""
    listed = "\n".join(f"  {field}: {message}" for field, message in errors.items())
    return f"The request was not sent. Fix these and run again:\n{listed}"


def parse_request_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise RequestInvalid({"request": f"is not valid JSON ({error})"}) from None
    except RecursionError:
        raise RequestInvalid({"request": "is nested too deeply to read"}) from None


async def run_request_text(text: str, out: TextIO, err: TextIO, *, raw: bool = False) -> int:
    """Run a request JSON text, printing to ``out``; return the exit status."""
    try:
        request = validate_request(parse_request_text(text))
        body = upstream_body(request)
        refused = capability_problems(request.mode, body)
        if refused:
            # As on the page: known to fail upstream, so said now instead of after a round trip.
            raise RequestInvalid(refused)
        # Stored providers live in the database: aget_provider looks them up off the loop.
        provider = await aget_provider(request.provider)
    except RequestInvalid as invalid:
        err.write(describe_invalid(invalid.errors) + "\n")
        return EXIT_BAD_REQUEST
    except UpstreamError as error:
        err.write(error.message + "\n")
        return EXIT_BAD_REQUEST
    for name, warning in capability_warnings(request.mode, body).items():
        err.write(f"{name}: {warning}\n")
    # What an upstream echoes of the provider's secrets never reaches the terminal.
    scrubbed_out = ScrubbingWriter(out, provider.scrubber)
    scrubbed_err = ScrubbingWriter(err, provider.scrubber)
    try:
        return await _print_run(provider, body, request.mode, scrubbed_out, scrubbed_err, raw)
    except Exception:
        # A failure of ours (an answer it could not read): its traceback may quote the
        # upstream's text, so it goes out through the scrubber like everything else.
        scrubbed_err.write(
            "The playground hit an internal error; please report it.\n" + traceback.format_exc()
        )
        return EXIT_UPSTREAM_FAILED
    finally:
        scrubbed_out.finish()
        scrubbed_err.finish()


async def _print_run(
    provider: Provider, body: dict[str, Any], mode: str, out: Writer, err: Writer, raw: bool
) -> int:
    printer = _Printer(out, raw)
    usage: Usage | None = None
    try:
        async for event in provider.stream(body, mode):
            if isinstance(event, Usage):
                usage = event
            elif isinstance(event, Retrying):
                err.write(
                    f"{event.reason.capitalize()}, retrying in {event.delay:g} s, "
                    f"attempt {event.attempt} of {event.attempts}...\n"
                )
                continue
            printer.event(event)
    except UpstreamError as error:
        printer.finish()
        err.write(error.message + "\n")
        return EXIT_UPSTREAM_FAILED
    printer.finish()
    if usage is not None and not raw:
        err.write(
            f"usage: {usage.prompt_tokens} prompt + {usage.completion_tokens} completion "
            f"= {usage.total_tokens} tokens\n"
        )
    return EXIT_OK

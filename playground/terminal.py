"""Run a request JSON from the terminal: the logic behind ``manage.py run_request``.

The same request format the page saves and exports (``{"mode", "provider",
"body"}``), the same validation, provider and plain error messages; the reply
is streamed to stdout as it arrives. Images are written as files to the output
directory and their paths printed (``image_files`` says which answers are images); a
speech answer's audio is written there piece by piece as it arrives, its path printed
at the end (a file that turns out not to be the audio asked for is removed). With
``raw`` every upstream answer (each SSE chunk, or the JSON answer) is printed as one JSON
line instead, and no file is written.
"""

import asyncio
import contextlib
import functools
import json
import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from asgiref.sync import sync_to_async
from django.utils.translation import gettext as _

from playground.capabilities import capability_problems, capability_warnings
from playground.image_files import file_stem, shown_image
from playground.message_files import attachment_problems_async
from playground.outcome import RawChunks, RunOutcome, RunStatus
from playground.providerconfig.lookup import aget_provider
from playground.providers import (
    AudioDone,
    AudioPiece,
    Embeddings,
    Finished,
    Images,
    Moderations,
    Provider,
    RawChunk,
    Retrying,
    TextDelta,
    ToolCall,
    Transcript,
    UpstreamError,
    Usage,
)
from playground.providers.http_errors import seconds_text
from playground.request_files import body_files_check
from playground.runs.budgets import budget_check
from playground.runs.models import Source
from playground.runs.services import RunContext, request_object, run_record
from playground.secrets_scrub import ScrubbingWriter, Writer
from playground.spec import RequestInvalid, template_body, upstream_body, validate_request
from playground.speech_files import (
    SpeechRefused,
    audio_file_name,
    speech_problem,
    speech_store,
)
from playground.transcript_view import transcript_shown
from playground.uploads.references import file_paths_read_from

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
    # Where images are written, and what their files are named after (the prompt).
    output_dir: Path = Path()
    prompt: str = ""
    err: Writer | None = None
    # Why a result was not written (a file that could not be, audio that is not the
    # format asked for): the run then fails with these words and ends with status 1.
    problems: list[str] = field(default_factory=list)
    # A speech answer: the file its audio goes to, named after its text, while it arrives.
    audio_name: str = "speech.mp3"
    audio_path: Path | None = None
    audio_file: BinaryIO | None = None
    audio_head: bytes = b""

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
            names = {"name": event.name, "id": event.id, "number": event.index + 1}
            if event.index:
                line = _("[candidate %(number)s tool call %(name)s id=%(id)s]") % names
            else:
                line = _("[tool call %(name)s id=%(id)s]") % names
            self.out.write(f"{line} {event.arguments}\n")
        elif isinstance(event, Finished) and event.index > 0 and event.index in self.held:
            self.flush_candidate(event.index)
        elif isinstance(event, Embeddings):
            self.out.write(describe_embeddings(event))
        elif isinstance(event, Moderations):
            self.out.write(describe_moderations(event))
        elif isinstance(event, Images):
            self._save_images(event)
        elif isinstance(event, AudioPiece):
            self._write_audio(event.data)
        elif isinstance(event, AudioDone):
            self._end_audio(event.response_format)
        elif isinstance(event, Transcript) and (event.segments or event.words):
            self._end_line()
            self.out.write(describe_transcript(event))
        self.out.flush()

    def _write_audio(self, data: bytes) -> None:
        """A piece of the audio, written at once: a long answer is never held whole."""
        if self.audio_file is None:
            if self.audio_path is not None:  # opening failed before: said once
                return
            try:
                self.audio_path, self.audio_file = new_file_open(self.output_dir, self.audio_name)
            except OSError as error:
                self.audio_path = self.output_dir / self.audio_name
                self._problem(f"the audio could not be written: {error}")
                return
        if len(self.audio_head) < 8192:
            self.audio_head += data[: 8192 - len(self.audio_head)]
        self.audio_file.write(data)

    def _end_audio(self, response_format: str) -> None:
        """The audio is complete: its path on stdout, unless it is not the audio asked for."""
        if self.audio_file is None:
            return
        self.audio_file.close()
        self.audio_file = None
        assert self.audio_path is not None
        problem = speech_problem(response_format, self.audio_head)
        if problem is not None:
            self.audio_path.unlink(missing_ok=True)
            self._problem(problem)
            return
        self.out.write(f"{self.audio_path}\n")

    def _problem(self, message: str) -> None:
        """A result that could not be written (the run then fails, saying this)."""
        self.problems.append(message)
        if self.err is not None:
            self.err.write(message + "\n")

    def _drop_partial_audio(self) -> None:
        """A run that failed midway leaves no half audio file behind."""
        if self.audio_file is not None:
            self.audio_file.close()
            self.audio_file = None
            assert self.audio_path is not None
            self.audio_path.unlink(missing_ok=True)
            if self.err is not None:
                self.err.write(_("The audio was not complete; its file was removed.") + "\n")

    def _save_images(self, result: Images) -> None:
        """Each image's file into the output directory, its path on stdout (a link is
        printed, not fetched); revised prompts go to stderr, so stdout lists only results."""
        stem = file_stem(self.prompt)
        for number, image in enumerate(result.images, 1):
            shown, data = shown_image(image, number, stem)
            if data is not None:
                try:
                    path = write_new_file(self.output_dir, shown.file_name, data)
                except OSError as error:
                    self._problem(f"image {number} could not be written: {error}")
                    continue
                self.out.write(f"{path}\n")
            elif shown.link or shown.other_link:
                self.out.write(f"image {number}: {shown.link or shown.other_link}\n")
            else:
                self.out.write(f"image {number}: not a PNG, JPEG or WebP image; not written\n")
            if shown.revised_prompt and self.err is not None:
                self.err.write(f"image {number} revised prompt: {shown.revised_prompt}\n")

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
        heading = _("--- candidate %(number)s ---") % {"number": index + 1}
        self.out.write(f"{heading}\n{''.join(self.held.pop(index))}\n")

    def finish(self) -> None:
        """Print what is still held (also after a failure: partial text is kept)."""
        self._drop_partial_audio()
        for index in sorted(self.held):
            self.flush_candidate(index)
        self._end_line()
        self.out.flush()


def describe_embeddings(result: Embeddings) -> str:
    lines = []
    for position, vector in enumerate(result.vectors):
        first = ", ".join(f"{v:.4f}" for v in vector[:5])
        lines.append(
            _("input %(number)s: %(dimensions)s dimensions [%(first)s, ...]")
            % {"number": position + 1, "dimensions": len(vector), "first": first}
        )
    if len(result.vectors) > 1:
        lines.append(_("cosine similarity:"))
        for row in result.cosine_matrix():
            lines.append("  " + "  ".join(f"{value:6.3f}" for value in row))
    return "\n".join(lines) + "\n"


def describe_transcript(result: Transcript) -> str:
    """A verbose transcript's timed segments (or words), one per line after the text."""
    shown = transcript_shown(result)["transcript"]
    lines = [
        _("language %(language)s, %(duration)s")
        % {"language": shown["language"] or "?", "duration": shown["duration"] or "?"}
    ]
    for piece in shown["segments"]:
        speaker = f" {piece['speaker']}:" if piece["speaker"] else ""
        lines.append(f"[{piece['start']} - {piece['end']}]{speaker} {piece['text']}")
    return "\n".join(lines) + "\n"


def describe_moderations(result: Moderations) -> str:
    lines = []
    for position, item in enumerate(result.results):
        scores = item.get("category_scores") or {}
        flagged = [name for name, on in (item.get("categories") or {}).items() if on]
        if flagged:
            listed = ", ".join(f"{name} {float(scores.get(name, 0)):.2f}" for name in flagged)
            lines.append(
                _("input %(number)s: flagged (%(categories)s)")
                % {"number": position + 1, "categories": listed}
            )
        else:
            top = max(scores.items(), key=lambda kv: kv[1], default=("none", 0))
            lines.append(
                _("input %(number)s: not flagged (highest: %(category)s %(score)s)")
                % {"number": position + 1, "category": top[0], "score": f"{float(top[1]):.4f}"}
            )
    return "\n".join(lines) + "\n"


def write_new_file(directory: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as ``directory/name`` (the directory made if missing), or, when that
    file exists, as ``name (2)``, ``name (3)``…: a file already there is never overwritten."""
    path, file = new_file_open(directory, name)
    with file:
        file.write(data)
    return path


def new_file_open(directory: Path, name: str) -> tuple[Path, BinaryIO]:
    """A new file ``directory/name`` open for writing (``name (2)``… when it exists)."""
    directory.mkdir(parents=True, exist_ok=True)
    stem, dot, extension = name.rpartition(".")
    for attempt in range(1, 10_000):
        candidate = directory / (name if attempt == 1 else f"{stem} ({attempt}){dot}{extension}")
        try:
            return candidate, candidate.open("xb")
        except FileExistsError:
            continue
    raise FileExistsError(directory / name)


def output_dir_problem(directory: Path) -> str | None:
    """Why images could not be written to ``directory`` (checked before sending)."""
    if directory.exists() and not directory.is_dir():
        return f"--output-dir: {directory} is a file, not a directory."
    existing = next((d for d in (directory, *directory.parents) if d.exists()), Path())
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"--output-dir: {existing} cannot be written to."
    return None


def describe_invalid(errors: dict[str, str]) -> str:
    """The page's refusal text, for stderr."""
    listed = "\n".join(f"  {field}: {message}" for field, message in errors.items())
    return _("The request was not sent. Fix these and run again:") + f"\n{listed}"


def parse_request_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        # Translators: the parser's own reason (in English) is in the parentheses.
        reason = _("is not valid JSON (%(reason)s)") % {"reason": error}
        raise RequestInvalid({"request": reason}) from None
    except RecursionError:
        raise RequestInvalid({"request": _("is nested too deeply to read")}) from None


@dataclass(frozen=True)
class RecordAs:
    """Who the terminal's run is recorded as in the history, and which preset it ran."""

    user: Any
    preset_id: Any = None
    preset_version: int | None = None
    team_id: int | None = None


async def run_request_text(
    text: str,
    out: TextIO,
    err: TextIO,
    *,
    raw: bool = False,
    record: RecordAs | None = None,
    output_dir: Path | None = None,
    files_dir: Path | None = None,
    follow: bool = False,
) -> int:
    """Run a request JSON text, printing to ``out``; return the exit status. With
    ``record``, the run goes to the history as that user's (``None``: not recorded).
    Images are written to ``output_dir`` (the current directory if None). ``@path`` file
    references are read from ``files_dir`` (the request file's folder); without it they
    are refused, as in the page."""
    try:
        data = parse_request_text(text)
    except RequestInvalid as invalid:
        err.write(describe_invalid(invalid.errors) + "\n")
        return EXIT_BAD_REQUEST
    run = functools.partial(
        run_request_data, raw=raw, record=record, output_dir=output_dir, follow=follow
    )
    if files_dir is None:
        return await run(data, out, err)
    with file_paths_read_from(files_dir):
        return await run(data, out, err)


async def run_request_data(
    data: Any,
    out: TextIO,
    err: TextIO,
    *,
    raw: bool = False,
    record: RecordAs | None = None,
    output_dir: Path | None = None,
    follow: bool = False,
) -> int:
    """Run a request JSON value (see run_request_text); ``follow``: a fine-tuning job the
    run created is followed until it ends (its events printed; exit 1 unless it succeeded)."""
    output_dir = output_dir or Path()
    problem = output_dir_problem(output_dir)
    if problem:
        err.write(problem + "\n")
        return EXIT_BAD_REQUEST
    try:
        request = validate_request(data)
        body = upstream_body(request)
        refused = capability_problems(request.mode, body)
        refused.update(await attachment_problems_async(body))
        if refused:
            # As on the page: known to fail upstream, so said now instead of after a round trip.
            raise RequestInvalid(refused)
        await body_files_check(request.mode, body)
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
    context = None
    if record is not None:
        context = RunContext(
            user=record.user,
            provider=request.provider,
            request=request_object(
                mode=request.mode,
                provider=request.provider,
                body=template_body(request),
                variables=request.variables,
            ),
            source=Source.TERMINAL,
            preset_id=record.preset_id,
            preset_version=record.preset_version,
            team_id=record.team_id,
        )
        budget = await sync_to_async(budget_check)(user=record.user, team_id=record.team_id)
        if budget.refusal:
            err.write(budget.refusal + "\n")
            refused_run = RunOutcome(
                status=RunStatus.REFUSED,
                error=budget.refusal,
                started_at=time.time(),
                mode=request.mode,
                body=body,
            )
            await _record(context, refused_run, err)
            return EXIT_BAD_REQUEST
        for warning in budget.warnings:
            err.write(warning + "\n")
    # What an upstream echoes of the provider's secrets never reaches the terminal.
    scrubbed_out = ScrubbingWriter(out, provider.scrubber)
    scrubbed_err = ScrubbingWriter(err, provider.scrubber)
    outcome = RunOutcome(mode=request.mode, body=body, scrubber=provider.scrubber)
    try:
        printer = _Printer(
            scrubbed_out,
            raw,
            output_dir=output_dir,
            prompt=str(body.get("prompt") or ""),
            err=scrubbed_err,
            audio_name=audio_file_name(body),
        )
        status = await _print_run(provider, body, request.mode, printer, scrubbed_err, outcome)
        if status == EXIT_OK and follow and outcome.job is not None:
            from playground.finetuning.terminal_follow import job_followed

            try:
                succeeded = await job_followed(provider, outcome.job, scrubbed_out, scrubbed_err)
            except UpstreamError as error:
                scrubbed_err.write(error.message + "\n")
                return EXIT_UPSTREAM_FAILED
            return EXIT_OK if succeeded else EXIT_UPSTREAM_FAILED
        return status
    except asyncio.CancelledError:
        # Ctrl+C: asyncio.run cancels the run; what came so far is kept, and recorded.
        outcome.status = RunStatus.STOPPED
        raise
    except BrokenPipeError:
        # The reader went away (`| head`): a stop, not a failure of ours; the command
        # ends quietly (run_request.quiet_when_reader_leaves).
        outcome.status = RunStatus.STOPPED
        raise
    except Exception:
        # A failure of ours (an answer it could not read): its traceback may quote the
        # upstream's text, so it goes out through the scrubber like everything else.
        outcome.status, outcome.error = RunStatus.FAILED, _("The playground hit an internal error.")
        scrubbed_err.write(
            _("The playground hit an internal error; please report it.")
            + "\n"
            + traceback.format_exc()
        )
        return EXIT_UPSTREAM_FAILED
    finally:
        with contextlib.suppress(BrokenPipeError):  # what was held back has no reader
            scrubbed_out.finish()
        if context is not None:
            await _speech_keep(outcome, scrubbed_err)
            await _record(context, outcome, scrubbed_err)
        if outcome.audio is not None:
            outcome.audio.close()
        scrubbed_err.finish()


async def _speech_keep(outcome: RunOutcome, err: Writer) -> None:
    """A finished speech run's audio, stored for the history (the page plays it there)."""
    if outcome.audio is None or outcome.status != RunStatus.FINISHED:
        return
    try:
        outcome.speech = await sync_to_async(speech_store, thread_sensitive=True)(
            sink=outcome.audio, body=outcome.body, response_format=outcome.audio_format or "mp3"
        )
    except SpeechRefused:
        pass  # said already, when the file was checked


async def _record(context: RunContext, outcome: RunOutcome, err: Writer) -> None:
    """Write the run to the history; if the database will not take it, say so (the reply
    is printed already) and go on with the same exit status."""
    try:
        run = await sync_to_async(run_record, thread_sensitive=True)(
            context=context, outcome=outcome
        )
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"
        err.write(_("The run was not saved in the history: %(reason)s") % {"reason": reason})
        err.write("\n")
        return
    if run.cost_usd is None:
        saved = _("Saved in the history as run %(id)s (cost unknown).") % {"id": run.pk}
    else:
        cost = f"${run.cost_usd:f}".rstrip("0").rstrip(".")
        saved = _("Saved in the history as run %(id)s (cost %(cost)s).") % {
            "id": run.pk,
            "cost": cost,
        }
    err.write(saved + "\n")


async def _print_run(
    provider: Provider,
    body: dict[str, Any],
    mode: str,
    printer: _Printer,
    err: Writer,
    outcome: RunOutcome,
) -> int:
    """Print the run's events as they come, keeping them in ``outcome`` for the history."""
    raw = printer.raw
    usage: Usage | None = None
    outcome.started_at = time.time()
    started = time.monotonic()
    try:
        async for event in provider.stream(body, mode):
            if isinstance(event, TextDelta):
                outcome.text[event.index] = outcome.text.get(event.index, "") + event.text
                if outcome.first_token_seconds is None:
                    outcome.first_token_seconds = time.monotonic() - started
            elif isinstance(event, Finished):
                outcome.finish_reasons[event.index] = event.reason
            elif isinstance(event, Retrying):
                # As on the page: the history keeps the attempt that answered.
                outcome.headers, outcome.raw, outcome.raw_chars = None, RawChunks(), 0
                retrying = _(
                    "%(reason)s, retrying in %(delay)s, attempt %(attempt)s of %(attempts)s..."
                ) % {
                    "reason": event.reason[:1].upper() + event.reason[1:],
                    "delay": seconds_text(event.delay),
                    "attempt": event.attempt,
                    "attempts": event.attempts,
                }
                err.write(retrying + "\n")
                continue
            else:
                outcome.record(event)
            if isinstance(event, Usage):
                usage = event
            printer.event(event)
    except UpstreamError as error:
        outcome.seconds = time.monotonic() - started
        outcome.status, outcome.error = RunStatus.FAILED, error.message
        printer.finish()
        err.write(error.message + "\n")
        return EXIT_UPSTREAM_FAILED
    finally:
        outcome.seconds = time.monotonic() - started
    outcome.status = RunStatus.FINISHED
    printer.finish()
    if printer.problems:
        # The answer came, but its file was not written (or was not what was asked for):
        # the run failed, and its record says why.
        outcome.status, outcome.error = RunStatus.FAILED, " ".join(printer.problems)
        return EXIT_UPSTREAM_FAILED
    if outcome.reasoning and not raw:
        err.write(_("reasoning summary: %(text)s") % {"text": outcome.reasoning} + "\n")
    if outcome.response_id and not raw:
        # On stderr with the usage: stdout holds the reply only.
        err.write(
            _("response id: %(id)s (set previous_response_id to it to continue)")
            % {"id": outcome.response_id}
            + "\n"
        )
    if usage is not None and not raw:
        err.write(
            _("usage: %(prompt)s prompt + %(completion)s completion = %(total)s tokens")
            % {
                "prompt": usage.prompt_tokens,
                "completion": usage.completion_tokens,
                "total": usage.total_tokens,
            }
            + "\n"
        )
    return EXIT_OK

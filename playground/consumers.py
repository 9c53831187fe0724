"""The websocket a page runs requests through: run, stop, and HTML frames back.

Messages in (JSON): the page's form values as htmx's ws extension sends them
(``{"action": "run", "model": …, "messages-0-content": …}``; see playground/forms.py), a
request JSON, as the page's JSON view sends its editor's text or a script the object
(``{"action": "run", "request": "{\"mode\": …}"}`` or ``{"action": "run", "request": {…}}``),
a saved preset version (``{"action": "run", "preset": "<uuid>", "version": N}``),
``{"action": "stop"}``, or ``{"action": "raw"}`` (the last finished run's raw answer,
which the inspector asks for when it is opened, see fragments.RAW_INLINE_CHARS). ``"moderate": "on"`` (the chat page's switch) checks
the prompt with the provider's moderation before sending and the reply after.
Messages out: HTML fragments (see fragments.py).

Each run is a background task, so that Stop and a closed socket cancel it at
once (and with it the upstream request) instead of queueing behind the stream.
"""

import asyncio
import json
import logging
import time
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext as _

from playground import fragments
from playground.capabilities import capability_problems
from playground.forms import request_from_form
from playground.limits import RunLease, RunRefused, get_run_limiter, user_key
from playground.live import frames as live_frames
from playground.live.publisher import LiveRun
from playground.live.runner import LiveRunSocket
from playground.message_files import attachment_problems_async
from playground.moderation_check import moderated_run
from playground.modes import get_mode
from playground.outcome import RunOutcome, RunStatus
from playground.presets.running import PresetUnavailable, preset_request_for_run_async
from playground.providerconfig.lookup import aget_provider
from playground.providers import UpstreamError
from playground.request_files import body_files_check
from playground.runs.budgets import budget_check_async
from playground.runs.models import Source
from playground.runs.retention import retention_due, retention_sweep_in_background
from playground.runs.services import RunContext, request_object, run_record_async
from playground.secrets_scrub import NO_SECRETS
from playground.spec import RequestInvalid, template_body, upstream_body, validate_request
from playground.storable import first_lone_surrogate
from playground.streaming import SendHtml, cancel_in_background, cancel_until_done, relay_run

logger = logging.getLogger(__name__)


class RunConsumer(LiveRunSocket):
    # Each run is written to the history when it ends (playground.runs), unless the
    # PLAYGROUND_RECORD_RUNS setting is off; the streaming tests turn it off to read the
    # stream's frames alone (tests/conftest.py run_client).
    records_runs: bool | None = None

    @property
    def user(self) -> AbstractBaseUser:
        """The signed-in user: ws_auth.websocket_auth_stack puts it in the scope, connect() refuses
        anyone else (channels' stubs type it as a lazy object that may be None)."""
        return cast(AbstractBaseUser, self.scope["user"])

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.run_task: asyncio.Task | None = None
        self.run_lease: RunLease | None = None
        self.last_outcome: RunOutcome | None = None
        # The current run's provider's: every frame is scrubbed of its secrets on the way out.
        self.scrubber = NO_SECRETS
        self.closed = False
        if self.records_runs is None:
            self.records_runs = settings.PLAYGROUND_RECORD_RUNS
        # Runs being written to the history: kept so that they are not garbage collected.
        self.recordings: set[asyncio.Task] = set()
        await self.accept()

    async def disconnect(self, code: int) -> None:
        self.closed = True
        task = getattr(self, "run_task", None)
        if task is not None and not task.done():
            cancel_in_background(task)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        refused = _too_large(text_data or "")
        if refused:
            await self.send_html(fragments.run_refused(refused))
            return
        try:
            message = json.loads(text_data or "")
        except json.JSONDecodeError:
            await self.send_html(fragments.run_refused(_("The message was not valid JSON.")))
            return
        except ValueError:  # valid JSON, but a number Python will not read (over 4300 digits)
            await self.send_html(
                fragments.run_refused(_("The message holds a number too long to read."))
            )
            return
        except RecursionError:
            await self.send_html(
                fragments.run_refused(_("The message was nested too deeply to read."))
            )
            return
        if not isinstance(message, dict):
            await self.send_html(fragments.run_refused(_("The message must be a JSON object.")))
            return
        problem = message_problem(message)
        if problem:
            await self.send_html(fragments.run_refused(problem))
            return
        action = message.get("action", "run")
        if action == "stop":
            await self.stop_run()
        elif action == "run":
            await self.start_run(message)
        elif action == "raw":
            await self.send_html(fragments.raw_chunks(self.last_outcome))
        else:
            await self.send_html(
                fragments.run_refused(
                    _("Unknown action %(action)s (allowed: run, stop, raw).")
                    % {"action": repr(str(action)[:40])}
                )
            )

    async def start_run(self, message: dict[str, Any]) -> None:
        preset_run = None
        if "preset" in message:
            try:
                preset_run = await preset_request_for_run_async(
                    user=self.user,
                    preset_id=message["preset"],
                    version=message.get("version"),
                    link_token=message.get("link"),
                )
            except PresetUnavailable as unavailable:
                await self.send_html(fragments.run_refused(str(unavailable)))
                return
        try:
            # The page's form values, or its JSON editor's text as it is ("request"): the
            # form codec reads either (a parse error names its line and column).
            data = preset_run.request if preset_run is not None else request_from_form(message)
            request = validate_request(data)
            sent = upstream_body(request)
            refused = capability_problems(request.mode, sent)
            refused.update(await attachment_problems_async(sent))
            if refused:
                # Known to fail upstream: say so now instead of spending a round trip.
                raise RequestInvalid(refused)
            await body_files_check(request.mode, upstream_body(request))
            provider = await aget_provider(request.provider, self.user)
        except RequestInvalid as invalid:
            await self.send_html(fragments.request_invalid(invalid.errors))
            return
        except UpstreamError as error:
            await self.send_html(fragments.run_refused(error.message))
            return
        await self.stop_run()
        self.scrubber = provider.scrubber
        body = upstream_body(request)
        context = RunContext(
            user=self.user,
            provider=request.provider,
            request=request_object(
                mode=request.mode,
                provider=request.provider,
                body=template_body(request),
                variables=request.variables,
            ),
            source=Source.PRESET if preset_run is not None else Source.PAGE,
            preset_id=preset_run.preset_id if preset_run is not None else None,
            preset_version=preset_run.version if preset_run is not None else None,
            team_id=preset_run.team_id if preset_run is not None else None,
        )
        # Before the run limiter and the upstream: a spent budget refuses the run (recorded).
        budget = await budget_check_async(user=self.user, team_id=context.team_id)
        if budget.refusal:
            await self.refuse_run(context, budget.refusal)
            return
        try:
            lease = await get_run_limiter().acquire(user_key(self.user))
        except RunRefused as refusal:
            await self.refuse_run(context, refusal.message)
            return
        outcome = RunOutcome(scrubber=provider.scrubber)
        send: SendHtml = self.send_html
        if budget.warnings:
            send = _first_frame_plus(send, fragments.budget_warnings(budget.warnings))
        # Teammates may watch it live (playground/live/): the frames also go to its watchers,
        # but for the link to share and the budget warnings (the runner's own), which only
        # this page gets.
        live = self.live_start(
            run_id=context.run_id,
            owner_id=self.user.pk,
            team_id=context.team_id,
            scrubber=provider.scrubber,
        )
        if live is not None:
            send = live[0].tee(
                _first_frame_plus(send, live_frames.share_link(live[1], team=context.team_id))
            )
        if get_mode(request.mode).moderation_switch and message.get("moderate") in MODERATE_ON:
            work = moderated_run(provider, body, send, outcome=outcome)
        else:
            work = relay_run(provider, body, send, mode=request.mode, outcome=outcome)
        self.last_outcome = None
        self.run_task = asyncio.create_task(work)
        self.run_task.add_done_callback(_report_failure)
        self.run_task.add_done_callback(lambda task: self._keep_outcome(outcome))
        watched = live[0] if live is not None else None
        if self.records_runs:
            self.run_task.add_done_callback(
                lambda task: self._record_later(context, outcome, send, watched)
            )
        elif watched is not None:
            self.run_task.add_done_callback(lambda task: watched.end())
        self.run_lease = lease
        # Kept (and, in Redis, renewed) while the task lives; given back when it ends.
        lease.hold_while(self.run_task)

    async def stop_run(self) -> None:
        task = self.run_task
        if task is None or task.done():
            return  # a Stop that crossed the end of the run: nothing to do
        # Until the upstream is closed and the "stopped" frame is out (cancelled again while
        # it runs on: see cancel_until_done).
        await cancel_until_done(task)
        if self.run_lease is not None:
            # Now, not in the background: a run that replaces this one needs its slot.
            await self.run_lease.release()

    async def refuse_run(self, context: RunContext, message: str) -> None:
        """Say why the run was not sent (a budget, the run limits), and keep it in the
        history as refused."""
        await self.send_html(fragments.run_refused(message))
        if self.records_runs:
            outcome = RunOutcome(
                status=RunStatus.REFUSED,
                error=message,
                started_at=time.time(),
                mode=context.request["mode"],
                body=context.request["body"],
                scrubber=self.scrubber,
            )
            await self._record(context, outcome)

    def _record_later(
        self, context: RunContext, outcome: RunOutcome, send: SendHtml, live: LiveRun | None
    ) -> None:
        """Write the run's record once it has ended (also when stopped), off the stream; its
        watchers see the "saved in history" frame too, then the end of the live run."""
        recording = asyncio.create_task(self._record(context, outcome, send))
        if live is not None:
            recording.add_done_callback(lambda task: live.end())
        self.recordings.add(recording)
        recording.add_done_callback(self.recordings.discard)
        recording.add_done_callback(_report_failure)

    async def _record(
        self, context: RunContext, outcome: RunOutcome, send: SendHtml | None = None
    ) -> None:
        send = send or self.send_html
        try:
            run = await run_record_async(context=context, outcome=outcome)
        except Exception:
            # The reply is on the page already: say that it is not in the history, and why
            # in the log (a database that is down, full, or locked).
            logger.exception("A run could not be recorded in the history")
            await send(fragments.run_not_recorded())
            return
        await send(fragments.run_recorded(run))
        if retention_due():
            retention_sweep_in_background()

    def _keep_outcome(self, outcome: RunOutcome) -> None:
        # What the raw inspector asks for later: a stopped run's too (Stop keeps everything);
        # a prompt refused by moderation sent nothing to inspect.
        if outcome.status not in (RunStatus.RUNNING, RunStatus.REFUSED):
            self.last_outcome = outcome

    async def send_html(self, html: str) -> None:
        if not self.closed:
            await self.send(text_data=self.scrubber.scrub(html))


# The moderation switch: a checkbox sends "on" when ticked and nothing otherwise.
MODERATE_ON = ("on", "true", True)


def message_problem(message: dict[str, Any]) -> str | None:
    """What is wrong with the message's own keys (beside the request), naming the key and
    what it may be; None when nothing is. Checked first, so that nothing after it meets a
    list where it expects text."""
    surrogate = first_lone_surrogate(message)
    if surrogate:
        return f"{surrogate[0]}: {surrogate[1]}."
    link = message.get("link")
    if link is not None and not isinstance(link, str):
        return "link: " + _("must be text (the token of a preset's share link) or absent.")
    preset = message.get("preset")
    if preset is not None and not isinstance(preset, str):
        return "preset: " + _("must be text (a preset's id) or absent.")
    # A "version" that is no number is told as "no such preset or version" when the preset is
    # looked up (presets/running.py): one answer for every id and version not to be read.
    moderate = message.get("moderate")
    if not (
        moderate is None
        or isinstance(moderate, bool)
        or (isinstance(moderate, str) and moderate in {"on", "off", "true", "false", ""})
    ):
        return "moderate: " + _('must be "on", "off", true, false or absent.')
    return None


def _too_large(text: str) -> str | None:
    """The refusal of a message above PLAYGROUND_MAX_MESSAGE_BYTES (the page checks first)."""
    limit = settings.PLAYGROUND_MAX_MESSAGE_BYTES
    if len(text) <= limit // 4:  # at most 4 bytes a character: no need to encode
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    if size <= limit:
        return None
    return _(
        "The request is %(size)s bytes; the server takes at most %(limit)s bytes per run. "
        "Shorten the prompt or the messages and run again."
    ) % {"size": f"{size:,}", "limit": f"{limit:,}"}


def _first_frame_plus(send: SendHtml, extra: str) -> SendHtml:
    """``send`` with ``extra`` added to its first frame (the run's "running" status)."""
    pending = [extra]

    async def send_html(html: str) -> None:
        await send(html + pending.pop() if pending else html)

    return send_html


def _report_failure(task: asyncio.Task) -> None:
    # Without this, a bug inside a run would vanish silently and the page would wait forever.
    if not task.cancelled() and task.exception() is not None:
        logger.error("Run failed unexpectedly", exc_info=task.exception())

"""Run an evaluation file (JSON or YAML, promptfoo's shape) here, in this process.

Exit status: 0 when every check of every cell passed, 1 when any failed (or a provider
failed a cell), 2 when the file is invalid (nothing was sent). Every cell is recorded as
a run, and the evaluation is kept: the page at /evaluations/ shows it.
"""

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandParser

from playground.evals.execute import evaluation_create, evaluation_run, worker_name
from playground.evals.models import CellStatus, EvalCell, Evaluation
from playground.evals.plan import PlanInvalid, plan_from_file_data, plan_from_json
from playground.evals.reports import cell_json, junit_xml
from playground.evals.summary import evaluation_summary
from playground.management.commands.run_request import LOCAL_USER, recording_user
from playground.presets.by_name import preset_request_for

EXIT_PASSED, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the evaluation file (.json, .yaml or .yml)")
        parser.add_argument(
            "--json", action="store_true", help="print one JSON object per cell as it ends"
        )
        parser.add_argument("--junit", metavar="PATH", help="write a JUnit XML report here")
        parser.add_argument(
            "--concurrency",
            type=int,
            default=4,
            help="cells run at once (default 4; at most PLAYGROUND_EVAL_PROVIDER_CONCURRENCY)",
        )
        parser.add_argument(
            "--user",
            help=f"run and record as this user (default: the local account {LOCAL_USER!r})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sys.exit(self._run(options))

    def _run(self, options: dict[str, Any]) -> int:
        path = Path(options["file"])
        if options["concurrency"] < 1:
            self.stderr.write("--concurrency: must be 1 or more.")
            return EXIT_INVALID
        try:
            data = read_eval_file(path)
        except PlanInvalid as invalid:
            self._invalid(path, invalid)
            return EXIT_INVALID
        user, why_not = recording_user({**options, "no_record": False})
        if why_not:
            self.stderr.write(
                f"The runs are recorded without a user: there is no local account {LOCAL_USER!r}"
                " (`make run` creates it); pass --user NAME to record them as someone."
            )
        try:
            plan = plan_from_file_data(
                data, base_dir=path.parent, preset_request=preset_request_for(user)
            )
        except PlanInvalid as invalid:
            self._invalid(path, invalid)
            return EXIT_INVALID
        evaluation = evaluation_create(
            user=user,
            name=plan.description or path.name,
            plan=plan,
            concurrency=options["concurrency"],
        )
        stored_plan = plan_from_json(evaluation.plan)
        printing = {"on": options["json"]}

        async def on_cell(cell: EvalCell) -> None:
            if printing["on"]:
                line = json.dumps(cell_json(stored_plan, cell), ensure_ascii=False)
                try:
                    await asyncio.to_thread(self._line, line)
                except BrokenPipeError:
                    # The reader went away (`--json | head`): the evaluation still ends
                    # and is kept; nothing more is printed.
                    printing["on"] = False
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

        evaluation_run(evaluation.pk, worker_id=f"eval-{worker_name()}", on_cell=on_cell)
        evaluation = Evaluation.objects.get(pk=evaluation.pk)
        if options["junit"]:
            Path(options["junit"]).write_text(junit_xml(evaluation), encoding="utf-8")
        summary = evaluation_summary(evaluation)
        if not options["json"]:
            self._summary(evaluation, summary)
        all_passed = (
            not EvalCell.objects.filter(evaluation=evaluation)
            .exclude(status=CellStatus.PASSED)
            .exists()
        )
        return EXIT_PASSED if all_passed else EXIT_FAILED

    def _line(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def _invalid(self, path: Path, invalid: PlanInvalid) -> None:
        self.stderr.write(f"{path}: the evaluation file is invalid; nothing was sent.")
        for where, what in invalid.errors.items():
            self.stderr.write(f"  {where}: {what}")

    def _summary(self, evaluation: Evaluation, summary: Any) -> None:
        self.stdout.write(f"Evaluation {evaluation.name} ({evaluation.pk}):")
        for config in summary.configs:
            rate = "—" if config.pass_rate is None else f"{config.pass_rate:.0%}"
            latency = "—" if config.latency_avg_ms is None else f"{config.latency_avg_ms:.0f} ms"
            p90 = "—" if config.latency_p90_ms is None else f"{config.latency_p90_ms:.0f} ms"
            cost = f"${config.cost:.6f}" + (
                f" + {config.cost_unknown} unpriced" if config.cost_unknown else ""
            )
            self.stdout.write(
                f"  {config.label}: {config.passed}/{config.finished} passed ({rate}), "
                f"{config.errors} errors, latency avg {latency} p90 {p90}, "
                f"{config.tokens} tokens, {cost}"
            )


def read_eval_file(path: Path) -> Any:
    """The file's data: JSON, or YAML (which JSON is a part of); PlanInvalid says why not."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PlanInvalid({"file": f"cannot be read ({error})"}) from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as error:
        raise PlanInvalid(
            {f"line {error.lineno}, column {error.colno}": f"is not JSON ({error.msg})"}
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        problem = getattr(error, "problem", None) or str(error)
        raise PlanInvalid({where: f"is not YAML ({problem})"}) from None

"""``manage.py eval FILE``: runs an evaluation file here, records every cell as a run, and
exits 0 (all passed), 1 (a check or a provider failed) or 2 (the file is invalid)."""

import io
import json
from pathlib import Path

import pytest
import xmlschema
from django.core.management import call_command

from playground.evals.models import EvalCell, Evaluation
from playground.runs.models import Run
from tests.fake_upstream import Scenario

pytestmark = pytest.mark.django_db(transaction=True)
SCHEMA = xmlschema.XMLSchema(Path(__file__).with_name("junit.xsd"))


def echo(body) -> list[str]:
    """The fake answers with the prompt it was sent: each cell's answer names its row."""
    return [f"You asked: {body['messages'][-1]['content']}"]


def write(tmp_path: Path, data, name: str = "eval.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def run_eval(path: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("eval", str(path), *args, stdout=out, stderr=err)
    return exit_.value.code, out.getvalue(), err.getvalue()


REQUEST = {
    "mode": "chat",
    "provider": "openai",
    "body": {
        "model": "fake-model",
        "messages": [{"role": "user", "content": "Capital of {{country}}?"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    },
}


def plan(**extra) -> dict:
    return {
        "description": "Capitals",
        "request": REQUEST,
        "tests": [
            {"vars": {"country": "Norway"}, "assert": [{"type": "icontains", "value": "norway"}]},
            {"vars": {"country": "Peru"}, "assert": [{"type": "contains", "value": "Peru"}]},
        ],
        **extra,
    }


def test_every_check_passing_exits_0_and_every_cell_is_a_recorded_run(tmp_path, fake_upstream):
    fake_upstream.default = Scenario(tokens=echo)
    code, out, err = run_eval(write(tmp_path, plan()), "--json")
    assert code == 0, err
    cells = [json.loads(line) for line in out.splitlines()]
    assert sorted((c["vars"]["country"], c["pass"]) for c in cells) == [
        ("Norway", True),
        ("Peru", True),
    ]
    norway = next(c for c in cells if c["vars"]["country"] == "Norway")
    assert (
        norway["config"] == "openai:fake-model"
        and norway["output"] == "You asked: Capital of Norway?"
    )
    assert norway["assertions"] == [
        {
            "type": "icontains",
            "passed": True,
            "score": 1.0,
            "reason": "'norway' found in 'You asked: Capital of Norway?'",
            "weight": 1.0,
        }
    ]
    sent = sorted(
        r.body["messages"][0]["content"] for r in fake_upstream.requests_to("/chat/completions")
    )
    assert sent == ["Capital of Norway?", "Capital of Peru?"]
    runs = Run.objects.filter(source="evaluation")
    assert runs.count() == 2
    assert {r.request["variables"]["country"] for r in runs} == {"Norway", "Peru"}
    assert set(EvalCell.objects.values_list("run_id", flat=True)) == set(
        runs.values_list("pk", flat=True)
    )


def test_a_failed_check_exits_1_and_the_junit_report_names_the_reason(tmp_path, fake_upstream):
    fake_upstream.default = Scenario(tokens=echo)
    data = plan(configs=[{"label": "first"}, {"label": "second", "body": {"temperature": 0}}])
    data["tests"][1]["assert"] = [{"type": "contains", "value": "Lima"}]
    report = tmp_path / "report.xml"
    code, out, _ = run_eval(write(tmp_path, data), "--junit", str(report))
    assert code == 1
    assert "first: 1/2 passed (50%)" in out and "second: 1/2 passed (50%)" in out
    SCHEMA.validate(str(report))  # raises when the report does not fit the JUnit schema
    tree = SCHEMA.to_dict(str(report))
    assert tree["@tests"] == 4 and tree["@failures"] == 2 and tree["@errors"] == 0
    suites = {suite["@name"]: suite for suite in tree["testsuite"]}
    assert set(suites) == {"first", "second"}
    failed = [case for case in suites["first"]["testcase"] if "failure" in case]
    assert len(failed) == 1 and failed[0]["@name"] == "test 2 (country=Peru)"
    failure = failed[0]["failure"][0]
    assert failure["@message"] == "contains: 'Lima' not found in 'You asked: Capital of Peru?'"
    second_config = [
        r.body for r in fake_upstream.requests_to("/chat/completions") if "temperature" in r.body
    ]
    assert len(second_config) == 2 and all(b["temperature"] == 0 for b in second_config)


def test_a_provider_failing_on_a_cell_marks_it_and_the_rest_finish(tmp_path, fake_upstream):
    fake_upstream.default = Scenario(tokens=echo)
    fake_upstream.answer_next(Scenario(status=400, error_message="This model is not allowed."))
    data = plan()
    code, out, _ = run_eval(write(tmp_path, data), "--json", "--concurrency", "1")
    assert code == 1
    cells = [json.loads(line) for line in out.splitlines()]
    errored = [c for c in cells if c["status"] == "error"]
    assert len(errored) == 1 and "This model is not allowed." in errored[0]["error"]
    assert [c["pass"] for c in cells if c["status"] != "error"] == [True]


def test_a_dataset_file_gives_rows_with_the_default_checks_and_expected_outputs(
    tmp_path, fake_upstream
):
    fake_upstream.default = Scenario(tokens=echo)
    (tmp_path / "rows.csv").write_text(
        "country,__expected\nChile,icontains: CHILE\nJapan,not-contains: Japan\n", encoding="utf-8"
    )
    data = {
        "request": REQUEST,
        "dataset": "rows.csv",
        "defaultTest": {"assert": [{"type": "starts-with", "value": "You asked"}]},
    }
    code, out, _ = run_eval(write(tmp_path, data), "--json")
    assert code == 1
    results = {json.loads(line)["vars"]["country"]: json.loads(line) for line in out.splitlines()}
    assert results["Chile"]["pass"] is True
    assert [a["type"] for a in results["Chile"]["assertions"]] == ["starts-with", "icontains"]
    assert results["Japan"]["pass"] is False


def test_a_yaml_file_reads_as_promptfoos(tmp_path, fake_upstream):
    fake_upstream.default = Scenario(tokens=echo)
    text = """
description: YAML
request:
  mode: chat
  provider: openai
  body:
    model: fake-model
    messages: [{role: user, content: "Hi {{name}}"}]
tests:
  - description: greets Ada
    vars: {name: Ada}
    assert:
      - type: regex
        value: "Hi Ada\\\\?*$"
      - {type: is-json, weight: 0}
"""
    code, out, err = run_eval(write(tmp_path, text, "eval.yaml"), "--json")
    assert code == 0, err
    (cell,) = [json.loads(line) for line in out.splitlines()]
    assert cell["description"] == "greets Ada" and cell["pass"] is True
    assert [a["passed"] for a in cell["assertions"]] == [True, False]  # weight 0 reports only


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            lambda d: d["tests"][0]["assert"].append({"type": "containz", "value": "x"}),
            "tests[0].assert[1].type",
        ),
        (
            lambda d: d["tests"][1]["assert"].append({"type": "regex", "value": "("}),
            "tests[1].assert[1].value",
        ),
        (
            lambda d: d["tests"][0]["assert"].append({"type": "is-json", "value": {"type": 5}}),
            "tests[0].assert[1].value",
        ),
        (
            lambda d: d["tests"][0]["assert"].append({"type": "latency", "threshold": "fast"}),
            "tests[0].assert[1].threshold",
        ),
        (lambda d: d["tests"][1].update(vars={"land": "Peru"}), "tests[1].vars"),
        (lambda d: d.update(tests=[]), "tests"),
        (lambda d: d["request"]["body"].update(temperature=9), "request.body.temperature"),
        (lambda d: d.update(configs=[{"label": "x"}, {"label": "x"}]), "configs[1].label"),
        (lambda d: d.update(prompts=["x"]), "prompts"),
        # Each row would start a fine-tuning job: never run over a dataset.
        (
            lambda d: d.update(
                request={
                    "mode": "fine_tuning",
                    "provider": "openai",
                    "body": {"model": "m", "training_file": "file-a"},
                }
            ),
            "request.mode",
        ),
    ],
)
def test_an_invalid_file_exits_2_naming_the_field_and_sends_nothing(
    tmp_path, fake_upstream, change, named
):
    data = json.loads(json.dumps(plan()))
    change(data)
    code, _, err = run_eval(write(tmp_path, data))
    assert code == 2
    assert "the evaluation file is invalid; nothing was sent" in err
    assert f"  {named}: " in err
    assert fake_upstream.requests == [] and not Evaluation.objects.exists()


def test_a_dataset_with_no_rows_or_a_bad_line_is_refused(tmp_path, fake_upstream):
    (tmp_path / "empty.csv").write_text("country\n", encoding="utf-8")
    code, _, err = run_eval(write(tmp_path, {"request": REQUEST, "dataset": "empty.csv"}))
    assert code == 2 and "dataset empty.csv, file: has no rows" in err
    (tmp_path / "bad.jsonl").write_text('{"country": "Chile"}\n{"country": \n', encoding="utf-8")
    code, _, err = run_eval(write(tmp_path, {"request": REQUEST, "dataset": "bad.jsonl"}))
    assert code == 2 and "dataset bad.jsonl, line 2, column 13: is not JSON" in err
    assert fake_upstream.requests == []


def test_a_file_that_does_not_parse_is_named_by_line_and_column(tmp_path):
    code, _, err = run_eval(write(tmp_path, "tests:\n  - vars: {a: 1\n", "bad.yaml"))
    assert code == 2 and "line 3, column 1: is not YAML" in err
    code, _, err = run_eval(write(tmp_path, '{"request": }', "bad.json"))
    assert code == 2 and "line 1, column 13: is not JSON" in err


def test_a_429_is_waited_out_as_retry_after_says_and_the_cell_passes(tmp_path, fake_upstream):
    fake_upstream.default = Scenario(tokens=echo)
    fake_upstream.answer_next(Scenario(status=429, retry_after="0.2", error_message="Slow down."))
    data = plan()
    data["tests"] = data["tests"][:1]
    code, out, _ = run_eval(write(tmp_path, data), "--json")
    assert code == 0
    assert len(fake_upstream.requests_to("/chat/completions")) == 2
    assert json.loads(out)["pass"] is True


def test_a_preset_named_in_the_file_is_the_request(tmp_path, fake_upstream):
    from playground.presets.services import preset_create
    from tests.presets.factories import make_user

    admin = make_user("admin")
    preset_create(owner=admin, name="Capitals", request=REQUEST)
    fake_upstream.default = Scenario(tokens=echo)
    data = plan()
    del data["request"]
    data["preset"] = "Capitals"
    code, _, err = run_eval(write(tmp_path, data), "--json", "--user", "admin")
    assert code == 0, err
    assert Run.objects.filter(user=admin, source="evaluation").count() == 2
    code, _, err = run_eval(write(tmp_path, {**data, "preset": "Nope"}), "--user", "admin")
    assert code == 2 and "preset: no preset you may run is named or has the id 'Nope'" in err


@pytest.mark.django_db(transaction=False)
def test_json_lines_piped_into_head_still_finish_the_evaluation(tmp_path, fake_upstream):
    import subprocess
    import sys

    from tests.live_server import ROOT, manage, server_env

    fake_upstream.default = Scenario(tokens=echo)
    env = server_env(
        tmp_path, OPENAI_BASE_URL=fake_upstream.base_url, OPENAI_API_KEY="sk-test-pipe"
    )
    manage(env, "migrate", "--noinput")
    data = plan()
    data["tests"] = [{"vars": {"country": f"c{n}"}} for n in range(12)]
    path = write(tmp_path, data)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "eval", str(path), "--json", "--concurrency", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith(b"{")
    process.stdout.close()  # as head does after its first line
    stderr = process.stderr.read()
    assert process.wait(timeout=60) == 0
    assert b"Traceback" not in stderr, stderr.decode()[-2000:]
    count = manage(
        env,
        "shell",
        "-c",
        "from playground.evals.models import EvalCell; print(EvalCell.objects.filter(status='passed').count())",
    )
    assert count.split()[-1] == "12"

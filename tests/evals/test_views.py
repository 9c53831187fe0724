"""The pages of datasets and evaluations: create, edit, refuse bad input naming the place,
start, watch, cancel, run again, export and compare; and who may see what."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from playground.evals.execute import evaluation_create
from playground.evals.models import CellStatus, Dataset, EvalCell, Evaluation, EvaluationStatus
from playground.evals.plan import Config, EvalTest, Plan
from playground.evals.services import dataset_create
from tests.presets.factories import make_preset, make_request, make_team, make_user
from tests.runs.factories import make_run

pytestmark = pytest.mark.django_db

CHAT = {
    "mode": "chat",
    "provider": "offline",
    "body": {
        "model": "offline-1",
        "messages": [{"role": "user", "content": "Capital of {{country}}?"}],
    },
}


@pytest.fixture
def alice(client):
    user = make_user("alice")
    client.force_login(user)
    return user


def rows(*countries: str) -> list[dict]:
    return [{"vars": {"country": c}, "expected": "", "notes": ""} for c in countries]


def test_a_csv_upload_creates_a_dataset(client, alice):
    upload = SimpleUploadedFile("c.csv", b"country,__expected\nNorway,icontains: oslo\nPeru,\n")
    response = client.post("/datasets/", {"name": "Capitals", "file": upload})
    dataset = Dataset.objects.get()
    assert response.status_code == 302 and response.url == f"/datasets/{dataset.pk}/"
    assert dataset.owner == alice and dataset.name == "Capitals"
    assert dataset.rows[0] == {
        "vars": {"country": "Norway"},
        "expected": "icontains: oslo",
        "notes": "",
    }


def test_pasted_jsonl_creates_a_dataset(client, alice):
    client.post(
        "/datasets/", {"name": "P", "pasted": '{"q": "one"}\n{"q": "two"}\n', "format": "jsonl"}
    )
    assert [r["vars"]["q"] for r in Dataset.objects.get().rows] == ["one", "two"]


def test_a_bad_file_is_refused_naming_the_line_and_nothing_is_created(client, alice):
    upload = SimpleUploadedFile("c.csv", b"country,city\nNorway\n")
    response = client.post("/datasets/", {"name": "Bad", "file": upload})
    page = response.content.decode()
    assert response.status_code == 400 and "Nothing was saved or started" in page
    assert "<code>line 2</code>: has 1 columns where the header has 2" in page
    assert not Dataset.objects.exists()


def test_a_file_of_another_kind_is_refused(client, alice):
    upload = SimpleUploadedFile("c.xlsx", b"PK...")
    response = client.post("/datasets/", {"name": "X", "file": upload})
    assert (
        response.status_code == 400 and "must be a .csv or .jsonl file" in response.content.decode()
    )


def test_rows_are_edited_added_and_deleted_in_the_page(client, alice):
    dataset = dataset_create(owner=alice, name="D", rows=rows("Norway", "Peru"))
    response = client.post(
        f"/datasets/{dataset.pk}/",
        {
            "row-0-var-country": "Sweden",
            "row-0-expected": "Stockholm",
            "row-0-notes": "",
            "row-1-var-country": "Peru",
            "row-1-expected": "",
            "row-1-notes": "",
            "row-1-delete": "on",
            "new-column": "language",
            "add-row": "on",
        },
    )
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.rows == [
        {"vars": {"country": "Sweden", "language": ""}, "expected": "Stockholm", "notes": ""},
        {"vars": {"country": "", "language": ""}, "expected": "", "notes": ""},
    ]


def test_a_new_column_that_is_no_variable_name_is_refused(client, alice):
    dataset = dataset_create(owner=alice, name="D", rows=rows("Norway"))
    response = client.post(
        f"/datasets/{dataset.pk}/", {"row-0-var-country": "x", "new-column": "two words"}
    )
    assert (
        response.status_code == 400
        and "row 1, column &quot;two words&quot;" in response.content.decode()
    )
    dataset.refresh_from_db()
    assert dataset.rows == rows("Norway")


def test_the_csv_download_reads_back_as_the_dataset(client, alice):
    dataset = dataset_create(owner=alice, name="D", rows=rows("Norway", "=cmd"))
    text = client.get(f"/datasets/{dataset.pk}/dataset.csv").content.decode()
    assert list(csv.reader(io.StringIO(text)))[1:] == [["Norway", "", ""], ["=cmd", "", ""]]


def test_a_run_of_the_history_becomes_a_row(client, alice):
    dataset = dataset_create(owner=alice, name="D", rows=rows("Norway"))
    run = make_run(user=alice, prompt="What is 2+2?", reply="4")
    page = client.get(f"/history/{run.pk}/").content.decode()
    assert 'id="add-to-dataset"' in page
    client.post(f"/datasets/from-run/{run.pk}/", {"dataset": str(dataset.pk)})
    dataset.refresh_from_db()
    assert dataset.rows[-1] == {
        "vars": {"input": "What is 2+2?"},
        "expected": "4",
        "notes": f"run {run.pk}",
    }


def test_others_do_not_see_a_private_dataset_and_team_roles_apply(client, alice):
    bob, carol = make_user("bob"), make_user("carol")
    team = make_team("T", bob="viewer", carol="editor")
    mine = dataset_create(owner=alice, name="Mine", rows=rows("x"))
    shared = dataset_create(owner=alice, name="Shared", rows=rows("x"), team_id=team.pk)
    client.force_login(bob)
    assert client.get(f"/datasets/{mine.pk}/").status_code == 404
    assert client.get(f"/datasets/{shared.pk}/").status_code == 200
    assert client.post(f"/datasets/{shared.pk}/", {"row-0-var-country": "y"}).status_code == 404
    client.force_login(carol)
    assert client.post(f"/datasets/{shared.pk}/", {"row-0-var-country": "y"}).status_code == 302


def start(client, dataset, **fields):
    data = {"dataset": str(dataset.pk), "request-0": json.dumps(CHAT), "concurrency": "2", **fields}
    return client.post("/evaluations/", data)


def test_an_evaluation_starts_from_a_request_and_a_preset_and_is_queued(
    client, alice, django_capture_on_commit_callbacks
):
    dataset = dataset_create(owner=alice, name="Capitals", rows=rows("Norway", "Peru"))
    preset = make_preset(alice, name="Cap", request={**make_request("Capital of {{country}}?")})
    with django_capture_on_commit_callbacks(execute=True):
        response = start(
            client, dataset, presets=str(preset.pk), checks="- {type: contains, value: Oslo}"
        )
    evaluation = Evaluation.objects.get()
    assert response.status_code == 302 and response.url == f"/evaluations/{evaluation.pk}/"
    assert [c["label"] for c in evaluation.plan["configs"]] == ["preset Cap", "offline:offline-1"]
    assert evaluation.cells.count() == 4 and evaluation.status == EvaluationStatus.QUEUED
    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [str(evaluation.pk)] and task.queue_name == "evaluations"


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"checks": "- {type: containz, value: x}"}, "checks[0].type"),
        ({"checks": "- {type: regex, value: '('}"}, "checks[0].value"),
        ({"checks": "- {type: is-json, value: {type: 5}}"}, "checks[0].value"),
        ({"checks": "[unclosed"}, "checks"),
        ({"request-0": '{"mode": "chat"'}, "request-0"),
        (
            {"request-0": json.dumps({**CHAT, "body": {**CHAT["body"], "top_p": 7}})},
            "request-0.top_p",
        ),
        (
            {
                "request-0": json.dumps(
                    {
                        **CHAT,
                        "body": {
                            **CHAT["body"],
                            "messages": [{"role": "user", "content": "{{city}}"}],
                        },
                    }
                )
            },
            "tests[0].vars",
        ),
        ({"concurrency": "99"}, "concurrency"),
        ({"request-0": ""}, "configs"),
    ],
)
def test_a_bad_evaluation_is_refused_naming_the_field_and_nothing_starts(
    client, alice, fields, named
):
    dataset = dataset_create(owner=alice, name="Capitals", rows=rows("Norway"))
    response = start(client, dataset, **fields)
    assert response.status_code == 400
    assert f"<code>{named}</code>" in response.content.decode()
    assert not Evaluation.objects.exists()


def finished_evaluation(
    user, statuses=(CellStatus.PASSED, CellStatus.FAILED), dataset=None
) -> Evaluation:
    plan = Plan(
        configs=(Config("a", CHAT), Config("b", CHAT)),
        tests=(EvalTest(vars={"country": "Norway"}),),
    )
    evaluation = evaluation_create(
        user=user, name="E", plan=plan, dataset_id=dataset.pk if dataset else None
    )
    for cell, status in zip(evaluation.cells.order_by("config_index"), statuses, strict=True):
        cell.status, cell.output, cell.latency_ms, cell.total_tokens = (
            status,
            f"<b>{status}</b>",
            100.0,
            7,
        )
        cell.results = [
            {
                "type": "contains",
                "passed": status == "passed",
                "score": 1.0,
                "reason": "=why",
                "weight": 1.0,
            }
        ]
        cell.save()
    Evaluation.objects.filter(pk=evaluation.pk).update(status=EvaluationStatus.FINISHED)
    return Evaluation.objects.get(pk=evaluation.pk)


def test_the_grid_shows_each_cell_escaped_and_the_pass_rates(client, alice):
    evaluation = finished_evaluation(alice)
    page = client.get(f"/evaluations/{evaluation.pk}/").content.decode()
    assert "&lt;b&gt;passed&lt;/b&gt;" in page and "<b>passed</b>" not in page
    assert 'data-config="a" class="eval-best"' in page
    assert page.count('class="pass-rate">100%') == 1 and page.count('class="pass-rate">0%') == 1
    assert "ws-connect" not in page  # finished: nothing to watch


def test_failed_cells_run_again_and_only_those(client, alice, django_capture_on_commit_callbacks):
    evaluation = finished_evaluation(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/evaluations/{evaluation.pk}/rerun/")
    statuses = dict(EvalCell.objects.values_list("config_index", "status"))
    assert statuses == {0: CellStatus.PASSED, 1: CellStatus.PENDING}
    assert Evaluation.objects.get().status == EvaluationStatus.QUEUED


def test_cancel_stops_a_queued_evaluation(client, alice):
    evaluation = finished_evaluation(alice)
    Evaluation.objects.filter(pk=evaluation.pk).update(status=EvaluationStatus.RUNNING)
    client.post(f"/evaluations/{evaluation.pk}/cancel/")
    assert Evaluation.objects.get().status == EvaluationStatus.CANCELLED


def test_the_grid_exports_as_csv_with_formulas_neutralised_and_as_jsonl(client, alice):
    evaluation = finished_evaluation(alice)
    EvalCell.objects.filter(config_index=1).update(output='=HYPERLINK("http://x")')
    text = client.get(f"/evaluations/{evaluation.pk}/grid.csv").content.decode()
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:4] == ["test", "country", "config", "status"]
    assert lines[2][6] == '\'=HYPERLINK("http://x")' and lines[2][7] == "contains: =why"
    cells = [
        json.loads(line)
        for line in client.get(f"/evaluations/{evaluation.pk}/grid.jsonl")
        .content.decode()
        .splitlines()
    ]
    assert [(c["config"], c["pass"]) for c in cells] == [("a", True), ("b", False)]


def test_two_evaluations_of_a_dataset_compare_row_by_row(client, alice):
    dataset = dataset_create(owner=alice, name="D", rows=rows("Norway"))
    first = finished_evaluation(alice, dataset=dataset)
    second = finished_evaluation(
        alice, statuses=(CellStatus.PASSED, CellStatus.PASSED), dataset=dataset
    )
    page = client.get(f"/evaluations/{first.pk}/").content.decode()
    assert f"/evaluations/{first.pk}/compare/{second.pk}/" in page
    compared = client.get(f"/evaluations/{first.pk}/compare/{second.pk}/").content.decode()
    assert "Rows whose results changed (1)" in compared and "passed, failed" in compared


def test_others_do_not_see_an_evaluation(client, alice):
    evaluation = finished_evaluation(alice)
    client.force_login(make_user("mallory"))
    assert client.get(f"/evaluations/{evaluation.pk}/").status_code == 404
    assert client.get(f"/evaluations/{evaluation.pk}/grid.csv").status_code == 404
    assert client.post(f"/evaluations/{evaluation.pk}/cancel/").status_code == 404


def test_the_playground_sends_its_request_to_the_new_evaluation_form(client, alice):
    response = client.post(
        "/evaluations/from-playground/",
        {
            "provider": "offline",
            "model": "offline-1",
            "messages-0-role": "user",
            "messages-0-content": "Hi {{name}}",
        },
    )
    assert response.status_code == 204 and response["HX-Redirect"] == "/evaluations/"
    page = client.get("/evaluations/").content.decode()
    assert "Hi {{name}}" in page and 'id="request-0"' in page


def test_the_compare_page_sends_its_columns_to_the_new_evaluation_form(client, alice):
    form = {
        "system": "",
        "conversation": '[{"role": "user", "content": "Capital of {{country}}?"}]',
        "variables": "",
        "label-0": "small",
        "provider-0": "offline",
        "model-0": "offline-1",
        "label-1": "hot",
        "provider-1": "offline",
        "model-1": "offline-1",
        "parameters-1": '{"temperature": 1.5}',
    }
    response = client.post("/evaluations/from-compare/", form)
    assert response.status_code == 204 and response["HX-Redirect"] == "/evaluations/"
    page = client.get("/evaluations/").content.decode()
    assert 'id="label-0" name="label-0" value="small"' in page
    assert 'id="label-1" name="label-1" value="hot"' in page
    assert "&quot;temperature&quot;: 1.5" in page

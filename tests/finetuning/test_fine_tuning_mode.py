"""The ``fine_tuning`` mode: a request object that creates a job, from the page's socket,
the terminal (``run_request --follow``) and exported code run for real."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from playground.consumers import RunConsumer
from playground.export import export
from playground.finetuning.models import OfflineJob, TrackedJob
from playground.spec import RequestInvalid, validate_request
from playground.uploads.services import upload_create
from tests.conftest import RunClient
from tests.export.test_run_snippets import _run, node_sdk  # noqa: F401 (a fixture)
from tests.finetuning.samples import training_jsonl
from tests.management.test_run_recording import _env, data_dir
from tests.management.test_run_request import ROOT, cli_data_dir
from tests.openapi import assert_valid_request
from tests.runs.factories import make_user
from tests.test_consumers_modes import run_message, text_of

__all__ = ["cli_data_dir", "data_dir"]

BODY = {"model": "gpt-4o-mini-2024-07-18", "suffix": "faq", "hyperparameters": {"n_epochs": 2}}


def test_the_body_is_checked_against_openais_create_request():
    request = validate_request(
        {"mode": "fine_tuning", "provider": "openai", "body": {**BODY, "training_file": "file-a"}}
    )
    assert_valid_request("fine_tuning", request.body.model_dump(exclude_none=True))
    with pytest.raises(RequestInvalid) as refused:
        validate_request(
            {"mode": "fine_tuning", "provider": "openai", "body": {**BODY, "training_file": "a b"}}
        )
    assert "training_file" in refused.value.errors


@pytest.mark.django_db(transaction=True)
async def test_a_run_in_the_page_creates_the_job_and_links_to_its_page(client, settings):
    settings.PLAYGROUND_OFFLINE_FINE_TUNING_SECONDS = 1.0
    alice = await sync_to_async(make_user)("alice")
    communicator = WebsocketCommunicator(RunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = alice
    assert (await communicator.connect())[0]
    runner = RunClient(communicator)
    reference = await sync_to_async(
        lambda: (
            upload_create(data=training_jsonl(), filename="faq.jsonl", purpose="jsonl").reference
        )
    )()
    body = {"model": "offline-1", "training_file": reference, "suffix": "faq"}
    await runner.send(run_message("fine_tuning", body, provider="offline"))
    assert await runner.receive_until_state() == "done", runner.status_text()
    await runner.receive_record()
    await communicator.disconnect()

    job = await OfflineJob.objects.aget()
    shown = text_of("".join(runner.frames))
    assert f"Fine-tuning job {job.id} created (validating_files): offline-1" in shown
    link = f"/fine-tuning/follow/offline/{job.id}/"
    assert f'href="{link}"' in runner.frames[-1] or link in "".join(runner.frames)

    await sync_to_async(client.force_login)(alice)
    answer = await sync_to_async(client.get)(link)
    tracked = await TrackedJob.objects.aget()
    assert answer.status_code == 302 and answer["Location"] == f"/fine-tuning/jobs/{tracked.pk}/"
    assert tracked.owner_id == alice.pk and tracked.upstream_id == job.id


@pytest.mark.django_db(transaction=True)
def test_exports_upload_the_file_then_create_the_same_job(fake_upstream, node_sdk, tmp_path):  # noqa: F811
    reference = upload_create(
        data=training_jsonl(), filename="faq.jsonl", purpose="jsonl"
    ).reference
    request = {
        "mode": "fine_tuning",
        "provider": "openai",
        "body": {**BODY, "training_file": reference},
    }
    for lang in ("python", "node", "curl"):
        workdir = Path(tempfile.mkdtemp(dir=tmp_path))
        (workdir / "faq.jsonl").write_bytes(training_jsonl())
        result = _run(lang, export(lang, request), workdir)
        assert result.returncode == 0, (lang, result.stderr.decode()[-2000:])
        upload, create = fake_upstream.requests[-2:]
        assert upload.path == "/v1/files" and upload.body == {"purpose": "fine-tune"}, lang
        assert upload.files["file"][0].data == training_jsonl(), lang
        assert create.path == "/v1/fine_tuning/jobs", lang
        file_id = create.body.pop("training_file")
        assert file_id in fake_upstream.fine_tuning.files, lang
        assert create.body == BODY, lang
        job_id = next(reversed(fake_upstream.fine_tuning.jobs))
        assert job_id in result.stdout.decode(), (lang, result.stdout.decode())


@pytest.mark.django_db(transaction=True)
def test_the_terminal_follows_the_job_to_succeeded(data_dir, fake_upstream, tmp_path):
    (tmp_path / "faq.jsonl").write_bytes(training_jsonl())
    request = {
        "mode": "fine_tuning",
        "provider": "offline",
        "body": {**BODY, "model": "offline-1", "training_file": "@faq.jsonl"},
    }
    (tmp_path / "job.json").write_text(json.dumps(request))
    env = {**_env(data_dir, fake_upstream), "PLAYGROUND_OFFLINE_FINE_TUNING_SECONDS": "1.5"}
    result = subprocess.run(
        [sys.executable, "manage.py", "run_request", "--follow", str(tmp_path / "job.json")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Fine-tuning job ftjob-") and "offline-1 on file-" in lines[0]
    assert lines[1].startswith("Validating training file: file-")
    assert "Step 24/24: training loss=" in result.stdout
    assert lines[-1] == "The job has successfully completed"
    assert "fine-tuned model: ft:offline-1:playground:faq:" in result.stderr
    assert " succeeded" in result.stderr


def test_a_bad_training_file_in_the_terminal_exits_2_naming_the_line(
    data_dir, fake_upstream, tmp_path
):
    (tmp_path / "faq.jsonl").write_bytes(b"not json\n" * 12)
    request = {
        "mode": "fine_tuning",
        "provider": "openai",
        "body": {**BODY, "training_file": "@faq.jsonl"},
    }
    (tmp_path / "job.json").write_text(json.dumps(request))
    result = subprocess.run(
        [sys.executable, "manage.py", "run_request", str(tmp_path / "job.json")],
        cwd=ROOT,
        env=_env(data_dir, fake_upstream),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr  # refused before anything is sent
    assert "training_file: line 1: is not JSON" in result.stderr
    assert fake_upstream.requests == []

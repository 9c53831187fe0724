"""The evaluation page's socket: cells and the summary as they finish, from the channel
layer (a worker anywhere) or, without a shared layer, read from the database each second."""

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path
from django.utils import timezone, translation

from playground.evals import progress
from playground.evals.consumers import EvaluationConsumer
from playground.evals.execute import evaluation_create
from playground.evals.models import CellStatus, EvalCell
from playground.evals.plan import Config, EvalTest, Plan
from tests.runs.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

CHAT = {
    "mode": "chat",
    "provider": "offline",
    "body": {"model": "offline-1", "messages": [{"role": "user", "content": "{{q}}"}]},
}
APP = URLRouter([path("ws/evaluation/<uuid:evaluation_id>/", EvaluationConsumer.as_asgi())])


def create(user):
    plan = Plan(
        configs=(Config("a", CHAT),), tests=(EvalTest(vars={"q": "1"}), EvalTest(vars={"q": "2"}))
    )
    return evaluation_create(user=user, name="E", plan=plan)


async def connect(user, evaluation) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(APP, f"/ws/evaluation/{evaluation.pk}/")
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    assert connected, code
    return communicator


def finish(cell: EvalCell, output: str) -> EvalCell:
    cell.status, cell.output, cell.finished_at = CellStatus.PASSED, output, timezone.now()
    cell.save()
    return cell


async def test_a_finished_cell_reaches_the_page_through_the_channel_layer(settings):
    settings.PLAYGROUND_EVAL_PROGRESS_POLL_SECONDS = 0
    alice = await sync_to_async(make_user)("alice")
    evaluation = await sync_to_async(create)(alice)
    page = await connect(alice, evaluation)
    first = await page.receive_from()  # what finished before the socket opened: nothing
    assert 'id="evaluation-summary"' in first and "0 of 2 cells" in first
    cell = await EvalCell.objects.aget(evaluation=evaluation, test_index=0)
    cell = await sync_to_async(finish)(cell, "<script>alert(1)</script>")
    await progress.cell_finished(evaluation, cell)
    frame = await page.receive_from()
    assert f'id="cell-{cell.pk}"' in frame and 'hx-swap-oob="true"' in frame
    assert "&lt;script&gt;" in frame and "<script>" not in frame
    assert "1 of 2 cells" in frame
    await page.disconnect()


async def test_without_a_shared_layer_the_socket_reads_new_cells_itself(settings):
    settings.PLAYGROUND_EVAL_PROGRESS_POLL_SECONDS = 0.05
    alice = await sync_to_async(make_user)("alice")
    evaluation = await sync_to_async(create)(alice)
    page = await connect(alice, evaluation)
    await page.receive_from()
    cell = await EvalCell.objects.aget(evaluation=evaluation, test_index=1)
    await sync_to_async(finish)(cell, "second")
    frame = await page.receive_from(timeout=5)
    assert f'id="cell-{cell.pk}"' in frame and "second" in frame
    # Nothing new: nothing sent.
    assert await page.receive_nothing(timeout=0.3)
    await page.disconnect()


async def test_someone_who_may_not_see_the_evaluation_is_refused():
    alice = await sync_to_async(make_user)("alice")
    mallory = await sync_to_async(make_user)("mallory")
    evaluation = await sync_to_async(create)(alice)
    communicator = WebsocketCommunicator(APP, f"/ws/evaluation/{evaluation.pk}/")
    communicator.scope["user"] = mallory
    connected, code = await communicator.connect()
    assert not connected and code == 4404


async def test_each_watching_page_reads_the_progress_in_its_own_language():
    consumer = EvaluationConsumer()
    sent: list[str] = []

    async def send(text_data: str) -> None:
        sent.append(text_data)

    consumer.send = send  # type: ignore[method-assign]
    frames = {"en": "<p>1 of 2 cells</p>", "zh-hans": "<p>2 个单元格中的 1 个</p>"}
    with translation.override("zh-hans"):
        await consumer.evaluation_progress({"type": "evaluation.progress", "html": frames})
    with translation.override("en"):
        await consumer.evaluation_progress({"type": "evaluation.progress", "html": frames})
    assert sent == [frames["zh-hans"], frames["en"]]

"""The mode registry is complete: every mode can be validated, shown, exported and run."""

import copy
from pathlib import Path

import pytest
from django.template.loader import get_template

from playground.bodies import WireBody
from playground.export import RENDERERS, export
from playground.form_layout import parameter_inputs
from playground.modes import MODE_NAMES, REGISTRY, UnknownMode, get_mode, modes_where
from playground.providers import AudioPiece, Embeddings, Images, Moderations, RawChunk, TextDelta
from playground.providers.offline import OfflineProvider
from playground.providers.offline_speech import speech_audio
from playground.spec import upstream_body, validate_request
from playground.uploads.references import file_paths_read_from
from tests.finetuning.samples import training_jsonl
from tests.openapi import assert_valid_request, request_schema

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
MODES = sorted(REGISTRY)


def example_request(mode: str) -> dict:
    return {
        "mode": mode,
        "provider": "offline",
        "body": copy.deepcopy(dict(get_mode(mode).example_body)),
    }


@pytest.mark.parametrize("mode", MODES)
def test_each_mode_example_is_valid_for_the_playground_and_for_openai(mode):
    request = validate_request(example_request(mode))

    assert isinstance(request.body, get_mode(mode).body_model)
    assert_valid_request(mode, upstream_body(request))


@pytest.mark.parametrize("mode", MODES)
def test_each_mode_declares_the_parameters_its_page_shows(mode):
    record = get_mode(mode)
    # Declared by the mode's body model or one of its endpoints' (an image edit's).
    declared = {name for model in record.body_models for name in model.model_fields}

    assert all(issubclass(model, WireBody) for model in record.body_models)
    assert set(record.parameters) <= set(declared), set(record.parameters) - set(declared)
    assert [p["name"] for p in parameter_inputs(mode)] == list(record.parameters)
    assert all(p["label"] and p["help"] for p in parameter_inputs(mode))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("lang", sorted(RENDERERS))
def test_each_mode_exports_in_every_language(mode, lang):
    snippet = export(lang, example_request(mode))

    assert snippet.strip()
    if lang in {"python", "node"}:
        method = get_mode(mode).sdk.node if lang == "node" else get_mode(mode).sdk.method
        assert method in snippet or "client.post(" in snippet


@pytest.mark.parametrize("mode", MODES)
def test_each_mode_has_its_prompt_fields_result_partial_and_printers(mode):
    record = get_mode(mode)
    get_template(f"playground/prompt/_{record.prompt_fields}.html")
    get_template(record.result_template)
    shapes = [record.answer, f"{record.answer}-stream"] if record.streams else [record.answer]
    for shape in shapes:
        for lang in ("python", "node"):
            assert (TEMPLATES / "export" / "printers" / f"{shape}.{lang}.txt").is_file()


@pytest.mark.parametrize(
    "mode",
    [
        # The offline model keeps its fine-tuning files and jobs in the database.
        pytest.param(m, marks=pytest.mark.django_db(transaction=True)) if m == "fine_tuning" else m
        for m in MODES
    ],
)
async def test_each_mode_runs_on_the_offline_model(mode, tmp_path):
    record = get_mode(mode)
    body = upstream_body(validate_request(example_request(mode)))
    # An example's files are the terminal's @paths, read from beside the request.
    (tmp_path / "hello.wav").write_bytes(speech_audio({"input": "Hello", "response_format": "wav"}))
    (tmp_path / "train.jsonl").write_bytes(training_jsonl())
    with file_paths_read_from(tmp_path):
        answer = [
            event
            async for event in OfflineProvider(tokens_per_second=0).stream(body, mode)
            if not isinstance(event, RawChunk)
        ]

    expected = {
        "embedding": Embeddings,
        "moderation": Moderations,
        "image": Images,
        "speech": AudioPiece,
    }.get(record.answer, TextDelta)
    assert any(isinstance(event, expected) for event in answer), answer


def test_modes_that_generate_text_are_the_ones_with_candidate_columns():
    for record in REGISTRY.values():
        count = record.body_model.candidate_count(dict(record.example_body))
        # A transcript is a reply too, read from the audio rather than generated; a
        # fine-tuning run's reply says which job it created.
        replies = record.generates_text or record.answer in {"transcription", "fine_tuning"}
        assert (count > 0) == replies, record.name
    assert {m.name for m in modes_where(generates_text=True)} == {
        "chat",
        "completion",
        "edit",
        "responses",
    }


def test_an_unknown_mode_names_the_known_ones():
    with pytest.raises(UnknownMode) as raised:
        get_mode("video")

    assert raised.value.args[0] == f"must be one of {', '.join(MODE_NAMES)}"


@pytest.mark.parametrize(
    "record", [m for m in REGISTRY.values() if m.variants], ids=lambda m: m.name
)
def test_each_endpoint_variant_is_chosen_by_its_file_fields_and_is_an_openai_endpoint(record):
    for variant in record.variants:
        assert variant.file_fields and variant.upload_purpose
        body = {**record.example_body, variant.file_fields[0]: "@file"}
        assert record.endpoint_for(body) == variant
        assert record.endpoint_for(dict(record.example_body)) == record.default_endpoint
        assert request_schema(record.name, body)  # OpenAI's document has it, multipart

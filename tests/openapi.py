"""Validate JSON values against schemas in OpenAI's published OpenAPI document.

Request bodies the playground (and its exported code) sends, and the responses the
fake upstream answers with, are checked against ``components.schemas`` of
``../shared/openai-openapi/openapi.yaml`` (OpenAPI 3.1, so JSON Schema 2020-12).
``$ref`` pointers resolve inside that one document. The document still marks
some schemas with OpenAPI 3.0's ``nullable: true``, which JSON Schema ignores; it
is rewritten to its 3.1 meaning (``null`` is also allowed) when loaded.
"""

import functools
import os
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from playground.modes import get_mode

OPENAPI_PATH = Path(
    os.environ.get(
        "PLAYGROUND_OPENAPI_YAML",
        Path(__file__).resolve().parents[2] / "shared" / "openai-openapi" / "openapi.yaml",
    )
)
_DOCUMENT_URI = "urn:openai-openapi"


@functools.cache
def _registry() -> Registry:
    candidates = [OPENAPI_PATH, Path("/work/shared/openai-openapi/openapi.yaml")]
    path = next((p for p in candidates if p.exists()), OPENAPI_PATH)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=loader)
    resource = Resource.from_contents(_allow_nullable(document), default_specification=DRAFT202012)
    return Registry().with_resource(_DOCUMENT_URI, resource)


def _allow_nullable(node: Any) -> Any:
    """Rewrite OpenAPI 3.0 ``nullable: true`` as JSON Schema that also accepts null."""
    if isinstance(node, list):
        return [_allow_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _allow_nullable(value) for key, value in node.items()}
    if node.pop("nullable", False) is not True:
        return node
    if isinstance(node.get("type"), str) and "$ref" not in node:
        node["type"] = [node["type"], "null"]
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
        return node
    return {"anyOf": [node, {"type": "null"}]}


@functools.cache
def validator(schema_name: str) -> Draft202012Validator:
    """A validator for ``components.schemas.<schema_name>``."""
    schema = {"$ref": f"{_DOCUMENT_URI}#/components/schemas/{schema_name}"}
    return Draft202012Validator(schema, registry=_registry())


def schema_errors(value: Any, schema_name: str) -> list[str]:
    """Every way ``value`` breaks the named schema, as readable lines (empty if valid)."""
    errors = sorted(validator(schema_name).iter_errors(value), key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors]


def assert_valid(value: Any, schema_name: str) -> None:
    errors = schema_errors(value, schema_name)
    assert not errors, f"not a valid {schema_name}:\n" + "\n".join(errors[:20])


def request_schema(mode: str, body: dict[str, Any] | None = None) -> str:
    """The name of the request schema OpenAI's document gives the endpoint (POST) a body of
    ``mode`` goes to (an image body with an image: /images/edits, a multipart upload)."""
    endpoint = get_mode(mode).endpoint_for(body or {})
    operation = _registry().contents(_DOCUMENT_URI)["paths"][endpoint.path]["post"]
    content_type = "multipart/form-data" if endpoint.multipart else "application/json"
    reference = operation["requestBody"]["content"][content_type]["schema"]["$ref"]
    return reference.rsplit("/", 1)[-1]


def assert_valid_request(mode: str, body: dict[str, Any]) -> None:
    """Assert that ``body`` is a valid request body for ``mode``'s OpenAI endpoint (file
    references stand for the files of a multipart upload: strings, as the schema's
    ``format: binary``)."""
    assert_valid(body, request_schema(mode, body))

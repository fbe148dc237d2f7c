"""Check replies against the OpenAPI document the service publishes."""

from __future__ import annotations

from typing import Any

import jsonschema
from referencing import Registry, Resource

from api.openapi import openapi_document

_DOC = openapi_document()
_REGISTRY = Registry().with_resource("urn:openapi", Resource.from_contents(
    {**_DOC, "$schema": "https://json-schema.org/draft/2020-12/schema"}))


def schema_for(path: str, method: str, status: int) -> dict[str, Any] | None:
    responses = _DOC["paths"][path][method]["responses"]
    content = responses[str(status)].get("content", {})
    for media in ("application/json", "application/problem+json"):
        if media in content:
            return content[media]["schema"]
    return None


def assert_conforms(reply: Any, path: str, method: str = "get") -> None:
    """The reply's status is documented for the operation and its body matches the schema."""
    responses = _DOC["paths"][path][method]["responses"]
    assert str(reply.status_code) in responses, f"{reply.status_code} not documented for {path}"
    schema = schema_for(path, method, reply.status_code)
    if schema is None:
        return
    ref = schema["$ref"].replace("#/", "urn:openapi#/")
    jsonschema.validate(reply.get_json(), {"$ref": ref}, registry=_REGISTRY,
                        cls=jsonschema.Draft202012Validator)

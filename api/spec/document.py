"""The OpenAPI 3.1 document, generated: paths from the app's routes and the operations their
views declare (registry.py), components from the pydantic models those operations name (the
models the views validate with), the error codes from codes.py, the `webhooks` section from
the event models. Examples come from the models (`examples`), problems' from their codes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema
from werkzeug.routing import Rule

from api.spec import conventions
from api.spec.codes import PROBLEM_CODES
from api.spec.events import webhook_operation
from api.spec.models_common import Problem
from api.spec.models_events import EVENTS
from api.spec.registry import Operation, Param, Reply, declared

REF = "#/components/schemas/{model}"
METHODS = ("get", "put", "post", "delete")
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
SECURITY = {"bearerAuth": {"type": "http", "scheme": "bearer",
                           "description": "An API key from `customs api-key create`"},
            "metricsToken": {"type": "http", "scheme": "bearer",
                             "description": "CUSTOMS_METRICS_TOKEN (GET /metrics only)"}}


Refs = dict[type[BaseModel], dict[str, Any]]


class UndescribedRoute(LookupError):
    """A route whose view declares no operation."""


def openapi(rules: Iterable[Rule], views: dict[str, Callable[..., Any]], *,
            extra_schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    """The document; `extra_schemas`: components that are JSON Schema already (not models),
    for raw bodies whose `schema` refers to them."""
    operations = _operations(rules, views)
    models = _models(op for _, _, op, _ in operations)
    refs, schemas = _schemas(models)
    clash = set(schemas) & set(extra_schemas or {})
    if clash:
        raise ValueError(f"components defined twice: {sorted(clash)}")
    schemas.update(extra_schemas or {})
    paths: dict[str, Any] = {}
    for path, method, op, converters in operations:
        paths.setdefault(path, {})[method] = _operation(path, method, op, converters, refs,
                                                         schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "customs", "version": "1",
                 "description": "Electronic customs clearance for cross-border e-commerce. "
                                "Errors are RFC 9457 problem details; codes in docs/errors.md."},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "webhooks": {name: webhook_operation(name, refs[model], schemas)
                     for name, model in EVENTS.items()},
        "components": {"schemas": schemas, "securitySchemes": SECURITY},
    }


def _operations(rules: Iterable[Rule], views: dict[str, Callable[..., Any]]
                ) -> list[tuple[str, str, Operation, dict[str, str]]]:
    found = []
    for rule in rules:
        if rule.endpoint == "static":
            continue
        op = declared(views[rule.endpoint])
        if op is None:
            raise UndescribedRoute(f"{rule.rule} ({rule.endpoint}) declares no operation")
        converters = {name: kind or "default" for kind, name in _CONVERTER.findall(rule.rule)}
        path = _CONVERTER.sub(r"{\2}", rule.rule)
        for method in sorted(m.lower() for m in rule.methods or ()):
            if method in METHODS:
                found.append((path, method, op, converters))
    return found


def _models(operations: Iterable[Operation]) -> list[type[BaseModel]]:
    models: dict[str, type[BaseModel]] = {"Problem": Problem}
    for op in operations:
        for model in (op.body, *(r.model for r in op.replies)):
            if model is not None:
                models[model.__name__] = model
    models.update({m.__name__: m for m in EVENTS.values()})
    return list(models.values())


def _schemas(models: list[type[BaseModel]]) -> tuple[Refs, dict[str, Any]]:
    mapping, top = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    return {m: mapping[(m, "validation")] for m in models}, dict(sorted(top["$defs"].items()))


def _operation(path: str, method: str, op: Operation, converters: dict[str, str],
               refs: Refs, schemas: dict[str, Any]) -> dict[str, Any]:
    done: dict[str, Any] = {"operationId": op.id, "tags": [op.tag], "summary": op.summary,
                            "security": list(op.security)}
    if op.description:
        done["description"] = op.description
    declared_params = {p.name: p for p in op.params}
    params = [_param(declared_params.pop(name, None) or Param(name, "path"), kind)
              for name, kind in converters.items()]
    done["parameters"] = params + [_param(p) for p in declared_params.values()]
    body = _body(op, refs, schemas)
    if body:
        done["requestBody"] = body
    done["responses"] = {str(r.status): _reply(r, refs, schemas) for r in op.replies}
    errors = dict(_error(e) for e in op.errors)
    for extra in (conventions.idempotency(path, method, done), conventions.rate_limited(done)):
        for status, text in extra.items():
            errors.setdefault(status, text)
    for status, text in sorted(errors.items()):
        done["responses"][str(status)] = _problem(status, text)
    if 429 in errors:
        done["responses"]["429"]["headers"] = conventions.RATE_HEADERS
    return done


def _param(param: Param, converter: str = "") -> dict[str, Any]:
    schema = {"type": "integer"} if converter == "int" else TypeAdapter(
        param.schema).json_schema(ref_template=REF)
    done: dict[str, Any] = {"name": param.name, "in": param.where,
                            "required": param.required or param.where == "path",
                            "schema": schema}
    if param.description:
        done["description"] = param.description
    if param.example is not None:
        done["example"] = param.example
    return done


def _body(op: Operation, refs: Refs, schemas: dict[str, Any]) -> dict[str, Any] | None:
    content: dict[str, Any] = dict(op.raw_body or {})
    if op.body is not None:
        content["application/json"] = {"schema": refs[op.body],
                                        **_example(refs[op.body], schemas)}
    return {"required": op.body_required, "content": content} if content else None


def _reply(reply: Reply, refs: Refs, schemas: dict[str, Any]) -> dict[str, Any]:
    done: dict[str, Any] = {"description": reply.description}
    if reply.headers:
        done["headers"] = dict(reply.headers)
    if reply.model is not None:
        example = {"example": reply.example} if reply.example is not None else _example(
            refs[reply.model], schemas)
        done["content"] = {"application/json": {"schema": refs[reply.model], **example}}
    elif reply.media:
        done["content"] = reply.media
    return done


def _example(ref: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """The first example of the model `ref` names (a root model's: its first member's)."""
    schema = schemas[ref["$ref"].rsplit("/", 1)[-1]]
    examples = schema.get("examples")
    if not examples and "anyOf" in schema:
        return _example(schema["anyOf"][0], schemas)
    return {"example": examples[0]} if examples else {}


def _error(error: int | tuple[int, str]) -> tuple[int, str]:
    if isinstance(error, tuple):
        return error
    return error, conventions.ERRORS[error]


def _problem(status: int, text: str) -> dict[str, Any]:
    """A problem reply; its example carries the first code the description names."""
    codes = [c for c in re.findall(r"\b[A-Z][A-Z_]{3,}\b", text) if c in PROBLEM_CODES]
    example: dict[str, Any] = {"type": "about:blank", "title": HTTPStatus(status).phrase,
                               "status": status, "detail": text}
    if codes:
        example.update(type="urn:customs:problem:" + codes[0].lower().replace("_", "-"),
                       code=codes[0])
    return {"description": text, "content": {"application/problem+json": {
        "schema": {"$ref": "#/components/schemas/Problem"}, "example": example}}}

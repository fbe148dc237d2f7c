"""The OpenAPI document is generated from the routes and the models the views validate with:
every route is described, every operation has examples that match their own schemas, the
problem codes are the one registry's, and the webhooks are the event models'."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from flask import Flask
from referencing import Registry, Resource

from api import create_app
from api.openapi import openapi_document
from api.routes import health
from api.spec.codes import PROBLEM_CODES
from api.spec.document import UndescribedRoute, openapi
from api.spec.models_events import EVENTS
from api.spec.models_quotes import MAX_ITEMS
from customs.domain import duty_quote
from customs.domain.errors import CATALOGUE
from customs.domain.events import EVENT_TYPES, WEBHOOK_PING

ROOT = Path(__file__).resolve().parents[2]
DOC = openapi_document()
REGISTRY = Registry().with_resource("urn:openapi", Resource.from_contents(
    {**DOC, "$schema": "https://json-schema.org/draft/2020-12/schema"}))
NOT_API = ("docs.", "console.", "static")


def _valid(value: Any, schema: dict[str, Any]) -> None:
    if "$ref" in schema:
        schema = {"$ref": schema["$ref"].replace("#/", "urn:openapi#/")}
    jsonschema.validate(value, schema, registry=REGISTRY, cls=jsonschema.Draft202012Validator)


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in DOC["paths"].items()
            for method, op in ops.items()]


def test_every_route_of_the_app_is_in_the_document(customs):
    app = create_app(customs=customs)
    served = {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
              for rule in app.url_map.iter_rules() if not rule.endpoint.startswith(NOT_API)
              for method in rule.methods or () if method not in ("HEAD", "OPTIONS")}
    documented = {(path, method) for path, method, _ in _operations()}
    assert served == documented


def test_a_route_that_declares_no_operation_fails_the_generation():
    app = Flask("t")
    app.add_url_rule("/v1/secret", "secret", lambda: "")
    with pytest.raises(UndescribedRoute, match="/v1/secret"):
        openapi(app.url_map.iter_rules(), app.view_functions)


@pytest.mark.parametrize(("path", "method", "op"), _operations(),
                         ids=[f"{m} {p}" for p, m, _ in _operations()])
def test_every_operation_has_examples_that_match_its_schemas(path, method, op):
    examples = 0
    for media, content in (op.get("requestBody") or {}).get("content", {}).items():
        assert "example" in content, f"{method} {path}: no example of the {media} body"
        if media == "application/json":
            _valid(content["example"], content["schema"])
        examples += 1
    for status, reply in op["responses"].items():
        for media, content in reply.get("content", {}).items():
            assert "example" in content, f"{method} {path} {status} {media}: no example"
            if "json" in media:
                _valid(content["example"], content["schema"])
            examples += 1
    assert examples >= min(2, len(op["responses"]))  # the schema's page has one reply


def test_problem_codes_are_enumerated_from_the_registry():
    code = DOC["components"]["schemas"]["Problem"]["properties"]["code"]
    assert code["anyOf"][0]["enum"] == list(PROBLEM_CODES)


def test_every_code_raised_is_enumerated_and_documented():
    """Every code the API or the services put in a problem is in the registry, and every
    code of the registry is documented in docs/errors.md."""
    api = "\n".join(p.read_text() for p in (ROOT / "api").rglob("*.py"))
    raised = set(re.findall(r'code="([A-Z_]+)"', api))
    raised |= set(re.findall(r'ApiProblem\(\s*\d+, "([A-Z_]+)"', api))
    services = "\n".join(p.read_text() for p in (ROOT / "customs").rglob("*.py"))
    raised |= set(re.findall(r'(?:Invalid|Unprocessable|Conflict|PreconditionFailed|Gone|'
                             r'SecretsUnavailable|ManifestRefused|CorrectionRefused)\(\s*"'
                             r'([A-Z_]+)"', services))
    console_only = {"INVALID_EMAIL", "INVALID_ROLE", "INVALID_SCOPE", "INVALID_LOCALE",
                    "WEAK_PASSWORD", "WRONG_PASSWORD", "USER_EXISTS", "USER_DISABLED",
                    "SECRETS_KEY_INVALID", "SECRETS_KEY_UNKNOWN", "TOO_MANY_VIEWS",
                    "TOTP_ENROLLED", "VIEW_NAME", "VIEW_PAGE", "VIEW_QUERY"}  # CLI, console
    assert len(raised) > 60, "the patterns no longer find the codes"
    assert sorted(raised - console_only - set(PROBLEM_CODES)) == []
    documented = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert [c for c in PROBLEM_CODES if f"`{c}`" not in documented] == []
    assert {c for c in PROBLEM_CODES if c.startswith("MANIFEST_")} <= set(CATALOGUE)


def test_the_webhooks_section_is_the_event_models():
    assert sorted(DOC["webhooks"]) == sorted([*EVENT_TYPES, WEBHOOK_PING]) == sorted(EVENTS)
    for name, model in EVENTS.items():
        body = DOC["webhooks"][name]["post"]["requestBody"]["content"]["application/json"]
        assert body["schema"] == {"$ref": f"#/components/schemas/{model.__name__}"}
        _valid(body["example"], body["schema"])
        assert model.model_validate(body["example"]).type == name


def test_extra_schemas_join_the_components_and_never_replace_a_model():
    app = Flask("t")
    app.add_url_rule("/health", "health", health)
    doc = openapi(app.url_map.iter_rules(), app.view_functions,
                  extra_schemas={"ManifestV1": {"type": "object"}})
    assert doc["components"]["schemas"]["ManifestV1"] == {"type": "object"}
    with pytest.raises(ValueError, match="Problem"):
        openapi(app.url_map.iter_rules(), app.view_functions,
                extra_schemas={"Problem": {"type": "object"}})


def test_the_served_document_is_the_generated_one(client):
    assert client.get("/openapi.json").get_json() == DOC


def test_the_basket_model_allows_what_the_domain_does():
    assert MAX_ITEMS == duty_quote.MAX_ITEMS

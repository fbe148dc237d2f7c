"""Every route of the HTTP API in one place: the blueprints and the operations endpoints.
The app factory registers them, and so does the OpenAPI generator (api/openapi.py) on a bare
app, so the document describes exactly the routes the service serves."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify

from api import openapi_manifest
from api.authority import authority
from api.errors import problem
from api.manifests import v1
from api.observability import metrics
from api.parcels import views
from api.quarantine import quarantine
from api.quotes import quotes
from api.rates import rates
from api.spec.models_ops import Health, Readiness
from api.spec.registry import PUBLIC, Reply, operation
from api.webhooks import hooks
from customs import __version__
from customs.usecases import Application
from schemas.manifest_json import schema_bytes

BLUEPRINTS = (v1, views, hooks, authority, quarantine, rates, quotes)


def register_api(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.add_url_rule("/health", "health", health)
    app.add_url_rule("/ready", "ready", ready)
    app.add_url_rule("/metrics", "metrics", metrics)
    app.add_url_rule(openapi_manifest.SCHEMA_PATH, "manifest_json_schema", manifest_json_schema)


@operation("getManifestJsonSchema", "manifests", "The JSON Schema (2020-12) of a manifest in "
           "its JSON form, generated from the XSD of urn:customs:manifest:1 (public, no key)",
           Reply("The JSON Schema", media={"application/schema+json": {
               "schema": {"type": "object"}, "example": {
                   "$schema": "https://json-schema.org/draft/2020-12/schema",
                   "$id": "urn:customs:manifest:1:json", "$ref": "#/$defs/ManifestType"}}}),
           security=PUBLIC)
def manifest_json_schema() -> Response:
    """Public, as the OpenAPI document is: integrators validate against it before sending."""
    response = Response(schema_bytes(), mimetype="application/schema+json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@operation("health", "operations", "Liveness: up, database reachable",
           Reply("Up, database reachable", Health), security=PUBLIC,
           errors=((503, "DATABASE_UNAVAILABLE: the database is unreachable"),))
def health() -> Response:
    customs: Application = current_app.extensions["customs"]
    if not customs.operations.database_ok():
        return problem(503, "Service Unavailable", "the database is unreachable",
                       code="DATABASE_UNAVAILABLE")
    signing = customs.operations.signing_status()
    status = "ok" if not signing.expiring else "warning"
    return jsonify({"status": status, "database": "ok", "version": __version__,
                    "signing": signing.to_json()})


@operation("ready", "operations", "Readiness, for load balancers and orchestrators",
           Reply("Ready: database up, schema at head, certificate in force", Readiness),
           Reply("Not ready (the body says which check)", Readiness, 503), security=PUBLIC)
def ready() -> Response:
    """Readiness (for load balancers and orchestrators): 200 once the database answers, its
    schema is at this release's head and a configured certificate is in force; else 503.
    /health stays the liveness check."""
    checks = current_app.extensions["customs"].operations.readiness()
    response = jsonify({"status": "ready" if checks.ready else "not ready", **checks.to_json()})
    response.status_code = 200 if checks.ready else 503
    return response

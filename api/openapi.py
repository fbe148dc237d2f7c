"""The OpenAPI 3.1 document (served at /openapi.json) and the Swagger UI at /docs.

Hand-written so that it says exactly what the handlers do; tests check that every route is in it
and that responses conform to it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from api import openapi_manifest, openapi_quarantine, openapi_quotes, openapi_views
from api.openapi_conventions import CURSOR, with_idempotency, with_pagination
from api.openapi_events import EVENT_SCHEMAS, WEBHOOK_EVENTS
from api.openapi_schemas import COMPONENTS
from api.openapi_webhooks import WEBHOOK_PATHS, WEBHOOK_SCHEMAS, with_rate_limits
from schemas.manifest_json import schema_bytes

docs = Blueprint("docs", __name__)

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _json(ref: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {400: "Bad request", 401: "No valid API key", 403: "Not this role's operation",
            404: "Not found (or another tenant's)", 413: "Body over the size cap",
            409: "The parcel does not await a correction",
            415: "Not application/xml or application/json (manifests), not application/xml "
                 "(corrections), not text/csv or application/json (rates), or a "
                 "Content-Encoding other than gzip",
            422: "Manifest or correction refused, idempotency key reused, or rates invalid"}
    return {str(c): {"description": text[c], "content": PROBLEM} for c in codes}


_ID = {"name": "manifest_id", "in": "path", "required": True, "schema": {"type": "string"}}
_SECURE = [{"bearerAuth": []}]
_KEY = {"name": "Idempotency-Key", "in": "header", "required": True,
        "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"},
        "description": "Same key and body: same reply. Same key, other body: 422. Scoped to "
                       "the tenant."}
_XML_BODY = {"required": True, "content": {"application/xml": {"schema": {"type": "string"}},
                                           "text/xml": {"schema": {"type": "string"}}}}
_LIMIT = {"name": "limit", "in": "query",
          "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}}
ETAG = {"ETag": {"schema": {"type": "string"}, "description": "strong: the SHA-256 of the "
                 "document, which never changes"}}
IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "schema": {"type": "string"},
                 "description": "the ETag you hold: 304 Not Modified if it is still current"}
NOT_MODIFIED = {"304": {"description": "Not modified: the ETag in If-None-Match is current",
                        "headers": ETAG}}


def _paths() -> dict[str, Any]:
    return {
        "/v1/manifests": {"post": {
            "operationId": "submitManifest", "tags": ["manifests"], "security": _SECURE,
            "summary": "Submit a seller manifest; every parcel is accepted or rejected",
            "description": "The manifest as XML (urn:customs:manifest:1) or as JSON (the same "
                           "content model: " + openapi_manifest.SCHEMA_PATH + "). The body "
                           "may be sent with Content-Encoding: gzip; the size cap holds for "
                           "the decompressed body (413). Violations point at fields by XPath "
                           "(XML) or JSON Pointer (JSON).",
            "parameters": [_KEY,
                           {"name": "Prefer", "in": "header", "required": False,
                            "schema": {"type": "string"}, "example": "respond-async",
                            "description": "respond-async: answer at once with status "
                                           "processing (RFC 7240); manifests over "
                                           "CUSTOMS_ASYNC_MANIFEST_BYTES always are"}],
            "requestBody": {"required": True, "content": {
                "application/xml": {"schema": {"type": "string"}},
                "text/xml": {"schema": {"type": "string"}},
                "application/json": {"schema": openapi_manifest.MANIFEST_REF}}},
            "responses": {"202": {
                "description": "Manifest stored; see accepted, rejected and rejections. A "
                               "large one (or with Prefer: respond-async) is answered at once "
                               "with status processing: poll Location, or wait for the "
                               "manifest.processed webhook event",
                "headers": {"Location": {"schema": {"type": "string"}},
                            "Idempotent-Replayed": {"schema": {"type": "string"}},
                            "Preference-Applied": {"schema": {"type": "string"},
                                                   "description": "respond-async, when "
                                                                  "asked for and done"}},
                "content": _json("ManifestSubmitted")},
                **_errors(400, 401, 403, 413, 415, 422)}}},
        "/v1/parcels/{tracking_number}/corrections": {"post": {
            "operationId": "correctParcel", "tags": ["parcels"], "security": _SECURE,
            "summary": "Marketplaces: correct a parcel the authority asked to correct (HELD with "
                       "a correction request open): a new version, declared again as the "
                       "correction of its registry; the earlier version stays on the history",
            "parameters": [{"name": "tracking_number", "in": "path", "required": True,
                            "schema": {"type": "string"}}, _KEY],
            "requestBody": _XML_BODY,
            "responses": {"202": {
                "description": "The new version, declared; the worker sends it",
                "headers": {"Location": {"schema": {"type": "string"}},
                            "Idempotent-Replayed": {"schema": {"type": "string"}}},
                "content": _json("CorrectionReceipt")},
                **_errors(400, 401, 403, 404, 409, 413, 415, 422)}}},
        "/v1/manifests/{manifest_id}": {"get": {
            "operationId": "getManifest", "tags": ["manifests"], "security": _SECURE,
            "parameters": [_ID],
            "responses": {"200": {
                "description": "The manifest with its receipt; while a worker has yet to "
                               "process it, its status (processing, refused or failed)",
                "content": _json("ManifestState")},
                          **_errors(401, 403, 404)}}},
        "/v1/manifests/{manifest_id}/document": {"get": {
            "operationId": "getManifestDocument", "tags": ["manifests"], "security": _SECURE,
            "parameters": [_ID, IF_NONE_MATCH],
            "responses": {"200": {"description": "The manifest exactly as received, with "
                                                 "the media type it was sent as",
                                  "headers": ETAG,
                                  "content": {"application/xml": {"schema": {
                                      "type": "string"}}, "application/json": {"schema": {
                                          "type": "object"}}}},
                          **NOT_MODIFIED, **_errors(401, 403, 404)}}},
        "/v1/manifests/{manifest_id}/parcels": {"get": {
            "operationId": "listManifestParcels", "tags": ["manifests"], "security": _SECURE,
            "parameters": [
                _ID,
                {"name": "status", "in": "query",
                 "schema": {"$ref": "#/components/schemas/Status"}},
                _LIMIT, CURSOR],
            "responses": {"200": {"description": "A page of parcels in manifest order",
                                  "content": _json("ParcelPage")},
                          **_errors(400, 401, 403, 404)}}},
        "/v1/authority/notifications": {"post": {
            "operationId": "authorityNotification", "tags": ["authority"], "security": [],
            "summary": "The authority pushes signed per-parcel decisions (no API key: the XML "
                       "signature, verified against the pinned authority certificate)",
            "requestBody": {"required": True, "content": {
                "application/xml": {"schema": {"type": "string"}}}},
            "responses": {"200": {"description": "Applied (or recognised as a duplicate)",
                                  "content": _json("ApplyReport")},
                          "403": {"description": "Signature invalid or not the authority's",
                                  "content": PROBLEM},
                          **_errors(413, 415, 422),
                          "503": {"description": "No authority certificate configured",
                                  "content": PROBLEM}}}},
        "/v1/rates": {
            "get": {
                "operationId": "listRates", "tags": ["rates"], "security": _SECURE,
                "summary": "Exchange rates held for duty estimates, by day",
                "parameters": [
                    {"name": "from", "in": "query", "schema": {"type": "string",
                                                               "format": "date"},
                     "description": "first day (default: 30 days before `to`)"},
                    {"name": "to", "in": "query", "schema": {"type": "string",
                                                             "format": "date"},
                     "description": "last day (default: today); at most 366 days after from"},
                    _LIMIT, CURSOR],
                "responses": {"200": {"description": "The rates, oldest day first",
                                      "content": _json("RatePage")},
                              **_errors(400, 401, 403)}},
            "put": {
                "operationId": "loadRates", "tags": ["rates"], "security": _SECURE,
                "summary": "Load dated exchange rates (operator role); all rows or none; a "
                           "rate already held for the same day and pair is replaced",
                "requestBody": {"required": True, "content": {
                    "text/csv": {"schema": {"type": "string"},
                                 "example": "date,currency,base,rate\n"
                                            "2026-12-01,EUR,RUB,92.1234\n"},
                    "application/json": {"schema": {
                        "$ref": "#/components/schemas/RatesUpload"}}}},
                "responses": {"200": {"description": "Loaded",
                                      "content": _json("RatesLoaded")},
                              **_errors(400, 401, 403, 413, 415, 422)}}},
        "/metrics": {"get": {
            "operationId": "metrics", "tags": ["operations"], "security": [{"metricsToken": []}],
            "summary": "Prometheus metrics, for the bearer of CUSTOMS_METRICS_TOKEN",
            "responses": {"200": {"description": "Prometheus text exposition format",
                                  "content": {"text/plain": {"schema": {"type": "string"}}}},
                          "401": {"description": "No or another token", "content": PROBLEM},
                          "404": {"description": "Metrics off (CUSTOMS_METRICS_TOKEN unset)",
                                  "content": PROBLEM}}}},
        "/ready": {"get": {
            "operationId": "ready", "tags": ["operations"], "security": [],
            "responses": {"200": {"description": "Ready: database up, schema at head, "
                                                 "certificate in force",
                                  "content": {"application/json": {"schema": {
                                      "type": "object"}}}},
                          "503": {"description": "Not ready (the body says which check)",
                                  "content": {"application/json": {"schema": {
                                      "type": "object"}}}}}}},
        "/health": {"get": {
            "operationId": "health", "tags": ["operations"], "security": [],
            "responses": {"200": {"description": "Up, database reachable",
                                  "content": _json("Health")},
                          "503": {"description": "Database unreachable",
                                  "content": PROBLEM}}}},
    }


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "customs", "version": "1",
                 "description": "Electronic customs clearance for cross-border e-commerce. "
                                "Errors are RFC 9457 problem details; codes in docs/errors.md."},
        "servers": [{"url": "/"}],
        "paths": with_idempotency(with_rate_limits({
            **_paths(), **openapi_views.paths(), **openapi_quarantine.PATHS,
            **openapi_quotes.PATHS, **WEBHOOK_PATHS, **openapi_manifest.PATHS})),
        "webhooks": WEBHOOK_EVENTS,
        "components": {"schemas": with_pagination({
            **COMPONENTS["schemas"], **openapi_views.SCHEMAS, **openapi_manifest.SCHEMAS,
            **openapi_quarantine.SCHEMAS, **openapi_quotes.SCHEMAS, **WEBHOOK_SCHEMAS,
            **EVENT_SCHEMAS}),
                       "securitySchemes": {"bearerAuth": {
            "type": "http", "scheme": "bearer",
            "description": "An API key from `customs api-key create`"}, "metricsToken": {
            "type": "http", "scheme": "bearer",
            "description": "CUSTOMS_METRICS_TOKEN (GET /metrics only)"}}},
    }


@docs.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(openapi_document())


@docs.get(openapi_manifest.SCHEMA_PATH)
def manifest_json_schema() -> Response:
    """Public, as the OpenAPI document is: integrators validate against it before sending."""
    response = Response(schema_bytes(), mimetype="application/schema+json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>customs API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs-init.js"></script></body></html>"""

_INIT = "window.ui = SwaggerUIBundle({url: '/openapi.json', dom_id: '#ui'});"


@docs.get("/docs")
def swagger_page() -> Response:
    return Response(_PAGE, mimetype="text/html")


@docs.get("/docs/assets/docs-init.js")
def swagger_init() -> Response:
    return Response(_INIT, mimetype="text/javascript")


@docs.get("/docs/assets/<path:name>")
def swagger_asset(name: str) -> Response:
    return send_from_directory(swagger_ui_path, name)

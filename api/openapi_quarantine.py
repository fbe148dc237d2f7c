"""OpenAPI paths and schemas of /v1/authority/quarantine (api/quarantine.py)."""

from __future__ import annotations

from typing import Any

_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_SECURE = [{"bearerAuth": []}]
_NSTR = {"type": ["string", "null"]}
_ITEM = {"application/json": {"schema": {"$ref": "#/components/schemas/QuarantineItem"}}}
_ID = {"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_TEXT = {"400": "Bad parameter", "401": "No valid API key",
         "403": "Not this role's operation (officers and operators)",
         "404": "No such quarantined message",
         "409": "Replayed, and still refused (the reason is updated)"}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): {"description": _TEXT[str(c)], "content": _PROBLEM} for c in codes}


SCHEMAS: dict[str, Any] = {
    "QuarantineItem": {"type": "object", "required": ["id", "code", "status"], "properties": {
        "id": {"type": "integer"}, "received_at": {"type": "string"},
        "channel": {"type": "string", "enum": ["push", "poll"]}, "origin": _NSTR,
        "code": {"type": "string", "description": "SIGNATURE_INVALID, MESSAGE_INVALID, "
                 "MESSAGE_UNEXPECTED, MESSAGE_UNMATCHED or MESSAGE_UNMAPPABLE"},
        "detail": {"type": "string"}, "sha256": {"type": "string"},
        "size": {"type": "integer"},
        "status": {"type": "string", "enum": ["QUARANTINED", "REPLAYED"]},
        "attempts": {"type": "integer"}, "resolved_at": _NSTR, "result": _NSTR}},
    "QuarantinePage": {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/QuarantineItem"}}}},
}

PATHS: dict[str, Any] = {
    "/v1/authority/quarantine": {"get": {
        "operationId": "listQuarantine", "tags": ["authority"], "security": _SECURE,
        "summary": "Authority messages set aside (officers, operators), oldest first",
        "parameters": [
            {"name": "status", "in": "query", "schema": {
                "type": "string", "enum": ["QUARANTINED", "REPLAYED"],
                "default": "QUARANTINED"}},
            {"name": "cursor", "in": "query", "schema": {"type": "string"},
             "description": "next_cursor of the previous page (same status)"},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
        "responses": {"200": {"description": "A page of quarantined messages", "content": {
            "application/json": {"schema": {
                "$ref": "#/components/schemas/QuarantinePage"}}}},
            **_errors(400, 401, 403)}}},
    "/v1/authority/quarantine/{item_id}": {"get": {
        "operationId": "getQuarantined", "tags": ["authority"], "security": _SECURE,
        "parameters": [_ID],
        "responses": {"200": {"description": "The quarantined message (not its content)",
                              "content": _ITEM}, **_errors(401, 403, 404)}}},
    "/v1/authority/quarantine/{item_id}/replay": {"post": {
        "operationId": "replayQuarantined", "tags": ["authority"], "security": _SECURE,
        "summary": "Apply a quarantined message again, once its cause is fixed",
        "parameters": [_ID],
        "responses": {"200": {"description": "Applied: now REPLAYED with the outcome",
                              "content": _ITEM}, **_errors(401, 403, 404, 409)}}},
}

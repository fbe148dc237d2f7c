"""What every operation of a kind has in the OpenAPI document, stated once: the idempotency
of POSTs (and PUT /v1/rates, api/idempotency.py) and the page envelope of lists
(api/pagination.py). Applied to the whole document, as the 429 of rate limits is."""

from __future__ import annotations

from typing import Any

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"},
    "description": "Optional: the same key and request get the stored reply (header "
                   "Idempotent-Replayed: true) for CUSTOMS_IDEMPOTENCY_TTL_HOURS; another "
                   "request with the key is 422 IDEMPOTENCY_KEY_REUSED; while the first runs, "
                   "409 IDEMPOTENCY_KEY_IN_USE. Only successes are kept. Scoped to the tenant."}
REPLAYED = {"Idempotent-Replayed": {"schema": {"type": "string", "enum": ["true"]},
                                    "description": "this is the stored reply of the key"}}
CURSOR = {"name": "cursor", "in": "query", "schema": {"type": "string"},
          "description": "next_cursor of the previous page (signed: use it as given, with "
                         "the same API key and parameters)"}
PAGE = {"next_cursor": {"type": ["string", "null"],
                        "description": "the cursor of the next page; null on the last page "
                                       "(the feed's is never null: poll it)"},
        "has_more": {"type": "boolean", "description": "whether a next page may hold items"}}
WRITES = ("post", "put")
NOT_IDEMPOTENT = ("/v1/authority/notifications",)  # the authority's messages: no API key


def with_idempotency(paths: dict[str, Any]) -> dict[str, Any]:
    """Every POST and PUT called with an API key takes an optional Idempotency-Key (manifests
    declare theirs, required)."""
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method not in WRITES or path in NOT_IDEMPOTENT or not operation.get("security"):
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name") == "Idempotency-Key" for p in parameters):
                parameters.append(IDEMPOTENCY_KEY)
            responses = operation["responses"]
            for status, response in responses.items():
                if status.startswith("2"):
                    response.setdefault("headers", {}).update(REPLAYED)
            responses.setdefault("400", {"description": "IDEMPOTENCY_KEY_INVALID (or another "
                                         "bad request)", "content": PROBLEM})
            responses.setdefault("413", {"description": "The body is over the operation's "
                                         "cap", "content": PROBLEM})
            responses.setdefault("409", {"description": "IDEMPOTENCY_KEY_IN_USE: a request "
                                         "with the key is still running", "content": PROBLEM})
            responses.setdefault("422", {"description": "IDEMPOTENCY_KEY_REUSED: the key was "
                                         "used with another request", "content": PROBLEM})
    return paths


def with_pagination(schemas: dict[str, Any]) -> dict[str, Any]:
    """Every `...Page` schema is the one envelope: items, next_cursor, has_more."""
    for name, schema in schemas.items():
        if name.endswith("Page"):
            schema["properties"].update(PAGE)
            schema["required"] = sorted({*schema.get("required", []), "items", "next_cursor",
                                         "has_more"})
    return schemas

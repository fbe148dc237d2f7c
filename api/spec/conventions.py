"""What every operation of a kind has, stated once and applied to the generated document:
the optional Idempotency-Key of writes (api/idempotency.py), the 429 of rate limits
(api/rate_limit.py), and the problem document of every error."""

from __future__ import annotations

from typing import Any

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"},
    "example": "order-2026-11-23-0042",
    "description": "Optional: the same key and request get the stored reply (header "
                   "Idempotent-Replayed: true) for CUSTOMS_IDEMPOTENCY_TTL_HOURS; another "
                   "request with the key is 422 IDEMPOTENCY_KEY_REUSED; while the first runs, "
                   "409 IDEMPOTENCY_KEY_IN_USE. Only successes are kept. Scoped to the tenant."}
REPLAYED = {"Idempotent-Replayed": {"schema": {"type": "string", "enum": ["true"]},
                                    "description": "this is the stored reply of the key"}}
WRITES = ("post", "put")
NOT_IDEMPOTENT = ("/v1/authority/notifications",)  # the authority's messages: no API key
IDEMPOTENCY_ERRORS = {
    400: "IDEMPOTENCY_KEY_INVALID (or another bad request)",
    413: "The body is over the operation's cap",
    409: "IDEMPOTENCY_KEY_IN_USE: a request with the key is still running",
    422: "IDEMPOTENCY_KEY_REUSED: the key was used with another request"}
RATE_HEADERS = {
    "Retry-After": {"schema": {"type": "integer", "minimum": 1},
                    "description": "seconds until a request may succeed"},
    "RateLimit-Limit": {"schema": {"type": "integer"}},
    "RateLimit-Remaining": {"schema": {"type": "integer"}},
    "RateLimit-Reset": {"schema": {"type": "integer"},
                        "description": "seconds until the window resets"},
}


def idempotency(path: str, method: str, operation: dict[str, Any]) -> dict[int, str]:
    """Every POST and PUT called with an API key takes an optional Idempotency-Key (manifests
    declare theirs, required): the parameter, the replay header, and the errors it adds."""
    if method not in WRITES or path in NOT_IDEMPOTENT or not operation.get("security"):
        return {}
    parameters = operation.setdefault("parameters", [])
    if not any(p["name"] == "Idempotency-Key" for p in parameters):
        parameters.append(IDEMPOTENCY_KEY)
    for status, response in operation["responses"].items():
        if status.startswith("2"):
            response.setdefault("headers", {}).update(REPLAYED)
    return IDEMPOTENCY_ERRORS


def rate_limited(operation: dict[str, Any]) -> dict[int, str]:
    """Every operation called with an API key may be refused with 429 (per-key limits)."""
    return {429: "Over the API key's rate limit (code RATE_LIMITED)"} if operation.get(
        "security") else {}

ERRORS = {400: "Bad request (a parameter or the body; see code)",
          401: "No valid API key (UNAUTHENTICATED)",
          403: "Not this role's operation (FORBIDDEN_ROLE)",
          404: "Not found, or outside the caller's scope (NOT_FOUND)",
          409: "Conflict (see code)", 410: "Cursor expired (CURSOR_EXPIRED)",
          412: "If-Match names a version that is no longer current (PRECONDITION_FAILED)",
          413: "The body is over the operation's cap",
          415: "Not a media type the operation reads (UNSUPPORTED_MEDIA_TYPE)",
          422: "Refused (see code)"}

"""Every `code` a problem document of the HTTP API may carry: the enumeration in the OpenAPI
document's Problem schema. Each is documented in docs/errors.md, and every code the code
raises is here (tests/unit/test_problem_codes.py checks both)."""

from __future__ import annotations

from customs.domain.errors import CATALOGUE

REQUEST = (
    "IDEMPOTENCY_KEY_REQUIRED", "IDEMPOTENCY_KEY_INVALID", "IDEMPOTENCY_KEY_IN_USE",
    "IDEMPOTENCY_KEY_REUSED", "BODY_INCOMPLETE", "BODY_TIMEOUT", "BODY_TOO_LARGE",
    "JSON_TOO_COMPLEX", "INVALID_JSON", "INVALID_LIMIT", "INVALID_CURSOR", "CURSOR_EXPIRED",
    "BAD_QUERY", "INVALID_PARAMETER", "INVALID_DECISION", "INVALID_QUOTE", "INVALID_PERIOD",
    "INVALID_DATE", "UNAUTHENTICATED", "FORBIDDEN_ROLE", "NOT_FOUND", "RATE_LIMITED",
    "UNSUPPORTED_MEDIA_TYPE", "UNSUPPORTED_CONTENT_ENCODING", "BODY_ENCODING_INVALID",
    "EXPORT_NOT_CLEARED", "INTERNAL", "CONCURRENT_WRITE", "DATABASE_UNAVAILABLE",
    "DATABASE_NOT_MIGRATED")
PARCELS = (
    "INVALID_TRANSITION", "DUTY_UNPAID", "TRACKING_NUMBER_AMBIGUOUS", "PRECONDITION_FAILED",
    "CONCURRENT_CHANGE", "PARCEL_NOT_AWAITING_CORRECTION", "CORRECTIONS_EXHAUSTED",
    "CORRECTION_TOO_LARGE", "CORRECTION_NOT_DECLARABLE", "REASON_REQUIRED", "REASON_TOO_LONG",
    "DUTY_REQUIRED", "DUTY_NOT_EXPECTED")
RATES = ("RATES_TOO_LARGE", "RATES_INVALID")
WEBHOOKS = ("INVALID_FIELD", "INVALID_OVERLAP", "WEBHOOK_URL_INVALID", "WEBHOOK_URL_FORBIDDEN",
            "WEBHOOK_LIMIT_REACHED", "SECRETS_KEY_MISSING")
AUTHORITY = ("SIGNATURE_INVALID", "MESSAGE_INVALID", "MESSAGE_UNEXPECTED", "MESSAGE_UNMATCHED",
             "MESSAGE_UNMAPPABLE", "AUTHORITY_NOT_CONFIGURED", "INVALID_STATUS",
             "QUARANTINE_NOT_FOUND", "QUARANTINE_STILL_REFUSED")
# The manifest and correction codes (a manifest or correction refused as a whole); the
# per-parcel codes of the catalogue appear in `violations`, never as a problem's code.
REFUSALS = tuple(c for c, e in CATALOGUE.items() if e.code.startswith(("MANIFEST_",
                                                                        "CORRECTION_")))

PROBLEM_CODES: tuple[str, ...] = tuple(sorted({*REQUEST, *PARCELS, *RATES, *WEBHOOKS,
                                               *AUTHORITY, *REFUSALS}))

"""A typed Python client for the customs HTTP API (docs/client.md), on requests.

Stands apart from the service: it imports nothing of `customs` or `api` (import-linter), and
speaks only the published API (/openapi.json)."""

from customs_client.client import Client, RetryPolicy
from customs_client.errors import ApiError, SignatureError, TransportError
from customs_client.models import (
    Event,
    ManifestState,
    Money,
    Page,
    Parcel,
    Quote,
    Receipt,
    Webhook,
)
from customs_client.webhooks import parse_event, verify_signature

__all__ = ["ApiError", "Client", "Event", "ManifestState", "Money", "Page", "Parcel", "Quote",
           "Receipt", "RetryPolicy", "SignatureError", "TransportError", "Webhook",
           "parse_event", "verify_signature"]

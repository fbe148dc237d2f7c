"""A marketplace backend's integration with the customs service, on the typed client
(customs_client/, docs/client.md): register a webhook, submit a manifest as XML and as JSON,
receive `manifest.processed` (its signature verified) or poll, quote a basket at checkout, and
read the parcels' statuses.

    python3 examples/marketplace_integration.py --url http://127.0.0.1:8000 --key "$KEY"

The webhook receiver is a small HTTP server on this machine (the service must allow it:
CUSTOMS_WEBHOOK_ALLOW_PRIVATE_URLS=true, a trial only); deliveries are sent by `customs
worker`. Exit 0 when every step worked, 1 with a one-line report when one did not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import queue
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from customs_client import ApiError, Client, Receipt, SignatureError, TransportError, parse_event

HERE = Path(__file__).resolve().parent
BASKET = {"destination": "RU", "items": [{
    "hs_code": "8518300000", "value": {"amount": "250.00", "currency": "EUR"},
    "quantity": "1", "weight": "0.300"}], "gross_weight": "0.500",
    "shipping": {"amount": "7.00", "currency": "EUR"}}


class Receiver:
    """Webhook deliveries, as received (headers and the raw body), in a queue."""

    def __init__(self) -> None:
        self.deliveries: queue.Queue[tuple[dict[str, str], bytes]] = queue.Queue()
        deliveries = self.deliveries

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                deliveries.put((dict(self.headers.items()), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/customs"

    def processed(self, manifest_id: str, secret: str, seconds: float) -> dict | None:
        """The verified `manifest.processed` event of this manifest, if it comes in time."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                headers, body = self.deliveries.get(timeout=left)
            except queue.Empty:
                return None
            event = parse_event(body, headers, secret)  # SignatureError if forged
            if event.type == "manifest.processed" and event.data["manifest_id"] == manifest_id:
                return event.data
        return None


def submit(client: Client, document: bytes | dict, form: str, asynchronous: bool) -> Receipt:
    """Submitted once: the key is the document's digest, so a rerun gets the stored receipt."""
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    key = f"example-{form}-{hashlib.sha256(raw).hexdigest()[:24]}"
    receipt = client.submit_manifest(document, idempotency_key=key,
                                     respond_async=asynchronous)
    said = "processing" if receipt.processing else (
        f"{receipt.accepted} accepted, {receipt.rejected} rejected")
    print(f"{form} manifest {receipt.id}: {said}{' (replayed)' if receipt.replayed else ''}")
    for rejection in receipt.rejections[:3]:
        codes = ", ".join(v["code"] for v in rejection["violations"])
        print(f"  parcel {rejection['position']} {rejection.get('tracking_number')}: {codes}")
    return receipt


def run(args: argparse.Namespace) -> None:
    client = Client(args.url, args.key)
    receiver = Receiver() if args.webhook_wait > 0 else None
    hook = None
    if receiver is not None:
        hook = client.create_webhook(receiver.url, events=["manifest.processed"])
        print(f"webhook {hook.id} -> {receiver.url}")
    try:
        receipt = submit(client, args.manifest.read_bytes(), "XML", args.asynchronous)
        if args.json is not None and args.json.is_file():
            submit(client, json.loads(args.json.read_text(encoding="utf-8")), "JSON", False)
        if receiver is not None and hook is not None and hook.secret:
            data = receiver.processed(receipt.id, hook.secret, args.webhook_wait)
            print("manifest.processed received, signature verified: "
                  f"{data['accepted']} accepted" if data else
                  f"manifest.processed: none within {args.webhook_wait:g} s (is `customs "
                  "worker` running?)")
        if receipt.processing:
            state = client.wait_for_manifest(receipt.id, timeout=args.poll_timeout)
            print(f"manifest {receipt.id}: {state.status}")
        quote = client.quote(BASKET)
        amount = f"{quote.amount.amount} {quote.amount.currency}" if quote.amount else "none"
        print(f"quote: {quote.status}, duty {amount} ({len(quote.steps)} steps)")
        for parcel in client.manifest_parcels(receipt.id, limit=100):
            print(f"parcel {parcel.id} {parcel.tracking_number}: {parcel.status}")
    finally:
        if hook is not None:
            client.delete_webhook(hook.id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the service, e.g. http://127.0.0.1:8000")
    parser.add_argument("--key", required=True, help="a marketplace API key")
    parser.add_argument("--manifest", type=Path, default=HERE / "manifest-ru-small.xml")
    parser.add_argument("--json", type=Path, default=HERE / "manifest-ru-small.json",
                        help="a JSON manifest to submit too (skipped if absent)")
    parser.add_argument("--async", dest="asynchronous", action="store_true",
                        help="ask for the asynchronous receipt (Prefer: respond-async)")
    parser.add_argument("--webhook-wait", type=float, default=0.0,
                        help="seconds to wait for manifest.processed (0: no webhook)")
    parser.add_argument("--poll-timeout", type=float, default=300.0)
    args = parser.parse_args(argv)
    try:
        run(args)
    except (ApiError, TransportError, SignatureError, TimeoutError, OSError) as exc:
        print(f"marketplace_integration: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

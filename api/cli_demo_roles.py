"""The demo's last act: the other two kinds of users, through the real HTTP API.

An officer (key scoped to the held parcel's customs office) finds the parcels held in its
office, asks for documents on one, then releases it; the parcel's courier (a courier key, with a
webhook registered on a local receiver that checks every signature) pulls its feed and sees both
changes in order, and gets both POSTed, signed; the marketplace sees them in the history.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from customs.usecases import Application


@contextmanager
def receiver() -> Iterator[tuple[str, list[dict[str, Any]], dict[str, str]]]:
    """A webhook receiver on a free local port: (url, what it got, {"secret": …})."""
    got: list[dict[str, Any]] = []
    secret: dict[str, str] = {}

    @Request.application
    def app(request: Request) -> Response:
        body = request.get_data()
        parts = dict(p.split("=", 1) for p in request.headers["Customs-Signature"].split(",")
                     if not p.startswith("v1="))
        signatures = [p[3:] for p in request.headers["Customs-Signature"].split(",")
                      if p.startswith("v1=")]
        expected = hmac.new(secret["value"].encode(), f"{parts['t']}.".encode() + body,
                            hashlib.sha256).hexdigest()
        got.append({**json.loads(body)["data"],
                    "signed": any(hmac.compare_digest(expected, s) for s in signatures)})
        return Response("ok")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/customs-events", got, secret
    finally:
        server.shutdown()


def roles_tour(customs: Application, base: str, market: requests.Session,
               held: dict[str, Any], timeout: float) -> int:
    """0 when every role saw what it should; else the number of things that went wrong."""
    number, office = held["tracking_number"], held["destination"]["customs_office"]
    keys = customs.access
    officer = _session(keys.create_api_key("demo-customs", "officer", offices=[office])[1])
    courier = _session(keys.create_api_key(f"demo-{held['courier']}", "courier",
                                           courier=held["courier"])[1])
    click.echo(f"\nofficer of office {office}, courier {held['courier']}, parcel {number}:")
    with receiver() as (url, got, secret):
        hook = courier.post(f"{base}/v1/webhooks", json={"url": url}, timeout=30).json()
        secret["value"] = hook["secret"]
        cursor = courier.get(f"{base}/v1/feed", params={"limit": 500}, timeout=30)
        cursor = _drain(courier, base, cursor.json())[1]
        found = officer.get(f"{base}/v1/parcels", params={"status": "HELD"}, timeout=30).json()
        click.echo(f"  officer search status=HELD: {len(found['items'])} parcels in the office")
        steps = [("request_documents", "invoice for the goods, please"),
                 ("release", "invoice received, goods as declared")]
        for action, reason in steps:
            reply = officer.post(f"{base}/v1/parcels/{number}/decisions",
                                 json={"action": action, "reason": reason}, timeout=30)
            click.echo(f"  officer {action}: {reply.status_code} {reply.json().get('status')}")
        changes = _drain(courier, base, {"next_cursor": cursor, "has_more": True,
                                         "items": []})[0]
        seen = [(c["status"], c["reason"]) for c in changes if c["tracking_number"] == number]
        click.echo(f"  courier feed: {seen}")
        deadline = time.monotonic() + timeout
        while len(got) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        click.echo("  courier webhook: " + ", ".join(
            f"{g['status']} ({'signature valid' if g['signed'] else 'BAD SIGNATURE'})"
            for g in got))
    history = market.get(f"{base}/v1/parcels/{number}", timeout=30).json()["history"]
    click.echo("  marketplace history ends: " + " → ".join(
        f"{e['status']} by {e['actor']}" for e in history[-3:]))
    wanted = [("HELD", steps[0][1]), ("RELEASED", steps[1][1])]
    return ((seen != wanted) + (len(got) != 2 or not all(g["signed"] for g in got))
            + (history[-1]["status"] != "RELEASED"))


def _session(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def _drain(session: requests.Session, base: str,
           page: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """Every change after the page's cursor, and the cursor after the last one."""
    items, cursor = list(page["items"]), page["next_cursor"]
    while page["has_more"]:
        page = session.get(f"{base}/v1/feed", params={"cursor": cursor, "limit": 500},
                           timeout=30).json()
        items += page["items"]
        cursor = page["next_cursor"]
    return items, cursor

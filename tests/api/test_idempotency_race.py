"""The same Idempotency-Key raced over real HTTP by many threads: every reply is the one the
docs promise (202, a replay, or 422 IDEMPOTENCY_KEY_REUSED), never a 500, and exactly one
manifest is stored per key, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from werkzeug.serving import make_server

from api import create_app
from tests.manifests import manifest, parcel

THREADS = 12
ROUNDS = 8


@pytest.fixture
def base_url(customs) -> Iterator[str]:  # type: ignore[no-untyped-def]
    server = make_server("127.0.0.1", 0, create_app(customs=customs), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@dataclass
class Reply:
    status_code: int
    headers: Any
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


def _post(url: str, body: bytes, headers: dict[str, str]) -> Reply:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return Reply(reply.status, reply.headers, reply.read().decode())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.headers, error.read().decode())


def _race(url: str, headers: dict[str, str], bodies: list[bytes]) -> list[Reply]:
    barrier = threading.Barrier(len(bodies))

    def send(body: bytes) -> Reply:
        barrier.wait(timeout=30)
        return _post(f"{url}/v1/manifests", body, headers)

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(send, bodies))


def _manifests(customs, tenant_ref: str) -> int:  # type: ignore[no-untyped-def]
    with customs.resources.engine.connect() as conn:
        return int(conn.exec_driver_sql(
            "SELECT count(*) FROM manifests WHERE ref = ?"
            if "sqlite" in str(customs.resources.engine.url)
            else "SELECT count(*) FROM manifests WHERE ref = %s", (tenant_ref,)).scalar())


def _headers(auth: dict[str, str], key: str) -> dict[str, str]:
    return {**auth, "Content-Type": "application/xml", "Idempotency-Key": key}


def test_same_key_different_bodies_one_manifest_rest_reused(customs, base_url, auth):
    for round_ in range(ROUNDS):
        ref = f"race-{round_}"
        bodies = [manifest(parcel(f"R{round_}-T{n}"), ref=ref) for n in range(THREADS)]
        replies = _race(base_url, _headers(auth, f"key-{round_}"), bodies)
        codes = Counter(r.status_code for r in replies)
        assert codes[500] == 0, [r.text for r in replies if r.status_code == 500]
        assert codes[202] == 1, codes
        assert codes[422] == THREADS - 1, codes
        assert {r.json()["code"] for r in replies if r.status_code == 422} \
            == {"IDEMPOTENCY_KEY_REUSED"}
        assert _manifests(customs, ref) == 1


def test_same_key_same_body_all_rejected_one_manifest_rest_replayed(customs, base_url, auth):
    for round_ in range(ROUNDS):
        ref = f"rejected-{round_}"
        body = manifest(parcel(f"R{round_}-BAD", gross="0.010"), ref=ref)  # net above gross
        replies = _race(base_url, _headers(auth, f"rej-{round_}"), [body] * THREADS)
        codes = Counter(r.status_code for r in replies)
        assert codes == {202: THREADS}, [r.text for r in replies if r.status_code != 202]
        assert len({r.json()["id"] for r in replies}) == 1
        assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in replies) \
            == THREADS - 1
        assert replies[0].json()["rejected"] == 1
        assert _manifests(customs, ref) == 1

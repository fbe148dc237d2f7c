"""Every public XML attack payload is refused with a 4xx, stores nothing, touches no network or
file, and does not grow the process by more than 64 MiB."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import SHARED, shared_path
from tests.manifests import manifest, parcel

ATTACKS = sorted(SHARED.joinpath("xml-attacks").glob("*.x[ms]l")) if SHARED.is_dir() else []
HEADERS = {"Content-Type": "application/xml"}


PAYLOAD_ADDRESS = b"127.0.0.1:5000"  # where the shared payloads point


@dataclass
class Listener:
    """A local listener on a free port; payloads are re-aimed at it in memory (never copied)."""

    address: bytes
    hits: list[bytes] = field(default_factory=list)

    def aim(self, document: bytes) -> bytes:
        return document.replace(PAYLOAD_ADDRESS, self.address)


@pytest.fixture(scope="module")
def attack_listener() -> Iterator[Listener]:
    """Record any connection a payload makes; the socket is closed whatever the tests do."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.settimeout(0.2)
        listener = Listener(f"127.0.0.1:{server.getsockname()[1]}".encode())
        stop = threading.Event()
        thread = threading.Thread(target=_accept, args=(server, listener, stop), daemon=True)
        thread.start()
        try:
            yield listener
        finally:
            stop.set()
            thread.join(timeout=5)


def _accept(server: socket.socket, listener: Listener, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            conn, _ = server.accept()
        except TimeoutError:
            continue
        with conn:
            listener.hits.append(conn.recv(1024))


def test_the_attack_corpus_is_present():
    folder = shared_path("xml-attacks")
    assert len(list(folder.glob("*.xml"))) >= 25, f"expected the attack corpus in {folder}"


@pytest.mark.parametrize("payload", ATTACKS, ids=lambda p: p.name)
def test_attack_is_refused_and_stores_nothing(payload: Path, client, auth, customs,
                                              attack_listener):
    assert attack_listener.address != PAYLOAD_ADDRESS
    reply = client.post("/v1/manifests", data=attack_listener.aim(payload.read_bytes()),
                        headers={**auth, **HEADERS, "Idempotency-Key": payload.name})
    assert 400 <= reply.status_code < 500
    assert reply.mimetype == "application/problem+json"
    assert b"root:" not in reply.data  # no /etc/passwd echoed back
    assert _count(customs, "manifests") == 0
    assert _count(customs, "parcels") == 0
    assert attack_listener.hits == []


def test_schema_location_hint_in_a_manifest_is_ignored(client, auth, attack_listener):
    body = manifest(parcel()).replace(
        b'<Manifest xmlns="urn:customs:manifest:1">',
        b'<Manifest xmlns="urn:customs:manifest:1" '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation='
        b'"urn:customs:manifest:1 http://' + attack_listener.address + b'/evil.xsd">')
    reply = client.post("/v1/manifests", data=body,
                        headers={**auth, **HEADERS, "Idempotency-Key": "sl"})
    assert reply.status_code == 202
    assert reply.get_json()["accepted"] == 1
    assert attack_listener.hits == []


def test_xinclude_in_a_parcel_is_not_processed(client, auth, tmp_path, attack_listener):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    include = (f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{secret}"/>'
               '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
               f'href="http://{attack_listener.address.decode()}/x"/>')
    body = manifest(parcel()).replace(b"Phone case, silicone</Description>",
                                      b"Phone case" + include.encode() + b"</Description>")
    reply = client.post("/v1/manifests", data=body,
                        headers={**auth, **HEADERS, "Idempotency-Key": "xi"})
    assert reply.status_code == 202
    rejection = reply.get_json()["rejections"][0]
    assert rejection["violations"][0]["code"] == "SCHEMA_VIOLATION"
    assert b"TOP-SECRET" not in reply.data
    assert attack_listener.hits == []


def test_entity_in_a_manifest_is_refused(client, auth, customs):
    body = manifest(parcel()).replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<!DOCTYPE Manifest [<!ENTITY x SYSTEM "file:///etc/passwd">]>').replace(
        b"Phone case, silicone", b"&x;")
    reply = client.post("/v1/manifests", data=body,
                        headers={**auth, **HEADERS, "Idempotency-Key": "ent"})
    assert reply.status_code == 422
    assert reply.get_json()["code"] == "MANIFEST_DTD_FORBIDDEN"
    assert _count(customs, "manifests") == 0


MEMORY_PROBE = r"""
import json, resource, sys
from pathlib import Path
from api import create_app
from customs.bootstrap import bootstrap
from customs.settings import Settings
from tests.manifests import manifest, parcel

customs = bootstrap(Settings(database_url=sys.argv[1]))
client = create_app(customs=customs).test_client()
token = customs.access.create_api_key("probe", "marketplace")[1]
headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/xml"}
client.post("/v1/manifests", data=manifest(parcel()), headers={**headers, "Idempotency-Key": "w"})
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
statuses = {}
for path in sys.argv[2:]:
    reply = client.post("/v1/manifests", data=Path(path).read_bytes(),
                        headers={**headers, "Idempotency-Key": Path(path).name})
    statuses[Path(path).name] = reply.status_code
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"growth_kib": after - before, "statuses": statuses}))
"""


def test_attacks_do_not_grow_the_process_by_64_mib(database_url):
    assert ATTACKS, "no attack payloads found under ../shared/xml-attacks"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, database_url, *map(str, ATTACKS)],
        capture_output=True, text=True, timeout=300, cwd=root, check=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert all(400 <= s < 500 for s in report["statuses"].values()), report["statuses"]
    assert report["growth_kib"] < 64 * 1024, report


def _count(customs, table: str) -> int:  # type: ignore[no-untyped-def]
    with customs.resources.engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar())

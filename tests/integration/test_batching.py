"""Declared parcels are sealed into signed batches: each parcel in exactly one batch."""

from __future__ import annotations

import subprocess
import threading
from datetime import timedelta

import pytest
from lxml import etree

from customs.services.intake import SubmitManifest
from signing import Verifier, load_certificate
from tests.manifests import manifest, parcel

BATCH = "urn:customs:batch:1"
GENERIC = "urn:customs:declaration:generic:1"


@pytest.fixture
def declared(signed_customs):  # type: ignore[no-untyped-def]
    """40 parcels of one office, declared and signed."""
    tenant = signed_customs.access.authenticate(signed_customs.access.create_api_key("acme",
                                                                                     "marketplace")[1])
    body = manifest(*[parcel(f"CDEK-{n:05d}") for n in range(40)])
    signed_customs.intake.submit_manifest(SubmitManifest(tenant.tenant_id, "k", body, "t"))
    signed_customs.settings.batch_size = 15
    return signed_customs


def _rows(customs, sql: str):  # type: ignore[no-untyped-def]
    with customs.resources.engine.connect() as conn:
        return conn.exec_driver_sql(sql).all()


def test_full_batches_are_sealed_and_the_young_remainder_waits(declared):
    report = declared.outbound.seal_batches()
    assert report.parcels == 30 and len(report.sealed) == 2
    assert _rows(declared, "SELECT count(*) FROM parcels WHERE status = 'DECLARED'") == [(10,)]
    declared.clock.current += timedelta(seconds=61)  # the remainder is now old enough
    assert declared.outbound.seal_batches().parcels == 10
    counts = _rows(declared, "SELECT parcel_count FROM batches ORDER BY parcel_count DESC")
    assert counts == [(15,), (15,), (10,)]
    assert _rows(declared, "SELECT count(*) FROM parcels WHERE status = 'BATCHED' "
                           "AND batch_id IS NOT NULL") == [(40,)]
    history = _rows(declared, "SELECT count(*) FROM parcel_events WHERE status = 'BATCHED'")
    assert history == [(40,)]


def test_byte_cap_limits_a_batch(declared):
    [(size,)] = _rows(declared, "SELECT max(length(document)) FROM declarations")
    declared.settings.batch_max_bytes = size * 4
    report = declared.outbound.seal_batches(force=True)
    assert report.parcels == 40
    assert max(c for (c,) in _rows(declared, "SELECT parcel_count FROM batches")) <= 4


def test_batch_is_one_signed_document_whose_declarations_still_verify(declared, dev_signing_key,
                                                                      tmp_path):
    report = declared.outbound.seal_batches(force=True)
    [(document, message_id, count)] = _rows(
        declared, f"SELECT document, message_id, parcel_count FROM batches "
                  f"WHERE id = '{report.sealed[0]}'")
    verifier = Verifier([load_certificate(dev_signing_key[1])])
    batch = verifier.verify(document).element
    assert batch.findtext(f"{{{BATCH}}}MessageId") == message_id
    assert batch.findtext(f"{{{BATCH}}}Count") == str(count) == "15"
    embedded = batch.find(f"{{{BATCH}}}Declarations")
    assert len(embedded) == 15
    for declaration in embedded:  # each declaration's own signature holds inside the batch
        verifier.verify(etree.tostring(declaration))
    path = tmp_path / "batch.xml"
    path.write_bytes(document)
    checked = subprocess.run(
        ["xmlsec1", "--verify", "--pubkey-cert-pem", str(dev_signing_key[1]),
         "--enabled-key-data", "key-name", "--id-attr:Id", f"{BATCH}:Batch",
         "--id-attr:Id", f"{GENERIC}:Declaration", "--node-xpath",
         "/*[local-name()='Batch']/*[local-name()='Signature']", str(path)],
        capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr


def test_concurrent_sealers_put_each_parcel_in_exactly_one_batch(declared):
    reports = []
    outbound = declared.outbound
    threads = [threading.Thread(target=lambda: reports.append(outbound.seal_batches(force=True)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.parcels for r in reports) == 40
    assert not any(r.errors for r in reports)
    assert _rows(declared, "SELECT sum(parcel_count), count(*) FROM batches") == [(40, 3)]
    doubles = _rows(declared, "SELECT parcel_id, count(*) FROM parcel_events WHERE "
                              "status = 'BATCHED' GROUP BY parcel_id HAVING count(*) > 1")
    assert doubles == []
    assert _rows(declared, "SELECT count(*) FROM batches WHERE status <> 'SEALED'") == [(0,)]

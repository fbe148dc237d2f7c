"""Accepted parcels become signed declarations that independent verifiers accept."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from lxml import etree
from signxml import XMLVerifier
from signxml.exceptions import InvalidSignature as SignxmlInvalid

from customs.bootstrap import bootstrap
from customs.services.ports import Principal
from customs.settings import Settings
from signing import Verifier, load_certificate
from tests.api.contract import assert_conforms
from tests.conftest import METRICS_AUTH, dev_key_days_left
from tests.manifests import manifest, parcel

XML = {"Content-Type": "application/xml"}
GENERIC = "urn:customs:declaration:generic:1"


@pytest.fixture
def key(signed_customs):  # type: ignore[no-untyped-def]
    return signed_customs.access.create_api_key("acme", "marketplace")[1]


def submit(client, key: str, body: bytes, idem: str = "k"):  # type: ignore[no-untyped-def]
    return client.post("/v1/manifests", data=body, headers={
        "Authorization": f"Bearer {key}", **XML, "Idempotency-Key": idem})


def test_accepted_parcels_are_declared_and_signed(signed_client, key, dev_signing_key,
                                                  tmp_path):
    reply = submit(signed_client, key, manifest(parcel(), parcel("RR123456799CN",
                                                                 gross="0.01")))
    assert reply.get_json()["accepted"] == 1
    auth = {"Authorization": f"Bearer {key}"}
    detail = signed_client.get("/v1/parcels/RR123456785CN", headers=auth).get_json()
    assert detail["status"] == "DECLARED"
    assert [e["status"] for e in detail["history"]] == ["RECEIVED", "VALIDATED", "DECLARED"]
    assert signed_client.get("/v1/parcels/RR123456799CN/declaration",
                             headers=auth).status_code == 404  # rejected: never declared

    reply = signed_client.get("/v1/parcels/RR123456785CN/declaration", headers=auth)
    assert reply.status_code == 200
    assert reply.mimetype == "application/xml"
    document = reply.data
    cert_path = dev_signing_key[1]
    # 1. xmlsec1 with only the published certificate
    path = tmp_path / "declaration.xml"
    path.write_bytes(document)
    checked = subprocess.run(
        ["xmlsec1", "--verify", "--pubkey-cert-pem", str(cert_path), "--enabled-key-data",
         "key-name", "--enabled-reference-uris", "empty,same-doc",
         "--id-attr:Id", f"{GENERIC}:Declaration", str(path)],
        capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    # 2. signxml, pinned
    signed = XMLVerifier().verify(document, x509_cert=cert_path.read_text()).signed_xml
    assert signed.findtext(f"{{{GENERIC}}}TrackingNumber") == "RR123456785CN"
    # 3. ours
    verified = Verifier([load_certificate(cert_path)]).verify(document)
    assert verified.element.findtext(f"{{{GENERIC}}}InvoiceAmount") == "12.50"
    # a tampered copy fails in all three
    bad = document.replace(b">12.50<", b">12.51<")
    path.write_bytes(bad)
    assert subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem", str(cert_path),
                           "--enabled-key-data", "key-name", "--id-attr:Id",
                           f"{GENERIC}:Declaration", str(path)],
                          capture_output=True, timeout=30).returncode != 0
    with pytest.raises(SignxmlInvalid, match=r"[Dd]igest"):
        XMLVerifier().verify(bad, x509_cert=cert_path.read_text())


def test_declaration_is_valid_against_the_declaration_schema(signed_client, key):
    from schemas import declaration_xsd_path

    submit(signed_client, key, manifest(parcel()))
    document = signed_client.get("/v1/parcels/RR123456785CN/declaration",
                                 headers={"Authorization": f"Bearer {key}"}).data
    schema = etree.XMLSchema(etree.parse(str(declaration_xsd_path("generic"))))
    assert schema.validate(etree.fromstring(document)), schema.error_log


def test_declaration_stores_digest_and_signer_fingerprint(signed_customs, signed_client, key):
    import hashlib

    submit(signed_client, key, manifest(parcel()))
    with signed_customs.resources.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT document, document_sha256, signer_fingerprint, signature_algorithm "
            "FROM declarations").one()
    assert hashlib.sha256(row[0]).hexdigest() == row[1]
    assert row[2] == signed_customs.operations.signer.fingerprint
    assert row[3].endswith("ecdsa-sha256")


def test_expired_certificate_keeps_parcels_waiting_and_retry_declares(
        database_url, clock, dev_signing_key, tmp_path):
    from signing import generate_dev_key

    key, cert = dev_signing_key
    customs = bootstrap(Settings(database_url=database_url, signing_key=key, signing_cert=cert),
                        clock=clock)
    token = customs.access.create_api_key("acme", "marketplace")[1]
    tenant = customs.access.authenticate(token)
    clock.current += timedelta(days=3700)  # past the dev certificate's notAfter
    from customs.services.intake import SubmitManifest

    customs.intake.submit_manifest(SubmitManifest(tenant.tenant_id, "k", manifest(parcel()), "t"))
    detail = customs.parcels.get_parcel(tenant.tenant_id, "RR123456785CN").to_json()
    assert detail["status"] == "VALIDATED"
    assert "expired" in detail["declaration_error"]
    customs.close()
    # the operator installs a new key; the waiting parcel is declared on the next run
    new_key, new_cert = generate_dev_key("ecdsa-p256", tmp_path / "new", days=4000,
                                         not_before=clock.current - timedelta(days=3700))
    rotated = bootstrap(Settings(database_url=database_url, signing_key=new_key,
                                 signing_cert=new_cert, signing_previous_certs=str(cert)),
                        clock=clock)
    report = rotated.outbound.declare_pending()
    assert (report.declared, report.failed) == (1, 0)
    assert rotated.parcels.get_parcel(tenant.tenant_id, "RR123456785CN").status == "DECLARED"
    rotated.close()


def test_without_a_signing_key_parcels_wait_validated(client, auth):
    submit(client, auth["Authorization"].split()[1], manifest(parcel()))
    detail = client.get("/v1/parcels/RR123456785CN", headers=auth).get_json()
    assert detail["status"] == "VALIDATED"


def test_health_reports_certificate_days_left(signed_client):
    reply = signed_client.get("/health")
    assert_conforms(reply, "/health")
    signing = reply.get_json()["signing"]
    assert signing["configured"] is True
    assert abs(signing["days_left"] - dev_key_days_left()) <= 1
    assert signing["expiring"] is False


def test_two_declarers_never_declare_a_parcel_twice(signed_customs, key):
    from customs.services.intake import SubmitManifest

    signed_customs.settings.declare_inline = False
    tenant = signed_customs.access.authenticate(key)
    body = manifest(*[parcel(f"CDEK-{n:05d}") for n in range(40)])
    signed_customs.intake.submit_manifest(SubmitManifest(tenant.tenant_id, "k", body, "t"))
    import threading

    reports = []
    outbound = signed_customs.outbound
    threads = [threading.Thread(target=lambda: reports.append(outbound.declare_pending()))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.declared for r in reports) == 40
    with signed_customs.resources.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM declarations").scalar() == 40
        assert conn.exec_driver_sql(
            "SELECT count(*) FROM parcels WHERE status = 'DECLARED'").scalar() == 40


def test_metrics_expose_certificate_days_left_and_parcels_by_status(signed_client, key):
    submit(signed_client, key, manifest(parcel(), parcel("RR123456799CN", gross="0.01")))
    text = signed_client.get("/metrics", headers=METRICS_AUTH).get_data(as_text=True)
    assert "customs_signing_configured 1.0" in text
    [line] = [x for x in text.splitlines()
              if x.startswith("customs_signing_certificate_days_left ")]
    days = float(line.split()[1])
    assert abs(days - dev_key_days_left()) <= 1
    assert "customs_signing_certificate_expiring 0.0" in text
    assert 'customs_parcels{status="DECLARED"} 1.0' in text
    assert 'customs_parcels{status="REJECTED"} 1.0' in text


def test_intake_declares_in_its_own_transaction_and_the_rest_right_after(signed_customs, key):
    """The first `declare_inline_max` accepted parcels are stored DECLARED by intake itself;
    the others are declared by the pass that follows; every parcel has one declaration and the
    same history either way."""
    from customs.services.intake import SubmitManifest

    signed_customs.settings.declare_inline_max = 3
    tenant = signed_customs.access.authenticate(key)
    numbers = [f"CDEK-{n:05d}" for n in range(7)]
    body = manifest(*[parcel(n) for n in numbers], parcel("RR123456799CN", gross="0.01"))
    receipt = signed_customs.intake.submit_manifest(SubmitManifest(tenant.tenant_id, "k", body,
                                                                   "t"))
    assert (receipt.body["accepted"], receipt.body["rejected"]) == (7, 1)
    verifier = Verifier([load_certificate(signed_customs.settings.signing_cert)])
    who = Principal("test", tenant.tenant_id, "acme", "marketplace")
    for number in numbers:
        detail = signed_customs.parcels.get_parcel(tenant.tenant_id, number).to_json()
        assert detail["status"] == "DECLARED", number
        assert [(e["status"], e["actor"]) for e in detail["history"]] == [
            ("RECEIVED", "t"), ("VALIDATED", "t"), ("DECLARED", "system:declarer")]
        verified = verifier.verify(signed_customs.parcels.declaration(who, number))
        assert verified.element.findtext(f"{{{GENERIC}}}TrackingNumber") == number
    with signed_customs.resources.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM declarations").scalar() == 7
        rows = conn.exec_driver_sql(
            "SELECT d.profile, e.source FROM declarations d JOIN parcel_events e "
            "ON e.parcel_id = d.parcel_id AND e.status = 'DECLARED'").all()
    assert set(rows) == {("generic", "PROFILE:generic")} and len(rows) == 7
    replay = signed_customs.intake.submit_manifest(SubmitManifest(tenant.tenant_id, "k", body, "t"))
    assert replay.replayed  # nothing declared twice
    with signed_customs.resources.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM declarations").scalar() == 7


def test_a_declaration_failing_at_intake_leaves_the_parcel_validated_with_the_reason(
        database_url, clock, dev_signing_key):
    """A declaration that cannot be made during intake does not lose the parcel: it is stored
    VALIDATED with the reason, for the workers to try again."""
    from customs.services.intake import SubmitManifest

    key, cert = dev_signing_key
    customs = bootstrap(Settings(database_url=database_url, signing_key=key, signing_cert=cert),
                        clock=clock)
    try:
        tenant = customs.access.authenticate(customs.access.create_api_key("acme",
                                                                           "marketplace")[1])
        original = customs.operations.signer.sign_element  # type: ignore[union-attr]
        calls = []

        def flaky(element, at, canonical=None):  # type: ignore[no-untyped-def]
            calls.append(1)
            if len(calls) == 2:
                raise RuntimeError("token removed")
            return original(element, at, canonical)

        customs.operations.signer.sign_element = flaky  # type: ignore[union-attr,method-assign]
        body = manifest(parcel("CDEK-00001"), parcel("CDEK-00002"), parcel("CDEK-00003"))
        customs.intake.submit_manifest(SubmitManifest(tenant.tenant_id, "k", body, "t"))
        statuses = {n: customs.parcels.get_parcel(tenant.tenant_id, n).to_json() for n in
                    ("CDEK-00001", "CDEK-00002", "CDEK-00003")}
        assert [d["status"] for d in statuses.values()] == ["DECLARED", "VALIDATED", "DECLARED"]
        assert "token removed" in statuses["CDEK-00002"]["declaration_error"]
        report = customs.outbound.declare_pending()
        assert (report.declared, report.failed) == (1, 0)
        assert customs.parcels.get_parcel(tenant.tenant_id, "CDEK-00002").status == "DECLARED"
    finally:
        customs.close()

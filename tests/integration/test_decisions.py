"""The authority's per-parcel decisions: verified, applied once, never backwards, none lost."""

from __future__ import annotations

import uuid

import pytest
from lxml import etree

from customs.services.intake import SubmitManifest
from signing import generate_dev_key, load_software_signer, sign_enveloped
from tests.manifests import manifest, parcel

NS = "urn:customs:authority:1"
XML = {"Content-Type": "application/xml"}


@pytest.fixture(scope="module")
def authority_key(tmp_path_factory):  # type: ignore[no-untyped-def]
    return generate_dev_key("ecdsa-p256", tmp_path_factory.mktemp("authority"),
                            common_name="test customs authority")


@pytest.fixture
def submitted(signed_customs, authority_key):  # type: ignore[no-untyped-def]
    """Three parcels declared, batched and submitted; the authority's certificate pinned."""
    signed_customs.settings.authority_cert = authority_key[1]
    tenant = signed_customs.access.authenticate(signed_customs.access.create_api_key("acme",
                                                                                     "marketplace")[1])
    body = manifest(*[parcel(f"CDEK-{n:05d}") for n in range(3)])
    signed_customs.intake.submit_manifest(SubmitManifest(tenant.tenant_id, "k", body, "t"))
    signed_customs.outbound.seal_batches(force=True)

    class Ack:
        def send(self, message_id, document):  # type: ignore[no-untyped-def]
            from customs.services.ports import TransportResult
            return TransportResult(True, 202, None, False, None)

    signed_customs.outbound.submit_batches(Ack())
    signed_customs.tenant_id = tenant.tenant_id
    with signed_customs.resources.engine.connect() as conn:
        signed_customs.batch_message_id = conn.exec_driver_sql(
            "SELECT message_id FROM batches").scalar_one()
    _SENT["message_id"] = signed_customs.batch_message_id
    return signed_customs


_SENT: dict[str, str] = {}


def _declarations(customs) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with customs.resources.engine.connect() as conn:
        return dict(conn.exec_driver_sql(
            "SELECT p.tracking_number, d.id FROM declarations d JOIN parcels p "
            "ON p.id = d.parcel_id").all())


def decisions_message(authority_key, items, message_id=None,  # type: ignore[no-untyped-def]
                      initial: str | None = None) -> bytes:
    """`initial`: the batch message it answers (default: the one `submitted` sent)."""
    initial = initial or _SENT["message_id"]
    message_id = message_id or f"N-{uuid.uuid4()}"
    root = etree.Element(f"{{{NS}}}Decisions", {"Id": f"M-{message_id}"}, nsmap={None: NS})
    for name, text in (("MessageId", message_id), ("InitialMessageId", initial),
                       ("IssuedAt", "2026-11-23T12:00:00Z")):
        etree.SubElement(root, f"{{{NS}}}{name}").text = text
    for declaration_id, tracking, code, duty in items:
        decision = etree.SubElement(root, f"{{{NS}}}Decision")
        etree.SubElement(decision, f"{{{NS}}}DeclarationId").text = declaration_id
        etree.SubElement(decision, f"{{{NS}}}TrackingNumber").text = tracking
        etree.SubElement(decision, f"{{{NS}}}Code").text = code
        if duty:
            etree.SubElement(decision, f"{{{NS}}}Duty", currency="EUR").text = duty
    signer = load_software_signer(*authority_key)
    sign_enveloped(root, signer, reference_uri=f"#M-{message_id}")
    return etree.tostring(root)


def post(customs, body: bytes):  # type: ignore[no-untyped-def]
    from api import create_app

    return create_app(customs=customs).test_client().post(
        "/v1/authority/notifications", data=body, headers=XML)


def status(customs, tracking: str) -> dict:  # type: ignore[no-untyped-def]
    return customs.parcels.get_parcel(customs.tenant_id, tracking).to_json()


def test_each_parcel_gets_its_own_decision(submitted, authority_key):
    ids = _declarations(submitted)
    body = decisions_message(authority_key, [
        (ids["CDEK-00000"], "CDEK-00000", "RELEASED", None),
        (ids["CDEK-00001"], "CDEK-00001", "DUTY_DUE", "12.34"),
        (ids["CDEK-00002"], "CDEK-00002", "HELD", None)])
    reply = post(submitted, body)
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json() | {"message_id": None} == {
        "message_id": None, "duplicate": False, "applied": 3, "ignored": 0, "orphaned": 0,
        "noted": 0, "pending": 0, "set_aside": 0}
    assert status(submitted, "CDEK-00000")["status"] == "RELEASED"
    duty = status(submitted, "CDEK-00001")
    assert duty["status"] == "DUTY_DUE"
    assert duty["history"][-1]["source"] == "AUTH:DUTY_DUE"
    assert "12.34 EUR" in duty["history"][-1]["reason"]
    assert status(submitted, "CDEK-00002")["status"] == "HELD"


def test_duplicated_message_has_one_effect(submitted, authority_key):
    ids = _declarations(submitted)
    body = decisions_message(authority_key, [(ids["CDEK-00000"], "CDEK-00000", "HELD", None)])
    assert post(submitted, body).get_json()["applied"] == 1
    again = post(submitted, body).get_json()
    assert again["duplicate"] is True and again["applied"] == 0
    assert [e["status"] for e in status(submitted, "CDEK-00000")["history"]].count("HELD") == 1


def test_stale_decision_never_moves_a_parcel_backwards(submitted, authority_key):
    ids = _declarations(submitted)
    release = decisions_message(authority_key, [(ids["CDEK-00000"], "CDEK-00000", "RELEASED",
                                                 None)])
    late_hold = decisions_message(authority_key, [(ids["CDEK-00000"], "CDEK-00000", "HELD",
                                                   None)])
    post(submitted, release)
    reply = post(submitted, late_hold).get_json()
    assert (reply["applied"], reply["ignored"]) == (0, 1)
    assert status(submitted, "CDEK-00000")["status"] == "RELEASED"


def test_reordered_decisions_end_in_the_right_state(submitted, authority_key):
    ids = _declarations(submitted)
    d = ids["CDEK-00001"]
    paid = decisions_message(authority_key, [(d, "CDEK-00001", "PAID", None)])
    due = decisions_message(authority_key, [(d, "CDEK-00001", "DUTY_DUE", "5.00")])
    released = decisions_message(authority_key, [(d, "CDEK-00001", "RELEASED", None)])
    assert post(submitted, paid).get_json()["pending"] == 1  # kept: duty is not due yet
    assert post(submitted, due).get_json()["applied"] == 2  # DUTY_DUE, then the kept PAID
    assert status(submitted, "CDEK-00001")["status"] == "PAID"
    assert post(submitted, released).get_json()["applied"] == 1
    history = [e["status"] for e in status(submitted, "CDEK-00001")["history"]]
    assert history[-3:] == ["DUTY_DUE", "PAID", "RELEASED"]


def test_release_before_payment_waits_for_the_payment(submitted, authority_key):
    ids = _declarations(submitted)
    d = ids["CDEK-00001"]
    post(submitted, decisions_message(authority_key, [(d, "CDEK-00001", "DUTY_DUE", "5.00")]))
    early = post(submitted, decisions_message(authority_key, [(d, "CDEK-00001", "RELEASED",
                                                               None)]))
    assert early.get_json()["pending"] == 1  # DUTY_DUE -> RELEASED needs PAID first
    assert status(submitted, "CDEK-00001")["status"] == "DUTY_DUE"
    post(submitted, decisions_message(authority_key, [(d, "CDEK-00001", "PAID", None)]))
    assert status(submitted, "CDEK-00001")["status"] == "RELEASED"
    with submitted.resources.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM pending_decisions").scalar() == 0


def test_decision_for_an_unknown_parcel_is_kept_aside(submitted, authority_key):
    body = decisions_message(authority_key, [("no-such-declaration", "XX-1", "RELEASED", None)])
    assert post(submitted, body).get_json()["orphaned"] == 1
    with submitted.resources.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT tracking_number, code, why "
                                   "FROM orphan_decisions").one()
    assert tuple(row) == ("XX-1", "RELEASED", "no declaration with this id")


def test_a_message_not_signed_by_the_authority_is_refused(submitted, tmp_path):
    impostor = generate_dev_key("ecdsa-p256", tmp_path / "impostor")
    ids = _declarations(submitted)
    body = decisions_message(impostor, [(ids["CDEK-00000"], "CDEK-00000", "RELEASED", None)])
    reply = post(submitted, body)
    assert reply.status_code == 403
    assert reply.get_json()["code"] == "SIGNATURE_INVALID"
    assert status(submitted, "CDEK-00000")["status"] == "SUBMITTED"


def test_without_the_authority_certificate_a_decision_gets_a_problem_and_one_log_line(
        submitted, authority_key, caplog):
    submitted.settings.authority_cert = None
    ids = _declarations(submitted)
    body = decisions_message(authority_key, [(ids["CDEK-00000"], "CDEK-00000", "HELD", None)])
    with caplog.at_level("WARNING", logger="customs.authority"):
        reply = post(submitted, body)
    assert reply.status_code == 503
    assert reply.mimetype == "application/problem+json"
    assert reply.get_json()["code"] == "AUTHORITY_NOT_CONFIGURED"
    assert "CUSTOMS_AUTHORITY_CERT" in reply.get_json()["detail"]
    said = [r.getMessage() for r in caplog.records if r.name == "customs.authority"]
    assert len(said) == 1 and "set it" in said[0] and "CUSTOMS_AUTHORITY_CERT" in said[0]
    assert status(submitted, "CDEK-00000")["status"] == "SUBMITTED"


def test_tampered_decision_is_refused(submitted, authority_key):
    ids = _declarations(submitted)
    body = decisions_message(authority_key, [(ids["CDEK-00000"], "CDEK-00000", "HELD", None)])
    reply = post(submitted, body.replace(b">HELD<", b">RELEASED<"))
    assert reply.status_code == 403


def test_the_raw_message_is_kept_with_the_batch_it_answers(submitted, authority_key):
    ids = _declarations(submitted)
    with submitted.resources.engine.connect() as conn:
        batch_id, message_id = conn.exec_driver_sql(
            "SELECT id, message_id FROM batches ORDER BY id LIMIT 1").one()
    body = decisions_message(authority_key, [(ids["CDEK-00000"], "CDEK-00000", "HELD", None)],
                             initial=message_id)
    post(submitted, body)
    with submitted.resources.engine.connect() as conn:
        kept, answered = conn.exec_driver_sql(
            "SELECT document, batch_id FROM messages WHERE kind = 'decisions'").one()
    assert kept == body
    assert answered == batch_id  # so the parcel's dossier lists it

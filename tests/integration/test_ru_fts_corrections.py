"""Corrections in the ru-fts-express profile, against the OFFICIAL FTS album (../shared): the
FTS asks (ExpressCargoReqCorrect), the marketplace corrects the HELD parcel (a new version, the
earlier kept), the service declares and seals the correction registry (DocType 1, NumPP, the
corrected registry's number, ChangeDetails), and the FTS's answer to it applies to the new
version."""

from __future__ import annotations

import time

import pytest
from lxml import etree

import signing
from api import create_app
from customs.domain.errors import ManifestRefused
from customs.services.corrections import CorrectParcel
from customs.services.intake import SubmitManifest
from schemas.ru_fts import NS, Album
from simulator import ru_fts as fts
from tests.integration.test_ru_fts import (
    AWB_1,
    ECD,
    ENV,
    SimTransport,
    acknowledged,
    answer,
    batches,
    history,
    post,
)
from tests.manifests import NS as MANIFEST_NS
from tests.manifests import item, manifest, parcel

CAT = f"{{{NS['cat_ru']}}}"
XML = "application/xml"


def corrected(number: str, description: str = "Vitamin C, 60 tablets, permit 77-01/2026",
              **options: object) -> bytes:
    """The parcel `number` as a marketplace corrects it: a Parcel document of its own."""
    body = parcel(number, items=[item(description=description)], **options)  # type: ignore[arg-type]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + body.strip().replace("<Parcel>", f'<Parcel xmlns="{MANIFEST_NS}">', 1)).encode()


def requested(ru, sim, count: int = 2):  # type: ignore[no-untyped-def]
    """`count` parcels acknowledged, the first one HELD by the FTS's correction request."""
    routing, houses = acknowledged(ru, sim, count)
    reply = post(ru, answer(sim, routing, fts.req_correct(
        "10005020", [houses[0]], "permit for medicinal products required",
        routing["EnvelopeID"]), "1006348E"))
    assert reply["applied"] == 1
    return routing, houses


def correct(ru, number: str, body: bytes, key: str = "c-1"):  # type: ignore[no-untyped-def]
    return ru.intake.correct_parcel(CorrectParcel(ru.tenant_id, number, key, body,
                                                  "marketplace:acme"))


def wait_for(state, count: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(200):
        if len(state.outbox) >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"the simulated FTS sent {len(state.outbox)} of {count} answers")


def test_the_request_is_kept_with_the_held_parcel(ru, sim):
    _, (a, _) = requested(ru, sim)
    view = ru.parcels.get_parcel(ru.tenant_id, a.number).to_json()
    assert (view["status"], view["history"][-1]["source"]) == ("HELD", "FTS:REQ-CORRECT")
    request = view["correction_request"]
    number = request["registration_number"]
    assert number.startswith("10005020/") and len(number.split("/")) == 3
    assert (request["correct_doc_type"], request["doc_kind"], request["open"]) == ("1", "1", True)
    assert request["limit_at"] is not None
    assert request["violations"] == ["no permit given for goods whose import needs one"]
    assert request["reason"] == "permit for medicinal products required"
    assert request["changes"] == [{"field": "31", "previous": [], "correct": [
        "the permit's number and date in the goods' description"], "goods": []}]
    assert view["versions"] == []  # no correction yet


def test_the_correction_round_trip(ru, sim, album_path, dev_signing_key):
    routing, (a, b) = requested(ru, sim)
    first_registry = ru.parcels.get_parcel(ru.tenant_id, a.number).to_json()[
        "correction_request"]["registration_number"]
    receipt = correct(ru, a.number, corrected(a.number))
    assert (receipt.body["status"], receipt.body["version"], receipt.body["ordinal"]) == (
        "DECLARED", 2, 1)
    assert receipt.body["registration_number"] == first_registry
    assert receipt.body["change_codes"] == "1100001"  # before release, asked; other data
    assert ru.outbound.seal_batches(force=True).errors == []
    [(_, profile, office, count, document)] = [
        b for b in batches(ru) if b[0] != routing["EnvelopeID"]]
    assert (profile, office, count) == ("ru-fts-express", "10005020", 1)
    envelope = signing.Verifier([signing.load_certificate(dev_signing_key[1])]).verify(
        bytes(document)).element
    registry = envelope.find(f"{ENV}Body")[0]
    assert Album.load(album_path).validate(registry, thorough=True) == []
    assert (registry.findtext(f"{ECD}DocType"), registry.findtext(f"{ECD}NumPP")) == ("1", "1")
    details = registry.find(f"{ECD}ExpressCargoDeclarationIdDetails")
    office_code, _, number = first_registry.split("/")
    assert details.findtext(f"{CAT}CustomsCode") == office_code
    assert details.findtext(f"{CAT}GTDNumber") == number
    assert [c.text for c in registry.find(f"{ECD}GoodsShipment/{ECD}ChangeDetails")] == list(
        "1100001")
    [house] = registry.iter(f"{ECD}HouseShipment")
    assert house.findtext(f"{ECD}WayBillID") == receipt.body["declaration_id"]
    assert house.findtext(f".//{ECD}GoodsDescription").startswith("Vitamin C")
    assert ru.parcels.get_parcel(ru.tenant_id, a.number).status == "BATCHED"
    state, client = sim
    before = len(state.outbox)
    ru.outbound.submit_batches(SimTransport(client))
    wait_for(state, before + 1)
    report = post(ru, client.get(f"/v1/decisions?after={before}").data)
    assert (report["applied"], report["orphaned"]) == (1, 0)
    view = ru.parcels.get_parcel(ru.tenant_id, a.number).to_json()
    assert [h[0] for h in history(ru, a.number)][-6:] == [
        "HELD", "DECLARED", "BATCHED", "SUBMITTED", "ACKNOWLEDGED", "RELEASED"]
    assert history(ru, a.number)[-1] == ("RELEASED", "FTS:10")
    assert history(ru, a.number)[-5][1] == "CORRECTION"
    versions = view["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["data"]["items"][0]["description"] == "Phone case, silicone"
    assert versions[1]["data"]["items"][0]["description"].startswith("Vitamin C")
    assert versions[1]["declaration_id"] == receipt.body["declaration_id"]
    assert view["data"] == versions[1]["data"] and view["correction_request"]["open"] is False
    assert ru.parcels.get_parcel(ru.tenant_id, b.number).status == "ACKNOWLEDGED"
    # an answer to the first registry naming the first declaration no longer applies to it
    late = post(ru, answer(sim, routing, fts.custom_mark("10005020", [(a, "90", "late")],
                                                         routing["EnvelopeID"])))
    assert late["orphaned"] == 1 and history(ru, a.number)[-1] == ("RELEASED", "FTS:10")


def test_the_dossier_shows_the_correction_and_both_versions(ru, sim):
    _, (a, _) = requested(ru, sim)
    receipt = correct(ru, a.number, corrected(a.number))
    officer = ru.access.authenticate(ru.access.create_api_key(
        "fts", "officer", offices=["10005020"])[1])
    dossier = ru.parcels.dossier(officer, a.number).to_json()
    assert dossier["declaration"]["id"] == receipt.body["declaration_id"]
    assert dossier["declaration"]["verification"]["valid"] is True
    assert b"<ecd:DocType>1</ecd:DocType>" in ru.parcels.declaration(officer, a.number)
    assert [v["version"] for v in dossier["versions"]] == [1, 2]


def test_corrections_over_http(ru, sim):
    _, (a, b) = requested(ru, sim)
    client = create_app(customs=ru).test_client()
    token = ru.access.create_api_key("acme", "marketplace")[1]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": XML,
               "Idempotency-Key": "fix-1"}
    url = f"/v1/parcels/{a.number}/corrections"
    reply = client.post(url, data=corrected(a.number), headers=headers)
    assert reply.status_code == 202, reply.get_json()
    assert reply.headers["Location"].endswith(f"/v1/parcels/{a.number}")
    again = client.post(url, data=corrected(a.number), headers=headers)
    assert (again.status_code, again.get_json()) == (202, reply.get_json())
    assert again.headers["Idempotent-Replayed"] == "true"
    other_body = client.post(url, data=corrected(a.number, "Vitamin D"), headers=headers)
    assert other_body.get_json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    headers["Idempotency-Key"] = "fix-2"
    twice = client.post(url, data=corrected(a.number, "Vitamin D"), headers=headers)
    assert (twice.status_code, twice.get_json()["code"]) == (
        409, "PARCEL_NOT_AWAITING_CORRECTION")  # DECLARED now: no request open
    not_held = client.post(f"/v1/parcels/{b.number}/corrections",
                           data=corrected(b.number), headers=headers)
    assert (not_held.status_code, not_held.get_json()["code"]) == (
        409, "PARCEL_NOT_AWAITING_CORRECTION")
    ru.intake.submit_manifest(SubmitManifest(ru.tenant_id, "bad", manifest(
        parcel("CDEK-00009", items=[item(hs="12")]), transport=AWB_1), "t"))
    rejected = client.post("/v1/parcels/CDEK-00009/corrections", data=corrected("CDEK-00009"),
                           headers=headers)
    assert (rejected.status_code, rejected.get_json()["code"]) == (
        409, "PARCEL_NOT_AWAITING_CORRECTION")
    stranger = ru.access.create_api_key("other-shop", "marketplace")[1]
    hidden = client.post(url, data=corrected(a.number),
                         headers=headers | {"Authorization": f"Bearer {stranger}"})
    assert (hidden.status_code, hidden.get_json()["code"]) == (404, "NOT_FOUND")
    courier = ru.access.create_api_key("cdek", "courier", courier="CDEK")[1]
    assert client.post(url, data=corrected(a.number), headers=headers | {
        "Authorization": f"Bearer {courier}"}).status_code == 403
    assert client.post(url, data=b"{}", headers=headers | {
        "Content-Type": "application/json"}).status_code == 415
    no_key = {k: v for k, v in headers.items() if k != "Idempotency-Key"}
    assert client.post(url, data=corrected(a.number), headers=no_key).get_json()["code"] == \
        "IDEMPOTENCY_KEY_REQUIRED"


def test_what_a_correction_may_not_be(ru, sim):
    _, (a, _) = requested(ru, sim)
    client = create_app(customs=ru).test_client()
    token = ru.access.create_api_key("acme", "marketplace")[1]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": XML}
    url = f"/v1/parcels/{a.number}/corrections"

    def refused(body: bytes, key: str) -> dict:
        reply = client.post(url, data=body, headers=headers | {"Idempotency-Key": key})
        assert reply.status_code == 422, reply.get_json()
        assert reply.get_json()["title"] == "Correction refused"
        return reply.get_json()

    invalid = refused(corrected(a.number).replace(b"<GrossWeight>0.500", b"<GrossWeight>-1"),
                      "k1")
    assert invalid["code"] == "CORRECTION_INVALID"
    assert invalid["violations"][0]["code"] == "SCHEMA_VIOLATION"
    assert invalid["violations"][0]["path"].startswith("/Parcel/GrossWeight")
    renamed = refused(corrected("CDEK-77777"), "k2")
    assert [v["code"] for v in renamed["violations"]] == ["CORRECTION_TRACKING_MISMATCH"]
    assert refused(corrected(a.number, "Phone case, silicone"), "k3")["code"] == \
        "CORRECTION_UNCHANGED"
    assert refused(manifest(parcel(a.number)), "k4")["code"] == "CORRECTION_WRONG_ROOT"
    doctype = b'<?xml version="1.0"?><!DOCTYPE Parcel [<!ENTITY x "y">]><Parcel/>'
    assert refused(doctype, "k5")["code"] == "MANIFEST_DTD_FORBIDDEN"
    assert refused(b"<Parcel", "k6")["code"] == "MANIFEST_NOT_WELL_FORMED"
    rules = refused(corrected(a.number, country="DE"), "k7")
    assert "RECIPIENT_COUNTRY_MISMATCH" in [v["code"] for v in rules["violations"]]
    assert ru.parcels.get_parcel(ru.tenant_id, a.number).status == "HELD"  # nothing changed
    huge = client.post(url, data=b"<Parcel>" + b" " * (1024 * 1024) + b"</Parcel>",
                       headers=headers | {"Idempotency-Key": "k8"})
    assert (huge.status_code, huge.get_json()["code"]) == (413, "CORRECTION_TOO_LARGE")


def test_a_parcel_read_alone_is_read_as_in_a_manifest(ru):
    reader = ru.intake.reader
    outcome = reader.read_parcel(corrected("CDEK-00001"))
    assert outcome.accepted and outcome.parcel.items[0].description.startswith("Vitamin C")
    with pytest.raises(ManifestRefused) as refused:
        reader.read_parcel(b"<Other xmlns='urn:customs:manifest:1'/>")
    assert refused.value.code == "CORRECTION_WRONG_ROOT"
    bad = reader.read_parcel(corrected("CDEK-00001").replace(b"<Courier>CDEK",
                                                             b"<Courier>cdek lowercase"))
    assert not bad.accepted and bad.violations[0].line == 4  # the document's own line


def test_two_corrections_of_one_registry_sealed_together_share_its_ordinal(ru, sim, album_path):
    routing, houses = acknowledged(ru, sim, 2)
    post(ru, answer(sim, routing, fts.req_correct("10005020", houses, "permits needed",
                                                  routing["EnvelopeID"]), "1006348E"))
    for n, house in enumerate(houses):
        receipt = correct(ru, house.number, corrected(house.number), key=f"k{n}")
        assert receipt.body["ordinal"] == 1
    assert ru.outbound.seal_batches(force=True).errors == []
    [(*_, count, document)] = [b for b in batches(ru) if b[0] != routing["EnvelopeID"]]
    assert count == 2
    registry = etree.fromstring(bytes(document)).find(f"{ENV}Body")[0]
    assert Album.load(album_path).validate(registry, thorough=True) == []
    assert [h.findtext(f"{ECD}ObjectOrdinal") for h in registry.iter(f"{ECD}HouseShipment")] \
        == ["1", "2"]

"""The ru-fts-express profile against the OFFICIAL FTS album (../shared): registries that
validate before they are signed, one per master waybill, kind and office; answers applied per
waybill and matched by the envelope they answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from lxml import etree

import signing
from api import create_app
from customs.adapters.authority.ru_fts_envelope import RuFtsRegistryBuilder
from customs.bootstrap import bootstrap
from customs.domain.errors import ConfigurationError
from customs.services.intake import SubmitManifest
from customs.services.ports import TransportResult
from customs.settings import Settings
from schemas.ru_fts import NS, Album
from simulator import ru_fts as fts
from simulator.app import create_sim_app, make_state
from tests.fts_documents import Document, album_errors, fts_documents, signature_errors
from tests.manifests import item, manifest, parcel
from tests.signing.conftest import require_gost_engine

ECD, CAT = f"{{{NS['ecd']}}}", f"{{{NS['cat_ru']}}}"
ENV = "{urn:customs:ru-fts-envelope:1}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
AWB_1 = "<Transport><Mode>air</Mode><MasterWaybill>784-12345675</MasterWaybill></Transport>"
AWB_2 = "<Transport><Mode>air</Mode><MasterWaybill>784-00000011</MasterWaybill></Transport>"


class SimTransport:
    def __init__(self, client) -> None:  # type: ignore[no-untyped-def]
        self.client = client

    def send(self, message_id: str, document: bytes) -> TransportResult:
        reply = self.client.post("/v1/batches", data=document)
        return TransportResult(200 <= reply.status_code < 300, reply.status_code, reply.data,
                               False, None if reply.status_code < 300 else reply.text)


def company(tracking: str) -> str:
    return parcel(tracking).replace("</Recipient>", "<TaxId>7701234567</TaxId></Recipient>")


def submit(customs, body: bytes, key: str = "k") -> None:  # type: ignore[no-untyped-def]
    customs.intake.submit_manifest(SubmitManifest(customs.tenant_id, key, body, "t"))


def batches(customs) -> list[tuple]:  # type: ignore[no-untyped-def]
    with customs.resources.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT message_id, profile, customs_office, parcel_count, "
                                    "document FROM batches ORDER BY sealed_at, id").all()


def test_the_profile_refuses_to_start_without_its_album(database_url, tmp_path):
    with pytest.raises(ConfigurationError, match="CUSTOMS_RU_FTS_ALBUM"):
        bootstrap(Settings(database_url=database_url, ru_profile="ru-fts-express"))
    with pytest.raises(ConfigurationError, match=r"missing ExpressCargoDeclaration\.xsd"):
        bootstrap(Settings(database_url=database_url, ru_profile="ru-fts-express",
                           ru_fts_album=tmp_path))


def test_one_registry_per_master_waybill_kind_and_office(ru, dev_signing_key, album_path):
    submit(ru, manifest(parcel("CDEK-00001"), parcel("CDEK-00002"), company("CDEK-00003"),
                        transport=AWB_1), "k1")
    submit(ru, manifest(parcel("CDEK-00004"), transport=AWB_2), "k2")
    submit(ru, manifest(parcel("CDEK-00005", country="US"), country="US", office="00000047",
                        transport=AWB_2), "k3")
    report = ru.outbound.seal_batches(force=True)
    assert report.errors == []
    found = batches(ru)
    assert sorted((b[1], b[2], b[3]) for b in found) == [
        ("generic", "00000047", 1), ("ru-fts-express", "10005020", 1),
        ("ru-fts-express", "10005020", 1), ("ru-fts-express", "10005020", 2)]
    album = Album.load(album_path)
    kinds = []
    for message_id, profile, office, count, document in found:
        if profile != "ru-fts-express":
            continue
        envelope = signing.Verifier([signing.load_certificate(dev_signing_key[1])]).verify(
            bytes(document)).element
        assert envelope.findtext(f"{ENV}RoutingInf/{ENV}EnvelopeID") == message_id
        assert envelope.findtext(f"{ENV}RoutingInf/{ENV}ReceiverInformation") == office
        assert envelope.findtext(f"{ENV}RoutingInf/{ENV}ProcessID")
        registry = envelope.find(f"{ENV}Body")[0]
        assert album.validate(registry, thorough=True) == []  # the official schema, twice
        houses = registry.findall(f"{ECD}GoodsShipment/{ECD}HouseShipment")
        assert [h.findtext(f"{ECD}ObjectOrdinal") for h in houses] == [
            str(n) for n in range(1, count + 1)]
        masters = {h.findtext(f"{ECD}TransportDocumentDetails/*") for h in houses}
        assert len(masters) == 1
        kinds.append((registry.findtext(f"{ECD}ExpressRegistryKindCode"), count))
    assert sorted(kinds) == [("ДТЭГ", 1), ("ПТДЭГ", 1), ("ПТДЭГ", 2)]


def stored_declarations(customs) -> list[bytes]:  # type: ignore[no-untyped-def]
    with customs.resources.engine.connect() as conn:
        return [bytes(row[0]) for row in conn.exec_driver_sql(
            "SELECT document FROM declarations ORDER BY id").all()]


def test_each_parcels_declaration_is_an_official_registry_valid_as_stored(
        ru, album_path, dev_signing_key, tmp_path):
    """The registry of one parcel rides in the signed envelope, as the registries sent do:
    the album has no place for a ds:Signature in ExpressCargoDeclaration."""
    submit(ru, manifest(parcel("CDEK-00001", value="25.00",
                               items=[item(), item(hs="6109100000")]),
                        transport=AWB_1))
    [content] = stored_declarations(ru)
    document = Document("stored declaration", content)
    root = etree.fromstring(document.content)
    assert root.tag == f"{ENV}Envelope" and root[-1].tag == f"{DS}Signature"
    assert album_errors(document, Album.load(album_path)) == []  # envelope and registry as is
    [registry] = fts_documents(root)
    assert registry.getparent().tag == f"{ENV}Body"
    assert registry.find(f".//{DS}Signature") is None
    assert signature_errors([document], [dev_signing_key[1]], tmp_path) == []  # xmlsec1, signxml
    assert root.findtext(f"{ENV}RoutingInf/{ENV}ReceiverInformation") == "10005020"
    assert root.findtext(f"{ENV}RoutingInf/{ENV}DocumentModeID") == "1006275E"
    goods = registry.findall(f".//{ECD}GoodsItemDetails")
    assert [g.findtext(f"{ECD}GoodsTNVEDCode") for g in goods] == ["3926909709", "6109100000"]
    assert registry.findtext(f".//{ECD}URLShop") == "https://shop.example.cn"


def test_registries_signed_with_gost_are_verified_by_the_simulated_fts(
        database_url, clock, album_path, tmp_path):
    """A GOST key signs the declarations and the registry with GOST R 34.10-2012 and Streebog;
    the simulated FTS (itself signing with GOST) verifies and acknowledges it."""
    require_gost_engine()
    key, cert = signing.generate_dev_key("gost2012-256", tmp_path / "gost", days=3650,
                                         not_before=clock.now() - timedelta(days=1))
    state = make_state(cert, tmp_path / "sim", delay=0, album=album_path, hold_share=0,
                       algorithm="gost2012-256")
    customs = bootstrap(Settings(
        database_url=database_url, signing_key=key, signing_cert=cert,
        ru_profile="ru-fts-express", ru_fts_album=album_path,
        authority_cert=tmp_path / "sim" / "cert.pem"), clock=clock)
    try:
        customs.tenant_id = customs.access.authenticate(
            customs.access.create_api_key("acme", "marketplace")[1]).tenant_id
        submit(customs, manifest(parcel("CDEK-00001"), parcel("CDEK-00002"), transport=AWB_1))
        for declaration in stored_declarations(customs):
            assert b"gostr34102012-gostr34112012-256" in declaration
        assert customs.outbound.seal_batches(force=True).errors == []
        customs.outbound.submit_batches(SimTransport(create_sim_app(state).test_client()))
        [(_, _, _, _, registry)] = batches(customs)
        assert signing.Verifier([signing.load_certificate(cert)]).verify(
            bytes(registry)).signature_method == signing.GOST_256
        assert len(state.registered) == 1
        parcel_view = customs.parcels.get_parcel(customs.tenant_id, "CDEK-00002")
        assert parcel_view.status == "ACKNOWLEDGED"
    finally:
        customs.close()


def test_a_parcel_without_a_ten_digit_code_or_master_waybill_waits_with_the_reason(ru):
    submit(ru, manifest(parcel("CDEK-00001", items=[item(hs="392690")])), "k")
    detail = ru.parcels.get_parcel(ru.tenant_id, "CDEK-00001").to_json()
    assert detail["status"] == "VALIDATED"
    assert "MasterWaybill" in detail["declaration_error"]
    submit(ru, manifest(parcel("CDEK-00002", items=[item(hs="392690")]), transport=AWB_1),
           "k2")
    assert "10 digits" in ru.parcels.get_parcel(ru.tenant_id, "CDEK-00002").declaration_error


def test_a_registry_that_does_not_validate_is_never_signed(ru, album_path):
    submit(ru, manifest(parcel("CDEK-00001"), transport=AWB_1))
    with ru.resources.engine.connect() as conn:
        [(document,)] = conn.exec_driver_sql("SELECT document FROM declarations").all()
    builder = RuFtsRegistryBuilder(ru.operations.signer, Album.load(album_path), "BROKER",
                                   "customs")
    broken = bytes(document).replace(b"<ecd:TradeCountry>CN<", b"<ecd:TradeCountry>China<")
    with pytest.raises(ValueError, match="registry invalid against the FTS album"):
        builder.build("m-1", "10005020", "ru-fts-express", ru.clock.now(), [broken])
    with pytest.raises(ValueError, match="8 digits"):
        builder.build("m-1", "1000502", "ru-fts-express", ru.clock.now(), [bytes(document)])
    with pytest.raises(ValueError, match="1 to 500"):
        builder.registry("m-1", "10005020", ru.clock.now(), [bytes(document)] * 501)
    assert len(builder.registry("m-1", "10005020", ru.clock.now(), [bytes(document)] * 500)
               .findall(f".//{ECD}HouseShipment")) == 500


def test_declarations_stored_before_the_envelope_still_join_a_registry(ru, album_path):
    """Earlier releases stored the registry itself with the signature inside: sealing reads
    those too (the registry sent is rebuilt and re-validated in any case)."""
    submit(ru, manifest(parcel("CDEK-00001"), transport=AWB_1))
    [current] = stored_declarations(ru)
    bare = etree.fromstring(current).find(f"{ENV}Body")[0]
    bare.append(etree.fromstring(current)[-1])  # where the signature used to be
    builder = RuFtsRegistryBuilder(ru.operations.signer, Album.load(album_path), "BROKER",
                                   "customs")
    for document in (etree.tostring(bare), current):
        registry = builder.registry("m-1", "10005020", ru.clock.now(), [document])
        assert registry.findtext(f"{ECD}ExpressRegistryKindCode") == "ПТДЭГ"
        assert len(registry.findall(f".//{ECD}HouseShipment")) == 1
        assert Album.load(album_path).validate(registry, thorough=True) == []


def acknowledged(ru, sim, count: int = 3) -> tuple[dict, list]:  # type: ignore[no-untyped-def]
    """`count` parcels in one registry, sent to the simulated FTS and acknowledged by its
    signed receipt; returns the routing data and the houses for hand-made answers."""
    numbers = [f"CDEK-{n:05d}" for n in range(1, count + 1)]
    submit(ru, manifest(*[parcel(n) for n in numbers], transport=AWB_1))
    ru.outbound.seal_batches(force=True)
    report = ru.outbound.submit_batches(SimTransport(sim[1]))
    assert report is not None
    [(_, _, _, _, document)] = batches(ru)
    envelope = etree.fromstring(bytes(document))
    routing = {str(c.tag).removeprefix(ENV): c.text for c in envelope.find(f"{ENV}RoutingInf")}
    houses = [fts.House(h.findtext(f"{ECD}WayBillID"),
                        h.findtext(f"{ECD}HouseWaybillDetails/{CAT}PrDocumentNumber"),
                        h.findtext(f"{ECD}ObjectOrdinal"), 0, "EUR", frozenset())
              for h in envelope.iter(f"{ECD}HouseShipment")]
    assert [ru.parcels.get_parcel(ru.tenant_id,
                                  n).status for n in numbers] == ["ACKNOWLEDGED"] * count
    return routing, houses


def answer(sim, routing, body, mode="1006347E") -> bytes:  # type: ignore[no-untyped-def]
    return fts.envelope(body, routing, mode, sim[0].signer)


def post(ru, document: bytes) -> dict:  # type: ignore[no-untyped-def]
    reply = create_app(customs=ru).test_client().post(
        "/v1/authority/notifications", data=document,
        headers={"Content-Type": "application/xml"})
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()


def history(ru, number: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [(e["status"], e["source"]) for e in ru.parcels.get_parcel(ru.tenant_id,
                                                                      number).to_json()["history"]]


def test_the_simulated_fts_round_trip(ru, sim):
    submit(ru, manifest(parcel("CDEK-00001"), parcel("CDEK-00002", items=[item(hs="3004900009")]),
                        parcel("CDEK-00003", items=[item(hs="9302000000")]),
                        parcel("CDEK-00004", value="300.00"), transport=AWB_1))
    ru.outbound.seal_batches(force=True)
    ru.outbound.submit_batches(SimTransport(sim[1]))
    state, client = sim
    import time

    for _ in range(100):
        if len(state.outbox) == 2:  # one custom mark, one correction request
            break
        time.sleep(0.02)
    for position in range(len(state.outbox)):
        post(ru, client.get(f"/v1/decisions?after={position}").data)
    expected = {"CDEK-00001": ("RELEASED", "FTS:10"), "CDEK-00002": ("HELD", "FTS:REQ-CORRECT"),
                "CDEK-00003": ("REFUSED", "FTS:90"), "CDEK-00004": ("DUTY_DUE", "FTS:31")}
    assert {d["tracking_number"]: (d["code"], d["fts"]) for d in state.decisions.values()} == \
        expected
    for number, (status, source) in expected.items():
        assert history(ru, number)[-1] == (status, source)


@pytest.mark.parametrize(("code", "status", "source"), [
    ("10", "RELEASED", "FTS:10"), ("30", "RELEASED", "FTS:30"),
    ("31", "DUTY_DUE", "FTS:31"), ("40", "CANCELLED", "FTS:40"),
    ("51", "DUTY_DUE", "FTS:51"), ("60", "HELD", "FTS:60"), ("90", "REFUSED", "FTS:90"),
    ("92", "HELD", "FTS:92"),
])
def test_each_decision_code_moves_only_its_own_waybill(ru, sim, code, status, source):
    routing, houses = acknowledged(ru, sim)
    report = post(ru, answer(sim, routing, fts.custom_mark("10005020", [
        (houses[1], code, "reason given")])))
    assert (report["applied"], report["ignored"], report["orphaned"]) == (1, 0, 0)
    assert history(ru, houses[1].number)[-1] == (status, source)
    # the other waybills of the same registry are untouched: never a batch-level decision
    assert ru.parcels.get_parcel(ru.tenant_id, houses[0].number).status == "ACKNOWLEDGED"
    assert ru.parcels.get_parcel(ru.tenant_id, houses[2].number).status == "ACKNOWLEDGED"


def test_codes_that_follow_earlier_ones(ru, sim):
    routing, (a, b, c) = acknowledged(ru, sim)
    post(ru, answer(sim, routing, fts.custom_mark("10005020", [
        (a, "31", None), (b, "60", "documents"), (c, "50", "preliminary")])))
    report = post(ru, answer(sim, routing, fts.custom_mark("10005020", [
        (a, "32", None), (b, "61", "extended"), (c, "70", "period extended")])))
    assert (report["applied"], report["noted"]) == (2, 1)
    # 32 from DUTY_DUE: paid, then released (the lifecycle's own path)
    assert history(ru, a.number)[-2:] == [("PAID", "FTS:32"), ("RELEASED", "FTS:32")]
    assert history(ru, b.number)[-2:] == [("HELD", "FTS:60"), ("HELD", "FTS:61")]
    # 50 and 70 are on the history without a move
    assert history(ru, c.number)[-2:] == [("ACKNOWLEDGED", "FTS:50"),
                                          ("ACKNOWLEDGED", "FTS:70")]
    report = post(ru, answer(sim, routing, fts.custom_mark("10005020", [
        (b, "62", "suspension lifted"), (a, "10", "stale")])))
    assert (report["noted"], report["ignored"]) == (1, 1)  # released stays released
    post(ru, answer(sim, routing, fts.custom_mark("10005020", [(b, "10", None)])))
    assert history(ru, b.number)[-2:] == [("HELD", "FTS:62"), ("RELEASED", "FTS:10")]


def test_a_correction_request_holds_the_named_parcels_with_the_reason(ru, sim):
    routing, (a, b, c) = acknowledged(ru, sim)
    report = post(ru, answer(sim, routing, fts.req_correct("10005020", [a, c],
                                                           "invoice missing"), "1006348E"))
    assert report["applied"] == 2
    detail = ru.parcels.get_parcel(ru.tenant_id, a.number).to_json()
    assert detail["status"] == "HELD"
    assert detail["history"][-1]["source"] == "FTS:REQ-CORRECT"
    assert "invoice missing" in detail["history"][-1]["reason"]
    assert ru.parcels.get_parcel(ru.tenant_id, b.number).status == "ACKNOWLEDGED"


def test_answers_are_matched_by_the_envelope_they_answer(ru, sim):
    routing, (a, _, _) = acknowledged(ru, sim)
    other = routing | {"EnvelopeID": "00000000-0000-4000-8000-000000000000"}
    reply = create_app(customs=ru).test_client().post(
        "/v1/authority/notifications", data=answer(sim, other, fts.custom_mark(
            "10005020", [(a, "10", None)])), headers={"Content-Type": "application/xml"})
    assert (reply.status_code, reply.get_json()["code"]) == (422, "MESSAGE_UNMATCHED")
    item = ru.authority.quarantine_item(reply.get_json()["quarantine_id"])
    assert item.code == "MESSAGE_UNMATCHED"
    assert ru.parcels.get_parcel(ru.tenant_id, a.number).status == "ACKNOWLEDGED"
    forged = a.__class__(a.waybill_id, "CDEK-99999", a.ordinal, 0, "EUR", frozenset())
    report = post(ru, answer(sim, routing, fts.custom_mark("10005020", [(forged, "10", None)])))
    assert report["orphaned"] == 1


def test_answers_that_are_unsigned_or_invalid_are_refused(ru, sim, tmp_path):
    routing, (a, _, _) = acknowledged(ru, sim)
    good = answer(sim, routing, fts.custom_mark("10005020", [(a, "10", None)]))
    client = create_app(customs=ru).test_client()
    xml = {"Content-Type": "application/xml"}
    tampered = good.replace(b"<ecdcm:DecisionCode>10<", b"<ecdcm:DecisionCode>90<")
    assert client.post("/v1/authority/notifications", data=tampered,
                       headers=xml).get_json()["code"] == "SIGNATURE_INVALID"
    bad = fts.custom_mark("10005020", [(a, "10", None)])
    bad.find(f"{{{NS['ecdcm']}}}Consignment/{{{NS['ecdcm']}}}DecisionCode").text = "100"
    reply = client.post("/v1/authority/notifications", data=answer(sim, routing, bad),
                        headers=xml)
    assert reply.get_json()["code"] == "MESSAGE_INVALID"  # CodeVariable2Type: 2 characters


def test_an_unknown_code_sets_its_parcel_aside_and_the_others_apply(ru, sim):
    """The album allows any 1-2 character DecisionCode: 77 is one we do not know."""
    routing, (a, b, c) = acknowledged(ru, sim)
    report = post(ru, answer(sim, routing, fts.custom_mark("10005020", [
        (a, "10", None), (b, "77", "new procedure"), (c, "90", "prohibited")])))
    assert (report["applied"], report["set_aside"], report["ignored"]) == (2, 1, 0)
    assert history(ru, a.number)[-1] == ("RELEASED", "FTS:10")
    assert history(ru, b.number)[-1] == ("HELD", "FTS:77")
    reason = ru.parcels.get_parcel(ru.tenant_id, b.number).to_json()["history"][-1]["reason"]
    assert "unknown decision code FTS:77" in reason and "new procedure" in reason
    assert history(ru, c.number)[-1] == ("REFUSED", "FTS:90")

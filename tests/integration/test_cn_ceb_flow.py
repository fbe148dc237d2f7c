"""The cn-ceb profile through the service (real database, the official GACC schemas): parcels
for CN declared as CEB621 at intake, sealed into messages of at most 100, sent to the simulated
GACC, and its signed CEB622 receipts applied per inventory along the lifecycle, never backwards;
an unknown code sets its parcel aside for a person."""

from __future__ import annotations

import dataclasses
import time
import uuid
from datetime import UTC, datetime

import pytest
from lxml import etree

import signing
from api import create_app
from customs.adapters.authority.cn_ceb_replies import read_ceb_decisions, read_ceb_receipt
from customs.adapters.documents.profiles.cn_ceb_export import CebExportBuilder, export_inventory
from customs.adapters.documents.signer import EnvelopedSigner
from customs.bootstrap import bootstrap, generate_sample
from customs.domain.errors import ConfigurationError
from customs.domain.tracking import s10_check_digit
from customs.services.intake import SubmitManifest
from customs.settings import Settings
from simulator import cn_ceb
from simulator.app import create_sim_app, make_state
from tests.conftest import TENANT
from tests.integration.test_cn_ceb_documents import HEADER, the_samples_parcel
from tests.integration.test_ru_fts import SimTransport, batches
from tests.manifests import item, manifest, parcel

CEB = "{http://www.chinaport.gov.cn/ceb}"
AIR = "<Transport><Mode>air</Mode><MasterWaybill>784-12345675</MasterWaybill>" \
      "<Carrier>CA 911</Carrier></Transport>"


def s10(serial: int) -> str:
    digits = f"{serial:08d}"
    return f"RR{digits}{s10_check_digit(digits)}CN"


@pytest.fixture
def sim(tmp_path, dev_signing_key, ceb_path):  # type: ignore[no-untyped-def]
    state = make_state(dev_signing_key[1], tmp_path / "sim", delay=0, ceb=ceb_path,
                       hold_share=0.2)
    return state, create_sim_app(state).test_client()


@pytest.fixture
def cn(database_url, clock, dev_signing_key, ceb_path, sim, tmp_path):  # type: ignore[no-untyped-def]
    key, cert = dev_signing_key
    app_core = bootstrap(Settings(
        database_url=database_url, signing_key=key, signing_cert=cert, cn_profile="cn-ceb",
        cn_ceb_schemas=ceb_path, cn_ceb_config=TENANT,
        authority_cert=tmp_path / "sim" / "cert.pem"), clock=clock, new_id=lambda: str(
            uuid.uuid4()))
    app_core.tenant_id = app_core.access.authenticate(
        app_core.access.create_api_key("acme", "marketplace")[1]).tenant_id
    yield app_core
    app_core.close()


def submit(customs, parcels: int, seed: int = 14) -> list[str]:  # type: ignore[no-untyped-def]
    """The tracking numbers of the generated parcels designed valid (the generator designs
    the parcels over the per-transaction limit as rejected)."""
    sample = generate_sample(parcels, seed, destination="CN", customs_office="3700")
    customs.intake.submit_manifest(SubmitManifest(customs.tenant_id, f"k{seed}", sample.xml,
                                                  "t"))
    root = etree.fromstring(sample.xml)
    m = "{urn:customs:manifest:1}"
    return [p.findtext(m + "TrackingNumber") or "" for p, designed in zip(
        root.iterfind(m + "Parcel"), sample.expected, strict=True) if designed is None]


def status(customs, number: str) -> str:  # type: ignore[no-untyped-def]
    return customs.parcels.get_parcel(customs.tenant_id, number).status


def post(customs, document: bytes) -> dict:  # type: ignore[no-untyped-def]
    reply = create_app(customs=customs).test_client().post(
        "/v1/authority/notifications", data=document,
        headers={"Content-Type": "application/xml"})
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()


def test_the_profile_refuses_to_start_without_its_schemas_or_configuration(database_url,
                                                                           ceb_path):
    with pytest.raises(ConfigurationError, match="CUSTOMS_CN_CEB_SCHEMAS"):
        bootstrap(Settings(database_url=database_url, cn_profile="cn-ceb",
                           cn_ceb_config=TENANT))
    with pytest.raises(ConfigurationError, match=r"cn-ceb: .*No such file"):
        bootstrap(Settings(database_url=database_url, cn_profile="cn-ceb",
                           cn_ceb_schemas=ceb_path, cn_ceb_config=TENANT.with_suffix(".x")))


def test_inventories_are_sealed_100_to_a_message_and_cleared_by_their_receipts(cn, sim):
    numbers = submit(cn, 160)
    assert len(numbers) > 100 and {status(cn, n) for n in numbers} == {"DECLARED"}
    report = cn.outbound.seal_batches(force=True)
    assert report.errors == []
    found = batches(cn)
    assert sorted(b[3] for b in found) == [len(numbers) - 100, 100]
    assert {(b[1], b[2]) for b in found} == {("cn-ceb", "3700")}
    cn.outbound.submit_batches(SimTransport(sim[1]))
    assert {status(cn, n) for n in numbers} == {"ACKNOWLEDGED"}  # the signed CEB622 (2)
    state, client = sim
    for _ in range(200):
        if len(state.outbox) == 4:  # per message: registered (120), then the outcomes
            break
        time.sleep(0.02)
    reports = [post(cn, client.get(f"/v1/decisions?after={n}").data) for n in range(4)]
    assert sum(r["noted"] for r in reports) == len(numbers)  # 120: registered, recorded only
    decided = {d["tracking_number"]: (d["code"], d["ceb"]) for d in state.decisions.values()}
    assert {code for code, _ in decided.values()} >= {"RELEASED", "HELD", "REFUSED"}
    for number in numbers:
        assert status(cn, number) == decided[number][0]
        history = cn.parcels.get_parcel(cn.tenant_id, number).to_json()["history"]
        assert history[-1]["source"] == decided[number][1]


def receipt_for(sim, cn, numbers: list[str], code: str) -> bytes:  # type: ignore[no-untyped-def]
    """A signed CEB622 in the simulator's shape answering the one sent message."""
    [(_, _, _, _, document)] = batches(cn)
    message, inventories = cn_ceb.check(bytes(document), sim[0].verifier, sim[0].ceb)
    chosen = [i for i in inventories if i.cop_no in numbers]
    return cn_ceb.dxp(cn_ceb.receipt(message, [(i, code, None) for i in chosen], "3700"),
                      "x", sim[0].signer)


@pytest.mark.parametrize(("code", "expected"), [
    ("800", ["RELEASED"]), ("899", ["RELEASED"]), ("100", ["REFUSED"]), ("300", ["HELD"]),
    ("500", ["HELD"]), ("502", ["HELD"]), ("599", ["HELD"]), ("4", ["HELD"]),
    ("700", ["REFUSED", "RETURNED"]), ("120", []), ("399", []),
])
def test_each_return_status_moves_only_its_own_inventory(cn, sim, code, expected):
    numbers = submit(cn, 3)
    cn.outbound.seal_batches(force=True)
    cn.outbound.submit_batches(SimTransport(sim[1]))
    post(cn, receipt_for(sim, cn, numbers[1:2], code))
    history = cn.parcels.get_parcel(cn.tenant_id, numbers[1]).to_json()["history"]
    moved = [e["status"] for e in history if e["source"] == f"CEB:{code}"]
    assert moved == (expected or ["ACKNOWLEDGED"])  # recorded-only codes: a noted event
    assert [status(cn, n) for n in (numbers[0], numbers[2])] == ["ACKNOWLEDGED"] * 2


def test_a_late_receipt_never_moves_a_parcel_back_and_an_unknown_code_is_set_aside(cn, sim):
    numbers = submit(cn, 3)
    cn.outbound.seal_batches(force=True)
    cn.outbound.submit_batches(SimTransport(sim[1]))
    post(cn, receipt_for(sim, cn, numbers[:1], "800"))
    late = post(cn, receipt_for(sim, cn, numbers[:1], "500"))  # inspection after release
    assert (late["applied"], late["ignored"]) == (0, 1)
    assert status(cn, numbers[0]) == "RELEASED"
    unknown = post(cn, receipt_for(sim, cn, numbers[1:2], "-301"))
    assert unknown["set_aside"] == 1
    held = cn.parcels.get_parcel(cn.tenant_id, numbers[1]).to_json()["history"][-1]
    assert (held["status"], held["source"]) == ("HELD", "CEB:-301")
    assert "unknown decision code CEB:-301" in held["reason"]


def test_a_receipt_not_signed_by_the_authority_is_refused(cn, sim, tmp_path):
    numbers = submit(cn, 1)
    cn.outbound.seal_batches(force=True)
    cn.outbound.submit_batches(SimTransport(sim[1]))
    forged = receipt_for(sim, cn, numbers, "800").replace(b"<dxp:MsgType>CEB622",
                                                          b"<dxp:MsgType>CEB623")
    reply = create_app(customs=cn).test_client().post(
        "/v1/authority/notifications", data=forged, headers={"Content-Type": "application/xml"})
    assert reply.status_code >= 400
    assert status(cn, numbers[0]) == "ACKNOWLEDGED"


def chinese_parcel(tracking: str, value: str, number: str = "110101199001010000") -> str:
    return (parcel(tracking, courier="CHINAPOST", value=value, currency="CNY", country="CN",
                   personal_id=False,
                   items=[item(hs="3926909709", value=value, currency="CNY")])
            .replace("</Recipient>", f'<PersonalId type="national-id">{number}</PersonalId>'
                                     "</Recipient>")
            .replace("</Parcel>", "<OrderRef>ORDER-1</OrderRef></Parcel>"))


def test_the_limits_per_buyer_are_checked_at_intake(cn):
    """CNY 5,000 per transaction; CNY 26,000 a year per buyer, counting the buyer's parcels
    accepted in earlier manifests; another buyer is not affected."""
    def send(key: str, *parcels: str) -> dict:  # type: ignore[type-arg]
        return cn.intake.submit_manifest(SubmitManifest(
            cn.tenant_id, key, manifest(*parcels, country="CN", office="3700", transport=AIR),
            "t")).body

    first = send("a", chinese_parcel(s10(1), "5000.01"), chinese_parcel(s10(2), "4900.00"),
                 chinese_parcel(s10(3), "4900.00"))
    assert [(r["tracking_number"], r["violations"][0]["code"])
            for r in first["rejections"]] == [(s10(1), "BUYER_TRANSACTION_LIMIT")]
    second = send("b", *[chinese_parcel(s10(n), "4500.00") for n in (4, 5, 6, 7)],
                  chinese_parcel(s10(8), "4000.00", "110101199001010011"))
    # 9,800 earlier + 4,500 x 3 = 23,300 after the third; the fourth would reach 27,800
    assert [(r["tracking_number"], r["violations"][0]["code"])
            for r in second["rejections"]] == [(s10(7), "BUYER_ANNUAL_LIMIT")]
    assert second["accepted"] == 4


def test_the_simulated_gacc_answers_an_export_inventory_with_ceb604(sim, dev_signing_key,
                                                                   ceb_schemas, tenant):
    """The export library's CEB603 (the export leg wires it next) through the simulator: the
    acknowledgement and the receipts are CEB604 in signed DxpMsg, read by our reader."""
    config = dataclasses.replace(tenant, legal_units={**tenant.legal_units, "8541": "007"})
    signer = EnvelopedSigner(signing.KeyRing(signing.load_software_signer(*dev_signing_key),
                                             []))
    at = datetime(2026, 11, 23, tzinfo=UTC)
    header = dataclasses.replace(HEADER, destination_country="RU", customs_office="1500")
    ids = [str(uuid.uuid4()) for _ in range(3)]
    inventories = [export_inventory(the_samples_parcel(tracking_number=f"CN{n}"), header,
                                    ids[n], at, config) for n in range(3)]
    message_id = str(uuid.uuid4())
    made = CebExportBuilder(signer, ceb_schemas, config).build(message_id, inventories, at)
    state, client = sim
    reply = client.post("/v1/batches", data=made.document)
    assert reply.status_code == 202
    authority = signing.Verifier([state.signer.certificate])
    assert read_ceb_receipt(reply.data, authority, ceb_schemas, message_id) == "registered"
    for _ in range(200):
        if len(state.outbox) == 2:
            break
        time.sleep(0.02)
    final = read_ceb_decisions(client.get("/v1/decisions?after=1").data, authority,
                               ceb_schemas)
    assert final.initial_message_id == message_id
    assert sorted(d.declaration_id for d in final.decisions) == sorted(ids)
    assert {d.code for d in final.decisions} <= {"CEB:800", "CEB:500", "CEB:100"}
    assert client.post("/v1/batches", data=made.document).status_code == 202  # a resend
    assert state.resends == 1

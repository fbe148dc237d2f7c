"""The cn-ceb profile through the service (real database, the official GACC schemas): parcels
for CN declared as CEB621 at intake, sealed into messages of at most 100, sent to the simulated
GACC, and its signed CEB622 receipts applied per inventory along the lifecycle, never backwards;
an unknown code sets its parcel aside for a person."""

from __future__ import annotations

import time
import uuid

import pytest
from lxml import etree

from api import create_app
from customs.bootstrap import bootstrap, generate_sample
from customs.domain.errors import ConfigurationError
from customs.services.intake import SubmitManifest
from customs.settings import Settings
from simulator import cn_ceb
from simulator.app import create_sim_app, make_state
from tests.ceb_documents import TENANT, ceb_path  # noqa: F401
from tests.integration.test_ru_fts import SimTransport, batches

CEB = "{http://www.chinaport.gov.cn/ceb}"


@pytest.fixture
def sim(tmp_path, dev_signing_key, ceb_path):  # type: ignore[no-untyped-def]  # noqa: F811
    state = make_state(dev_signing_key[1], tmp_path / "sim", delay=0, ceb=ceb_path,
                       hold_share=0.2)
    return state, create_sim_app(state).test_client()


@pytest.fixture
def cn(database_url, clock, dev_signing_key, ceb_path, sim, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
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
    sample = generate_sample(parcels, seed, destination="CN", customs_office="3700")
    customs.intake.submit_manifest(SubmitManifest(customs.tenant_id, f"k{seed}", sample.xml,
                                                  "t"))
    root = etree.fromstring(sample.xml)
    m = "{urn:customs:manifest:1}"
    return [p.findtext(m + "TrackingNumber") or "" for p in root.iterfind(m + "Parcel")]


def status(customs, number: str) -> str:  # type: ignore[no-untyped-def]
    return customs.parcels.get_parcel(customs.tenant_id, number).status


def post(customs, document: bytes) -> dict:  # type: ignore[no-untyped-def]
    reply = create_app(customs=customs).test_client().post(
        "/v1/authority/notifications", data=document,
        headers={"Content-Type": "application/xml"})
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()


def test_the_profile_refuses_to_start_without_its_schemas_or_configuration(database_url,
                                                                           ceb_path):  # noqa: F811
    with pytest.raises(ConfigurationError, match="CUSTOMS_CN_CEB_SCHEMAS"):
        bootstrap(Settings(database_url=database_url, cn_profile="cn-ceb",
                           cn_ceb_config=TENANT))
    with pytest.raises(ConfigurationError, match="cn-ceb: .*No such file"):
        bootstrap(Settings(database_url=database_url, cn_profile="cn-ceb",
                           cn_ceb_schemas=ceb_path, cn_ceb_config=TENANT.with_suffix(".x")))


def test_inventories_are_sealed_100_to_a_message_and_cleared_by_their_receipts(cn, sim):
    numbers = submit(cn, 150)
    assert {status(cn, n) for n in numbers} == {"DECLARED"}
    report = cn.outbound.seal_batches(force=True)
    assert report.errors == []
    found = batches(cn)
    assert sorted(b[3] for b in found) == [50, 100]
    assert {(b[1], b[2]) for b in found} == {("cn-ceb", "3700")}
    cn.outbound.submit_batches(SimTransport(sim[1]))
    assert {status(cn, n) for n in numbers} == {"ACKNOWLEDGED"}  # the signed CEB622 (2)
    state, client = sim
    for _ in range(200):
        if len(state.outbox) == 4:  # per message: registered (120), then the outcomes
            break
        time.sleep(0.02)
    reports = [post(cn, client.get(f"/v1/decisions?after={n}").data) for n in range(4)]
    assert sum(r["noted"] for r in reports) == 150  # 120: registered, recorded only
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

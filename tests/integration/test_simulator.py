"""The authority simulator: verifies what it receives, registers each message once, decides
per parcel, and can be told to fail."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from lxml import etree

from customs.services.intake import SubmitManifest
from simulator.app import create_sim_app, make_state
from simulator.rules import Rules, decide
from tests.manifests import item, manifest, parcel


@pytest.fixture
def sim(tmp_path, dev_signing_key):  # type: ignore[no-untyped-def]
    state = make_state(dev_signing_key[1], tmp_path / "sim", delay=0)
    return state, create_sim_app(state).test_client()


@pytest.fixture
def batch(signed_customs):  # type: ignore[no-untyped-def]
    tenant = signed_customs.access.authenticate(signed_customs.access.create_api_key("acme",
                                                                                     "marketplace")[1])
    body = manifest(parcel("CDEK-1"), parcel("CDEK-2", items=[item(hs="9302000000")]))
    signed_customs.intake.submit_manifest(SubmitManifest(tenant.tenant_id, "k", body, "t"))
    signed_customs.outbound.seal_batches(force=True)
    with signed_customs.resources.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT document, message_id FROM batches").one()


def test_batch_is_registered_once_and_resends_are_acknowledged_again(sim, batch):
    state, client = sim
    first = client.post("/v1/batches", data=batch[0])
    again = client.post("/v1/batches", data=batch[0])
    assert first.status_code == again.status_code == 202
    assert b"<Registered>true</Registered>" in first.data
    assert b"<Registered>false</Registered>" in again.data
    assert (len(state.registered), state.resends) == (1, 1)
    assert state.registered[batch[1]] == 2


def test_decisions_follow_the_rules_and_are_signed(sim, batch, tmp_path):
    state, client = sim
    client.post("/v1/batches", data=batch[0])
    import time

    for _ in range(50):
        reply = client.get("/v1/decisions?after=0")
        if reply.status_code == 200:
            break
        time.sleep(0.05)
    codes = {d["tracking_number"]: d["code"] for d in state.decisions.values()}
    assert codes["CDEK-2"] == "REFUSED"  # HS chapter 93: prohibited
    from signing import Verifier, load_certificate

    Verifier([load_certificate(tmp_path / "sim" / "cert.pem")]).verify(reply.data)


def test_unsigned_or_tampered_batch_is_refused(sim, batch):
    _, client = sim
    tampered = batch[0].replace(b"CDEK-1", b"CDEK-9", 1)
    assert client.post("/v1/batches", data=tampered).status_code == 400
    root = etree.fromstring(batch[0])
    root.remove(root[-1])  # drop the batch signature
    assert client.post("/v1/batches", data=etree.tostring(root)).status_code == 400


def test_failure_modes(sim, batch):
    _, client = sim
    for mode, code in (("down", 503), ("error", 500)):
        client.post("/admin/mode", json={"mode": mode})
        assert client.post("/v1/batches", data=batch[0]).status_code == code
    client.post("/admin/mode", json={"mode": "ok"})
    assert client.post("/v1/batches", data=batch[0]).status_code == 202
    assert client.post("/admin/mode", json={"mode": "weird"}).status_code == 400


@pytest.mark.parametrize(("country", "amount", "currency", "code", "duty"), [
    ("RU", "200.00", "EUR", "RELEASED", None),
    ("RU", "300.00", "EUR", "DUTY_DUE", Decimal("15.00")),
    ("DE", "160.00", "EUR", "DUTY_DUE", Decimal("1.50")),
    ("US", "100.00", "USD", "RELEASED", None),
])
def test_duty_rule(country, amount, currency, code, duty):
    outcome = decide(Rules(hold_share=0), "d1", country, Decimal(amount), currency, {"39"})
    assert (outcome.code, outcome.duty) == (code, duty)


def test_down_authority_then_back_each_batch_registered_once(signed_customs, sim, batch):
    """The whole path over the simulator: it is down for a while, nothing is lost."""
    state, client = sim
    from customs.services.ports import TransportResult

    class ToSim:
        def send(self, message_id, document):  # type: ignore[no-untyped-def]
            reply = client.post("/v1/batches", data=document)
            ok = reply.status_code == 202
            return TransportResult(ok, reply.status_code, reply.data, reply.status_code >= 500,
                                   None if ok else f"HTTP {reply.status_code}")

    client.post("/admin/mode", json={"mode": "down"})
    for _ in range(3):
        signed_customs.clock.current += timedelta(hours=1)
        signed_customs.outbound.submit_batches(ToSim())
    # intake keeps accepting while the authority is down
    tenant = signed_customs.access.authenticate(signed_customs.access.create_api_key("acme2",
                                                                                     "marketplace")[1])
    receipt = signed_customs.intake.submit_manifest(
        SubmitManifest(tenant.tenant_id, "during-outage", manifest(parcel("CDEK-3")), "t"))
    assert receipt.body["accepted"] == 1
    signed_customs.outbound.seal_batches(force=True)
    client.post("/admin/mode", json={"mode": "ok"})
    for _ in range(2):  # the backlog drains
        signed_customs.clock.current += timedelta(hours=1)
        signed_customs.outbound.submit_batches(ToSim())
    assert len(state.registered) == 2 and state.resends == 0
    with signed_customs.resources.engine.connect() as conn:
        assert conn.exec_driver_sql(
            "SELECT count(*) FROM parcels WHERE status = 'SUBMITTED'").scalar() == 3


def test_a_verified_ack_makes_parcels_acknowledged(signed_customs, sim, batch, tmp_path):
    _, client = sim
    from customs.services.ports import TransportResult

    class ToSim:
        def send(self, message_id, document):  # type: ignore[no-untyped-def]
            reply = client.post("/v1/batches", data=document)
            return TransportResult(reply.status_code == 202, reply.status_code, reply.data,
                                   False, None)

    signed_customs.settings.authority_cert = tmp_path / "sim" / "cert.pem"
    signed_customs.outbound.submit_batches(ToSim())
    with signed_customs.resources.engine.connect() as conn:
        statuses = conn.exec_driver_sql("SELECT status, count(*) FROM parcels "
                                        "GROUP BY status").all()
        batch_status = conn.exec_driver_sql("SELECT status FROM batches").scalar()
    assert dict(statuses) == {"ACKNOWLEDGED": 2}
    assert batch_status == "ACKNOWLEDGED"


def test_poller_fetches_decisions_once_for_authorities_that_do_not_push(
        signed_customs, batch, tmp_path, dev_signing_key):
    """No notification URL: the worker polls GET /v1/decisions?after=N and applies each
    message once, remembering where it got to."""
    import time

    from api.cli_demo import serving

    state = make_state(dev_signing_key[1], tmp_path / "sim2", delay=0)
    with serving(create_sim_app(state)) as base:
        signed_customs.settings.authority_url = f"{base}/v1/batches"
        signed_customs.settings.authority_poll_url = f"{base}/v1/decisions"
        signed_customs.settings.authority_cert = tmp_path / "sim2" / "cert.pem"
        signed_customs.outbound.submit_batches()
        for _ in range(50):
            if state.outbox:
                break
            time.sleep(0.05)
        assert signed_customs.authority.poll_decisions() == 1
        assert signed_customs.authority.poll_decisions() == 0  # the cursor moved past it
    with signed_customs.resources.engine.connect() as conn:
        statuses = dict(conn.exec_driver_sql(
            "SELECT tracking_number, status FROM parcels").all())
    assert statuses["CDEK-2"] == "REFUSED"
    assert statuses["CDEK-1"] in {"RELEASED", "HELD", "DUTY_DUE"}

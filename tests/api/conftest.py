"""A small world for role tests: two marketplaces, two couriers, two customs offices.

acme (marketplace) ships RR…785CN and RR…799CN by CDEK and RR…808CN by DHL through office
10005020; globex ships RR…811CN by DPD through office 10009100. Every parcel is declared,
sealed and submitted, so officers can decide on them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from api import create_app
from customs.services.intake import SubmitManifest
from customs.services.ports import TransportResult
from tests.manifests import item, manifest, parcel


class AcceptingAuthority:
    def send(self, message_id: str, document: bytes) -> TransportResult:
        return TransportResult(True, 202, None, False, None)


@dataclass
class World:
    customs: object
    client: object
    keys: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def get(self, who: str, path: str, **kw):  # type: ignore[no-untyped-def]
        return self.client.get(path, headers=self.auth(who), **kw)

    def post(self, who: str, path: str, json: object = None):  # type: ignore[no-untyped-def]
        return self.client.post(path, headers=self.auth(who), json=json)


@pytest.fixture
def world(signed_customs) -> World:  # type: ignore[no-untyped-def]
    c = signed_customs
    keys = {
        "acme": c.access.create_api_key("acme", "marketplace")[1],
        "globex": c.access.create_api_key("globex", "marketplace")[1],
        "cdek": c.access.create_api_key("CDEK", "courier")[1],
        "dpd": c.access.create_api_key("dpd-logistics", "courier", courier="DPD")[1],
        "moscow": c.access.create_api_key("fts-moscow", "officer", offices=["10005020"])[1],
        "vladivostok": c.access.create_api_key("fts-vlad", "officer", offices=["10009100"])[1],
    }
    acme = c.access.authenticate(keys["acme"])
    globex = c.access.authenticate(keys["globex"])
    c.intake.submit_manifest(SubmitManifest(acme.tenant_id, "a-1", manifest(
        parcel(),
        parcel("RR123456799CN", value="250.00",
               items=[item("Wireless headphones, bluetooth", hs="8518300000",
                           value="250.00")]),
        parcel("RR123456808CN", courier="DHL")), "marketplace:acme"))
    c.intake.submit_manifest(SubmitManifest(globex.tenant_id, "g-1", manifest(
        parcel("RR123456811CN", courier="DPD"), office="10009100"), "marketplace:globex"))
    assert c.outbound.seal_batches(force=True).parcels == 4
    c.outbound.submit_batches(AcceptingAuthority())
    return World(c, create_app(customs=c).test_client(), keys)

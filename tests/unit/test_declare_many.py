"""Declarations made stage by stage over chunks: every request gets its own result, in order,
whatever fails where, and across chunk boundaries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

import signing
from customs.adapters.documents import declarer as declarations
from customs.adapters.documents.declarer import DeclarationPipeline, DestinationDeclarer
from customs.adapters.documents.profiles.generic import GenericProfile
from customs.adapters.documents.signer import EnvelopedSigner
from customs.domain.model import ManifestHeader
from customs.services.ports import DeclarationFailed, SignedDocument
from tests.unit.test_domain_rules import a_parcel, item

AT = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
HEADER = ManifestHeader("M1", AT, "RU", "10005020")


class FailingFor(EnvelopedSigner):
    """Signs as usual, except the declarations whose Id is listed (a token pulled mid-run)."""

    def __init__(self, ring: signing.KeyRing, refused: set[str]) -> None:
        super().__init__(ring)
        self.refused = refused

    def sign_element(self, element, at, canonical=None):  # type: ignore[no-untyped-def]
        if element.get("Id") in self.refused:
            raise RuntimeError("token removed")
        return super().sign_element(element, at, canonical)


@pytest.fixture
def ring(dev_signing_key) -> signing.KeyRing:  # type: ignore[no-untyped-def]
    key, cert = dev_signing_key
    return signing.KeyRing(signing.load_signer(signing.SignerConfig(
        kind="software", key=key, certificate=cert)), [])


def test_results_follow_the_requests_through_every_failure(ring, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(declarations, "STAGE_CHUNK", 2)  # 7 requests: chunks of 2, 2, 2, 1
    pipeline = DeclarationPipeline(GenericProfile(), FailingFor(ring, {"D-d4"}))
    bell = a_parcel(items=(item(description="bell \x07"),))  # no XML can carry it
    too_long = a_parcel(tracking_number="T" * 200)  # past the declaration schema's 64
    parcels = [a_parcel(), bell, a_parcel(), too_long, a_parcel(), a_parcel(), a_parcel()]
    requests = [(p, HEADER, f"d{n}") for n, p in enumerate(parcels)]

    results = pipeline.declare_many(requests, AT)

    kinds = [type(r).__name__ for r in results]
    assert kinds == ["SignedDocument", "DeclarationFailed", "SignedDocument",
                     "DeclarationFailed", "DeclarationFailed", "SignedDocument",
                     "SignedDocument"]
    assert str(results[1]).startswith("render: a value cannot be written in XML")
    assert str(results[3]).startswith("declaration schema:")
    assert str(results[4]) == "signing: token removed"
    verifier = signing.Verifier([ring.current.certificate])
    for n in (0, 2, 5, 6):
        signed = results[n]
        assert isinstance(signed, SignedDocument)
        element = verifier.verify(signed.document).element
        assert element.get("Id") == f"D-d{n}"
    single = pipeline.declare(*requests[2], AT)
    assert single.document.count(b"D-d2") >= 2  # the same as one request at a time
    with pytest.raises(DeclarationFailed, match="render"):
        pipeline.declare(*requests[1], AT)


def test_destinations_go_to_their_pipeline_and_come_back_in_order(ring) -> None:  # type: ignore[no-untyped-def]
    signer = EnvelopedSigner(ring)
    generic, other = (DeclarationPipeline(GenericProfile(declarant=name), signer)
                      for name in ("generic", "other"))
    declarer = DestinationDeclarer(generic, {"DE": other})
    de = replace(HEADER, destination_country="DE", customs_office="4800")
    requests = [(a_parcel(), HEADER, "a"), (a_parcel(), de, "b"), (a_parcel(), HEADER, "c")]
    results = declarer.declare_many(requests, AT)
    names = [r.document.split(b"<Declarant><Name>")[1].split(b"<")[0]  # type: ignore[union-attr]
             for r in results]
    assert names == [b"generic", b"other", b"generic"]

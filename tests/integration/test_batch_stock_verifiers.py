"""A sealed batch as stock tools see it: xmlsec1 --verify and signxml with default settings
check the FIRST ds:Signature in document order. That must be the batch's own, so an altered
header (receiver office, count) fails in both; the declarations inside, extracted, still
verify on their own in both tools and in ours."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from signxml import XMLVerifier
from signxml.exceptions import InvalidSignature as SignxmlInvalid

from customs.services.intake import SubmitManifest
from schemas import batch_xsd_path, compiled
from signing import Verifier, load_certificate
from tests.manifests import manifest, parcel
from tests.signing.conftest import xmlsec1

BATCH = "urn:customs:batch:1"
GENERIC = "urn:customs:declaration:generic:1"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
IDS = [f"{BATCH}:Batch", f"{GENERIC}:Declaration"]
ALTERED = {
    "receiver office": (b"<ReceiverOffice>10005020</ReceiverOffice>",
                        b"<ReceiverOffice>10005030</ReceiverOffice>"),
    "count": (b"<Count>3</Count>", b"<Count>2</Count>"),
    "message id": (b"<MessageId>", b"<MessageId>X"),
}


@pytest.fixture
def batch(signed_customs) -> bytes:  # type: ignore[no-untyped-def]
    tenant = signed_customs.access.authenticate(signed_customs.access.create_api_key("acme",
                                                                                     "marketplace")[1])
    body = manifest(*[parcel(f"STOCK-{n}") for n in range(3)])
    signed_customs.intake.submit_manifest(SubmitManifest(tenant.tenant_id, "k", body, "t"))
    [sealed] = signed_customs.outbound.seal_batches(force=True).sealed
    with signed_customs.resources.engine.connect() as conn:
        return bytes(conn.exec_driver_sql(
            f"SELECT document FROM batches WHERE id = '{sealed}'").scalar())


def test_the_batch_signature_comes_first_and_the_schema_accepts_it(batch: bytes) -> None:
    root = etree.fromstring(batch)
    assert root[0].tag == DS + "Signature"
    assert root[0].find(f"{DS}SignedInfo/{DS}Reference").get("URI") == "#" + root.get("Id")
    first_in_order = next(root.iter(DS + "Signature"))
    assert first_in_order is root[0]
    assert compiled(batch_xsd_path()).validate(root)


def test_xmlsec1_checks_the_batch_and_refuses_an_altered_header(
        batch: bytes, dev_signing_key: tuple[Path, Path], tmp_path: Path) -> None:
    cert = dev_signing_key[1]
    assert xmlsec1(batch, cert, tmp_path, IDS).returncode == 0
    for what, (before, after) in ALTERED.items():
        assert batch.count(before) == 1, what
        altered = batch.replace(before, after)
        assert xmlsec1(altered, cert, tmp_path, IDS).returncode != 0, what
        # told only where declarations' Ids are, as one checking them would be: still refused
        assert xmlsec1(altered, cert, tmp_path, IDS[1:]).returncode != 0, what


def test_signxml_checks_the_batch_and_refuses_an_altered_header(
        batch: bytes, dev_signing_key: tuple[Path, Path]) -> None:
    cert = dev_signing_key[1].read_text()
    verified = XMLVerifier().verify(batch, x509_cert=cert)
    assert etree.QName(verified.signed_xml).localname == "Batch"
    for what, (before, after) in ALTERED.items():
        with pytest.raises(SignxmlInvalid):
            XMLVerifier().verify(batch.replace(before, after), x509_cert=cert)
        assert what


def test_extracted_declarations_verify_in_every_tool(
        batch: bytes, dev_signing_key: tuple[Path, Path], tmp_path: Path) -> None:
    cert = dev_signing_key[1]
    ours = Verifier([load_certificate(cert)])
    declarations = ours.verify(batch).element.find(f"{{{BATCH}}}Declarations")
    assert len(declarations) == 3
    for declaration in declarations:
        alone = etree.tostring(declaration)
        ours.verify(alone)
        assert xmlsec1(alone, cert, tmp_path, IDS[1:]).returncode == 0
        verified = XMLVerifier().verify(alone, x509_cert=cert.read_text())
        assert etree.QName(verified.signed_xml).localname == "Declaration"

"""The cn-ceb documents against the OFFICIAL GACC message definitions (../shared): the official
samples of the messages the profile writes (CEB621, CEB603) and reads (CEB622, CEB604) are
fixtures; what the profile makes from the same data has the samples' structure, validates with
both validators, and is signed as the definition requires."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from lxml import etree

import signing
from customs.adapters.authority.cn_ceb_message import CebMessageBuilder
from customs.adapters.authority.cn_ceb_replies import receipts
from customs.adapters.documents.declarer import DeclarationPipeline
from customs.adapters.documents.profiles.cn_ceb import CEB, CnCebProfile
from customs.adapters.documents.profiles.cn_ceb_config import ConfigError, load_config
from customs.adapters.documents.profiles.cn_ceb_export import CebExportBuilder, export_inventory
from customs.adapters.documents.signer import EnvelopedSigner
from customs.domain.model import (
    Address,
    Item,
    ManifestHeader,
    Parcel,
    PersonalId,
    Recipient,
    Seller,
    Transport,
)
from customs.domain.money import Money
from customs.services.ports import DeclarationFailed
from schemas.cn_ceb import CebSchemaError, CebSchemas
from tests.ceb_documents import paths
from tests.conftest import TENANT
from tests.signing.conftest import xmlsec1

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
DS = "{http://www.w3.org/2000/09/xmldsig#}"
# Written by the profile, read by it: the samples used as fixtures.
USED = {"import": ("CEB621Message.xml", "CEB622Message.xml"),
        "export": ("CEB603Message.xml", "CEB604Message.xml")}
# Optional elements of the samples' inventories that a 9610 direct-purchase parcel has no
# value for (bonded-zone, pre-entry and licence numbers, a second quantity, notes...).
LEFT_OUT_621 = {"preNo", "emsNo", "invtNo", "ieDate", "areaCode", "areaName", "voyageNo",
                "loctNo", "licenseNo", "wrapType", "note", "itemRecordNo", "barCode",
                "tradeCountry", "qty2", "unit2"}
LEFT_OUT_603 = {"iacCode", "iacName", "emsNo", "voyageNo",
                "totalPackageNo", "loctNo", "licenseNo", "note", "itemRecordNo", "qty2",
                "unit2"}


def parse(path_or_bytes) -> etree._Element:  # type: ignore[no-untyped-def]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    if isinstance(path_or_bytes, bytes):
        return etree.fromstring(path_or_bytes, parser)
    return etree.parse(str(path_or_bytes), parser).getroot()


def the_samples_parcel(**changes) -> Parcel:  # type: ignore[no-untyped-def]
    """The official CEB621 sample's first inventory as a parcel of our manifest."""
    items = (Item("小米盒子", "8541401000", "JP", Decimal(100), "PCE", Decimal("1.5"),
                  Money(Decimal("2000"), "CNY"), sku="AF001-001"),
             Item("花王纸尿裤", "8541401000", "JP", Decimal(200), "PCE", Decimal(2),
                  Money(Decimal("12"), "CNY"), sku="AF001-002"))
    parcel = Parcel("L201603081138007", "CHINAPOST", Seller("测试企业", "JP",
                                                             "https://shop.example.jp"),
                    Recipient("测试买家", Address("中关村软件园", "北京市海淀区", "100000", "CN"),
                              phone="13800000000",
                              personal_id=PersonalId("national-id", "110101199001010000")),
                    Decimal(4), Money(Decimal("2012"), "CNY"), items,
                    order_ref="order2016030811340001")
    return dataclasses.replace(parcel, **changes)


HEADER = ManifestHeader("M-1", AT, "CN", "3700", Transport("air", "B00024204007", "MH730"))


@pytest.fixture(scope="module")
def signer(dev_signing_key) -> EnvelopedSigner:  # type: ignore[no-untyped-def]
    return EnvelopedSigner(signing.KeyRing(signing.load_software_signer(*dev_signing_key), []))


@pytest.fixture(scope="module")
def legal_units_for_the_sample(tenant):  # type: ignore[no-untyped-def]
    return dataclasses.replace(tenant, legal_units={**tenant.legal_units, "8541": "007"})


def test_every_official_sample_the_profile_uses_validates_but_the_export_inventory(
        ceb_schemas):
    for kind, names in USED.items():
        for name in names:
            errors = ceb_schemas.validate(parse(ceb_schemas.folder / f"samples_{kind}" / name))
            if name != "CEB603Message.xml":
                assert errors == [], (name, errors)
    # The official CEB603 sample is itself off its schema: it carries BaseTransfer twice
    # (maxOccurs 1); with the second one removed it validates.
    sample = parse(ceb_schemas.folder / "samples_export" / "CEB603Message.xml")
    errors = ceb_schemas.validate(sample)
    assert len(errors) == 1 and "BaseTransfer': This element is not expected" in errors[0]
    transfers = sample.findall(CEB + "BaseTransfer")
    assert len(transfers) == 2
    sample.remove(transfers[1])
    assert ceb_schemas.validate(sample) == []


def test_the_profiles_inventory_has_the_official_samples_structure(
        ceb_schemas, signer, legal_units_for_the_sample):
    sample = parse(ceb_schemas.folder / "samples_import" / "CEB621Message.xml")
    pipeline = DeclarationPipeline(CnCebProfile(ceb_schemas, legal_units_for_the_sample),
                                   signer)
    made = pipeline.declare(the_samples_parcel(), HEADER, str(uuid.uuid4()), AT)
    ours = parse(made.document)
    assert ceb_schemas.validate(ours) == []  # as signed, the official schema itself
    assert paths(ours) <= paths(sample)
    assert {p.rsplit("/", 1)[1] for p in paths(sample) - paths(ours)} == LEFT_OUT_621
    head = ours.find(f"{CEB}Inventory/{CEB}InventoryHead")
    assert [head.findtext(CEB + n) for n in ("orderNo", "logisticsNo", "copNo", "buyerIdType",
                                             "buyerIdNumber", "tradeMode", "currency",
                                             "country", "customsCode", "billNo")] == [
        "order2016030811340001", "L201603081138007", "L201603081138007", "1",
        "110101199001010000", "9610", "142", "116", "3700", "B00024204007"]
    lines = ours.findall(f"{CEB}Inventory/{CEB}InventoryList")
    assert [(line.findtext(CEB + "qty"), line.findtext(CEB + "unit"),
             line.findtext(CEB + "price"), line.findtext(CEB + "totalPrice"))
            for line in lines] == [("100", "007", "20", "2000"), ("200", "007", "0.06", "12")]
    assert ours[-1].tag == DS + "Signature"


def test_the_export_inventory_has_the_official_samples_structure(
        ceb_schemas, signer, legal_units_for_the_sample):
    sample = parse(ceb_schemas.folder / "samples_export" / "CEB603Message.xml")
    header = dataclasses.replace(HEADER, destination_country="RU", customs_office="1500")
    inventory = export_inventory(the_samples_parcel(), header, str(uuid.uuid4()), AT,
                                 legal_units_for_the_sample)
    made = CebExportBuilder(signer, ceb_schemas, legal_units_for_the_sample).build(
        str(uuid.uuid4()), [inventory], AT)
    ours = parse(made.document)
    assert ceb_schemas.validate(ours) == []
    assert paths(ours) <= paths(sample)
    assert {p.rsplit("/", 1)[1] for p in paths(sample) - paths(ours)} == LEFT_OUT_603
    assert ours.findtext(f"{CEB}Inventory/{CEB}InventoryHead/{CEB}ieFlag") == "E"


def test_the_receipts_of_the_official_samples_are_read(ceb_schemas):
    found = receipts(parse(ceb_schemas.folder / "samples_import" / "CEB622Message.xml"))
    assert len(found) == 10
    assert {(r.guid, r.cop_no, r.status, r.info) for r in found} == {
        ("4CDE1CFD-EDED-46B1-946C-B8022E42FC94", "cop2016032211000", "1", "暂存")}
    decision = found[0].decision("answered")
    assert (decision.declaration_id, decision.code, decision.status) == (
        "4cde1cfd-eded-46b1-946c-b8022e42fc94", "CEB:1", None)
    exported = receipts(parse(ceb_schemas.folder / "samples_export" / "CEB604Message.xml"))
    assert {(r.cop_no, r.status, r.invt_no) for r in exported} == {
        ("Cop20180507001", "2", "Invt20180507000001")}


@pytest.mark.parametrize(("change", "header", "reason"), [
    ({"courier": "DHL"}, {}, "no logistics registration for courier 'DHL'"),
    ({"order_ref": None}, {}, "needs an order number"),
    ({"tracking_number": "CDEK-12345678901234567"}, {}, "longer than the 20 characters"),
    ({"declared_value": Money(Decimal("2012"), "USD")}, {}, "values in USD"),
    ({}, {"customs_office": "10005020"}, "customs codes have 4 digits"),
    ({}, {"transport": None}, "needs the manifest's Transport"),
])
def test_what_neither_manifest_nor_configuration_holds_is_never_invented(
        ceb_schemas, signer, legal_units_for_the_sample, change, header, reason):
    pipeline = DeclarationPipeline(CnCebProfile(ceb_schemas, legal_units_for_the_sample),
                                   signer)
    [result] = pipeline.declare_many([(the_samples_parcel(**change),
                                       dataclasses.replace(HEADER, **header),
                                       str(uuid.uuid4()))], AT)
    assert isinstance(result, DeclarationFailed) and reason in str(result)


def test_an_hs_code_without_a_configured_legal_unit_is_named(ceb_schemas, signer,
                                                             tenant):
    [result] = DeclarationPipeline(CnCebProfile(ceb_schemas, tenant), signer).declare_many(
        [(the_samples_parcel(), HEADER, str(uuid.uuid4()))], AT)
    assert isinstance(result, DeclarationFailed)
    assert "no legal unit for HS code 8541401000" in str(result)


def declared(ceb_schemas, signer, config, count: int) -> list[bytes]:  # type: ignore[no-untyped-def]
    pipeline = DeclarationPipeline(CnCebProfile(ceb_schemas, config), signer)
    made = pipeline.declare_many([(the_samples_parcel(tracking_number=f"CN{n:09d}"), HEADER,
                                   str(uuid.uuid4())) for n in range(count)], AT)
    assert not [m for m in made if isinstance(m, DeclarationFailed)]
    return [m.document for m in made]  # type: ignore[union-attr]


def test_a_message_holds_at_most_100_inventories_and_is_signed_as_a_whole(
        ceb_schemas, signer, legal_units_for_the_sample, dev_signing_key, tmp_path):
    documents = declared(ceb_schemas, signer, legal_units_for_the_sample, 101)
    builder = CebMessageBuilder(signer, ceb_schemas, legal_units_for_the_sample)
    with pytest.raises(ValueError, match="1 to 100 inventories, not 101"):
        builder.build(str(uuid.uuid4()), "3700", "cn-ceb", AT, documents)
    message_id = str(uuid.uuid4())
    made = builder.build(message_id, "3700", "cn-ceb", AT, documents[:100])
    root = parse(made.document)
    assert root.get("guid") == message_id.upper()
    assert len(root.findall(CEB + "Inventory")) == 100
    assert [etree.QName(c).localname for c in root[-2:]] == ["BaseTransfer", "Signature"]
    assert root.find(f"{DS}Signature/{DS}SignedInfo/{DS}Reference").get("URI") == ""
    assert ceb_schemas.validate(root) == []
    assert xmlsec1(made.document, dev_signing_key[1], tmp_path).returncode == 0
    from signxml import XMLVerifier

    XMLVerifier().verify(made.document, x509_cert=dev_signing_key[1].read_text())


def test_a_message_that_does_not_validate_is_never_signed(
        ceb_schemas, signer, legal_units_for_the_sample):
    [document] = declared(ceb_schemas, signer, legal_units_for_the_sample, 1)
    root = parse(document)
    root.find(f"{CEB}Inventory/{CEB}InventoryHead/{CEB}buyerIdType").text = "12"
    tampered = etree.tostring(root)
    builder = CebMessageBuilder(signer, ceb_schemas, legal_units_for_the_sample)
    with pytest.raises(ValueError, match="invalid against the GACC schema"):
        builder.build(str(uuid.uuid4()), "3700", "cn-ceb", AT, [tampered])


def test_schemas_and_configuration_are_refused_with_the_reason(tmp_path, ceb_path):
    with pytest.raises(CebSchemaError, match="missing"):
        CebSchemas(tmp_path)
    broken = tmp_path / "tenant.toml"
    broken.write_text(TENANT.read_text(encoding="utf-8").replace('code = "1101110325"\nname',
                                                                 'code = "11"\nname', 1),
                      encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[platform\] code '11' must have 10 or 18"):
        load_config(broken)

"""Shape limits while streaming: what refuses a manifest, what rejects one parcel, what is cut."""

from __future__ import annotations

import pytest

from customs.adapters.documents.manifest_reader import XmlManifestReader
from customs.domain.errors import ManifestRefused
from customs.domain.model import ParcelOutcome, Violation
from customs.services.intake import mark_duplicates, rejections
from tests import hostile
from tests.manifests import NS, manifest, parcel

READER = XmlManifestReader()


def outcomes(body: bytes) -> list[ParcelOutcome]:
    return list(READER.open(body).parcels())


def refusal(body: bytes) -> ManifestRefused:
    with pytest.raises(ManifestRefused) as caught:
        outcomes(body)
    return caught.value


def codes(outcome: ParcelOutcome) -> list[str]:
    return [v.code for v in outcome.violations]


def test_namespace_declarations_above_the_parcels_are_bounded():
    assert len(outcomes(hostile.namespaces(15))) == 10  # with the default one: 16 in all
    refused = refusal(hostile.namespaces(16))
    assert refused.code == "MANIFEST_LIMIT_EXCEEDED"
    assert "namespace declarations outside the parcels" in refused.detail


def test_a_declaration_on_every_parcel_is_not_a_document_declaration():
    each = parcel().replace("<Parcel>", f'<Parcel xmlns="{NS}">')
    numbers = [f"RR1234567{i:02d}CN" for i in range(40)]
    found = outcomes(manifest(*(each.replace("RR123456785CN", n) for n in numbers)))
    assert len(found) == 40
    assert all(c != "PARCEL_LIMIT_EXCEEDED" for o in found for c in codes(o))


def test_a_parcel_with_too_many_declarations_is_rejected_alone():
    decls = "".join(f' xmlns:p{i}="urn:x:{i}"' for i in range(17))
    first = parcel().replace("<Description>", f"<Description{decls}>")
    found = outcomes(manifest(first, parcel("RR123456799CN")))
    assert codes(found[0]) == ["PARCEL_LIMIT_EXCEEDED"]
    assert found[0].tracking_number == "RR123456785CN"
    assert found[1].accepted


@pytest.mark.parametrize("shape,n,what", [("attributes_spread", 2_500, "attributes"),
                                          ("elements", 200_000, "elements"),
                                          ("mixed", 50_000, "elements"),
                                          ("long_cdata", 200_000, "a text over 8192")])
def test_a_parcel_over_its_limits_gets_one_violation_and_no_validation(shape, n, what):
    (only,) = outcomes(hostile.SHAPES[shape](n))
    assert codes(only) == ["PARCEL_LIMIT_EXCEEDED"]
    assert only.violations[0].message.startswith("the parcel has ")
    assert what in only.violations[0].message
    assert only.violations[0].path == "/Manifest/Parcel[1]"


@pytest.mark.parametrize("shape,n", [("attributes", 200_000), ("long_text", 200_000),
                                     ("long_attribute", 200_000)])
def test_a_start_tag_or_text_longer_than_two_chunks_refuses_the_manifest(shape, n):
    """Caught before libxml2 builds it: a start tag's attributes are all built at once."""
    refused = refusal(hostile.SHAPES[shape](n))
    assert refused.code == "MANIFEST_LIMIT_EXCEEDED"
    assert "without markup" in refused.detail


def test_a_parcel_nested_in_a_parcel_is_a_schema_violation_not_a_crash():
    inner = parcel("RR123456799CN")
    found = outcomes(manifest(parcel().replace("</Parcel>", inner + "</Parcel>")))
    assert [o.position for o in found] == [1]
    assert codes(found[0]) == ["SCHEMA_VIOLATION"]


@pytest.mark.parametrize("body", [
    manifest(parcel()).replace(b"M-2026-0001", b"<![CDATA[" + (b"x" * 99 + b"<") * 100 + b"]]>"),
    manifest(parcel()).replace(b"<ManifestRef>", b"<X/>" * 300 + b"<ManifestRef>"),
    manifest(parcel()).replace(b"</Manifest>", b"<X/>" * 70_000 + b"</Manifest>"),
    manifest(parcel()).replace(f'<Manifest xmlns="{NS}"'.encode(), f'<Manifest xmlns="{NS}"'
                               .encode() + b"".join(b' a%d="1"' % i for i in range(300))),
], ids=["header-text", "header", "trailer", "root-attributes"])
def test_too_much_outside_the_parcels_refuses_the_manifest(body):
    assert refusal(body).code == "MANIFEST_LIMIT_EXCEEDED"


def test_nesting_beyond_the_parsers_depth_is_not_well_formed():
    assert refusal(hostile.depth(300)).code == "MANIFEST_NOT_WELL_FORMED"


def test_long_values_and_messages_are_cut_in_documents():
    long = Violation("SCHEMA_VIOLATION", "m" * 100_000, "/p", 1, "v" * 100_000).to_document()
    assert len(long["message"]) == 500 and long["message"].endswith("…")
    assert len(long["value"]) == 256


def test_schema_errors_of_one_parcel_are_listed_up_to_a_cap():
    bad = parcel().replace("</Parcel>", "<Y/>" * 2_000 + "</Parcel>").replace(
        "<Courier>", "<Courier " + " ".join(f'a{i}="1"' for i in range(900)) + ">")
    (only,) = outcomes(manifest(bad))
    assert 1 < len(only.violations) <= 101
    assert only.violations[-1].message.endswith("more schema errors not listed")


def test_a_parcel_lists_at_most_100_violations_and_counts_the_rest():
    outcome = ParcelOutcome(1, "T", 1, violations=[Violation("X", "m")] * 250)
    outcome.cap_violations()
    assert (len(outcome.violations), outcome.violations_omitted) == (100, 150)


def test_the_receipt_lists_a_bounded_number_of_violations():
    found = [ParcelOutcome(i, f"T{i}", i, violations=[Violation("X", "m")] * 100)
             for i in range(1, 301)]
    listed = rejections(found, largest=10_000)
    assert len(listed) == 300
    assert sum(len(r["violations"]) for r in listed) == 10_000
    assert sum(r["violations_omitted"] for r in listed) == 20_000
    assert listed[-1]["violations"] == [] and listed[-1]["violations_omitted"] == 100


def test_a_tracking_number_used_many_times_names_the_first_positions_only():
    found = [ParcelOutcome(i, "RR123456785CN", i) for i in range(1, 5_001)]
    mark_duplicates(found)
    message = found[0].violations[0].message
    assert message.endswith("1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 4990 more")

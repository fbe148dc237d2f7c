"""Marketplace pages over HTTP (Flask test client): upload through the intake use case (the
same receipt and idempotency as the API), rejections with their lines filtered and as CSV,
the list of manifests, a parcel's page, and scope (another tenant's manifest is a 404)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from api import create_app
from tests.api.test_console_auth import PASSWORD, post, sign_in, token_of
from tests.manifests import item, manifest, parcel

EMAIL = "ops@acme.example"


def bad_manifest() -> bytes:
    """Four parcels: one good, three rejected for different reasons."""
    return manifest(
        parcel("RR123456785CN"),
        parcel("RR000000000CN", personal_id=False),
        parcel("RR000000011CN", items=[item(hs="99")]),
        parcel("-HYPERLINK1", country="XX"),
        ref="M-BAD-1")


@pytest.fixture
def market(customs):  # type: ignore[no-untyped-def]
    customs.accounts.create_user(EMAIL, "marketplace", tenant="acme", password=PASSWORD,
                                 locale="en")
    client = create_app(customs=customs).test_client()
    assert sign_in(client, EMAIL).status_code == 302
    return client


def upload(client, document: bytes, key: str | None = None):  # type: ignore[no-untyped-def]
    page = client.get("/console/manifests")
    form = {"csrf_token": token_of(page),
            "idempotency_key": key or re.search(r'name="idempotency_key" value="([^"]+)"',
                                                page.text).group(1),
            "manifest": (io.BytesIO(document), "manifest.xml", "application/xml")}
    return client.post("/console/manifests", data=form, content_type="multipart/form-data")


def test_an_upload_shows_the_receipt_with_every_rejection_and_its_line(market) -> None:
    sent = upload(market, bad_manifest())
    assert sent.status_code == 303
    receipt = market.get(sent.headers["Location"])
    assert receipt.status_code == 200
    assert re.search(r'id="count-accepted">1<', receipt.text)
    assert re.search(r'id="count-rejected">3<', receipt.text)
    for code in ("PERSONAL_ID_REQUIRED", "COUNTRY_UNKNOWN", "SCHEMA_VIOLATION"):
        assert code in receipt.text
    assert "The destination requires the recipient" in receipt.text  # the code in words
    lines = re.findall(r'<td class="num line">(\d+)</td>', receipt.text)
    assert len(lines) >= 3 and all(int(n) > 5 for n in lines)
    listing = market.get("/console/manifests")
    assert "M-BAD-1" in listing.text


def test_the_same_form_sent_twice_is_one_manifest(customs, market) -> None:
    first = upload(market, bad_manifest(), key="form-1")
    again = upload(market, bad_manifest(), key="form-1")
    assert first.headers["Location"].split("?")[0] == again.headers["Location"].split("?")[0]
    assert "replayed=1" in again.headers["Location"]
    assert market.get("/console/manifests").text.count("M-BAD-1") == 1
    other = upload(market, manifest(ref="M-OTHER"), key="form-1")
    assert other.status_code == 409 and "already used" in other.text


def test_rejections_filter_by_code_and_text_and_download_as_csv(market) -> None:
    receipt_url = upload(market, bad_manifest()).headers["Location"].split("?")[0]
    only = market.get(receipt_url + "?code=COUNTRY_UNKNOWN")
    assert "COUNTRY_UNKNOWN" in only.text and "PERSONAL_ID_REQUIRED</code>" not in only.text
    by_text = market.get(receipt_url + "?q=rr000000000")
    assert "RR000000000CN" in by_text.text and "RR000000011CN" not in by_text.text
    exported = market.get(receipt_url + "/rejections.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][:6] == ["parcel", "tracking number", "line", "path", "code", "message"]
    assert {r[1] for r in rows[1:]} == {"RR000000000CN", "RR000000011CN", "'-HYPERLINK1"}
    assert all(r[2].isdigit() for r in rows[1:])
    filtered = list(csv.reader(io.StringIO(
        market.get(receipt_url + "/rejections.csv?code=COUNTRY_UNKNOWN").text)))
    assert [r[4] for r in filtered[1:]] and {r[4] for r in filtered[1:]} == {"COUNTRY_UNKNOWN"}


def test_a_refused_or_empty_upload_is_a_page_that_says_why(market) -> None:
    empty = upload(market, b"")
    assert empty.status_code == 400 and "Choose a manifest file" in empty.text
    broken = upload(market, b"<Manifest")
    assert broken.status_code == 422 and "MANIFEST_NOT_WELL_FORMED" in broken.text


def test_an_upload_over_the_size_cap_is_refused_before_intake(customs, market) -> None:
    customs.settings.max_manifest_bytes = 1000
    too_big = upload(market, manifest(*[parcel(f"RR{n:09d}CN") for n in range(5)]))
    assert too_big.status_code == 413
    assert "<html" in too_big.text and "Traceback" not in too_big.text


def test_a_parcel_page_shows_status_and_history_and_find_leads_there(market) -> None:
    upload(market, bad_manifest())
    found = market.get("/console/market/find?tracking=RR123456785CN")
    assert found.status_code == 302
    page = market.get(found.headers["Location"])
    assert page.status_code == 200 and "RR123456785CN" in page.text
    assert 'id="history"' in page.text and "Validated" in page.text
    rejected = market.get("/console/market/parcels/RR000000000CN")
    assert "PERSONAL_ID_REQUIRED" in rejected.text
    missing = market.get("/console/market/find?tracking=NOPE1")
    assert missing.status_code == 404 and "No parcel of yours" in missing.text


def test_another_tenants_manifest_and_parcel_are_not_found(customs, market) -> None:
    receipt_url = upload(market, bad_manifest()).headers["Location"].split("?")[0]
    customs.accounts.create_user("ops@globex.example", "marketplace", tenant="globex",
                                 password=PASSWORD, locale="en")
    other = create_app(customs=customs).test_client()
    sign_in(other, "ops@globex.example")
    assert other.get(receipt_url).status_code == 404
    assert other.get(receipt_url + "/rejections.csv").status_code == 404
    assert other.get("/console/market/parcels/RR123456785CN").status_code == 404
    assert other.get("/console/manifests/not%20an%20id").status_code == 404


def test_marketplace_pages_are_for_marketplace_staff_only(customs) -> None:
    customs.accounts.create_user("o@customs.example", "officer", offices=["10005020"],
                                 password=PASSWORD, locale="en")
    client = create_app(customs=customs).test_client()
    sign_in(client, "o@customs.example")
    assert client.get("/console/manifests").status_code == 403
    refused = post(client, "/console/manifests", idempotency_key="x")
    assert refused.status_code == 403


def test_a_page_of_rejections_keeps_one_page_and_counts_all() -> None:
    from api.console.rejections import Rejection, RejectionPage

    found = (Rejection(n, f"RR{n}", n + 10, "/p", "A" if n % 3 else "B", "m")
             for n in range(1, 1001))
    page = RejectionPage(start=200, size=200)
    page.read(found, "A", "")
    assert page.total == 1000 and page.codes == {"A", "B"} and page.matching == 667
    assert len(page.rows) == 200 and page.rows[0].position == 301  # the 201st "A"

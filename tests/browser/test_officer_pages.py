"""An officer's day in a real browser: the queue, a dossier, documents requested then the
release (and the courier's feed sees both), a release of three parcels at once after a
confirmation, another office's parcel, the CSV export, Russian and English pages."""

from __future__ import annotations

import csv
import io

import pytest
import requests

from api.console import views_officer
from tests.browser.conftest import make_user, seed_parcels

OFFICER = "ivanova@customs.example"


def api(browser, path: str, key: str):  # type: ignore[no-untyped-def]
    reply = requests.get(browser.live.url + path, headers={"Authorization": f"Bearer {key}"},
                         timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()


def statuses(browser, key: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    items = api(browser, "/v1/parcels?limit=100", key)["items"]
    return {p["tracking_number"]: p["status"] for p in items}


def test_queue_dossier_request_documents_then_release_reach_the_courier(browser) -> None:
    customs = browser.live.customs
    keys = seed_parcels(customs)
    make_user(customs, OFFICER)
    browser.sign_in(OFFICER).click("#nav-queue")
    assert "Parcels waiting for a decision" in browser.text
    assert browser.find("#count-SUBMITTED").text.endswith("3")  # only my office's three
    assert "RR123456811CN" not in browser.text
    browser.shot("queue")
    browser.click("a.parcel-link[href*='RR123456785CN']")
    assert browser.path.startswith("/console/parcels/RR123456785CN")
    assert "Signature valid" in browser.find("#verification").text
    assert "Phone case, silicone" in browser.text and "Иван Петров" in browser.text
    browser.shot("dossier")
    browser.find("#action").send_keys("Request documents")
    browser.field("#documents", "Invoice from the seller\nPhoto of the goods")
    browser.click("#decide")
    assert browser.find("#status").text == "Held"
    assert "Invoice from the seller; Photo of the goods" in browser.find("#history").text
    browser.find("#action").send_keys("Release")
    browser.click("#decide")
    assert browser.find("#status").text == "Released"
    feed = api(browser, "/v1/feed?limit=100", keys["cdek"])["items"]
    mine = [(e["status"], e["reason"]) for e in feed if e["tracking_number"] == "RR123456785CN"]
    assert mine[-2:] == [("HELD", "Invoice from the seller; Photo of the goods"),
                         ("RELEASED", None)]


def test_a_stale_page_shows_the_other_decision_instead_of_overwriting_it(browser) -> None:
    customs = browser.live.customs
    seed_parcels(customs)
    make_user(customs, OFFICER)
    browser.sign_in(OFFICER).open("/console/parcels/RR123456799CN")
    # another officer refuses it meanwhile (through the API)
    moscow = customs.access.create_api_key("fts-moscow", "officer", offices=["10005020"])[1]
    customs.parcels.decide(customs.access.authenticate(moscow), "RR123456799CN", "refuse",
                           "counterfeit", None)
    browser.find("#action").send_keys("Release")
    browser.click("#decide")
    assert "Someone else decided on this parcel meanwhile" in browser.find("#error").text
    assert browser.find("#status").text == "Refused"


def test_bulk_release_of_three_parcels_after_a_confirmation(browser) -> None:
    customs = browser.live.customs
    seed_parcels(customs)
    make_user(customs, OFFICER)
    browser.sign_in(OFFICER).open("/console/queue")
    for number in ("RR123456785CN", "RR123456799CN", "RR123456808CN"):
        browser.find(f"#pick-{number}").click()
    browser.find("#bulk-action").send_keys("Release")
    browser.click("#bulk-decide")
    assert browser.find("#confirm-title").text == "Release: 3 parcels?"
    browser.shot("bulk-confirm")
    browser.click("#confirm-bulk")
    assert browser.find("#bulk-result").text == "Release: 3 of 3 parcels"
    moscow = customs.access.create_api_key("fts-moscow", "officer", offices=["10005020"])[1]
    assert set(statuses(browser, moscow).values()) == {"RELEASED"}


def test_another_offices_parcel_is_a_404_page(browser) -> None:
    customs = browser.live.customs
    seed_parcels(customs)
    make_user(customs, OFFICER)
    browser.sign_in(OFFICER).open("/console/parcels/RR123456811CN")
    assert "Not found" in browser.driver.title
    assert "not in your scope" in browser.text and "RR123456811CN" not in browser.text
    reply = requests.get(browser.live.url + "/console/parcels/RR123456811CN", timeout=30,
                         cookies={c["name"]: c["value"] for c in browser.driver.get_cookies()})
    assert reply.status_code == 404


def test_the_csv_export_holds_every_matching_parcel(browser, monkeypatch) -> None:
    monkeypatch.setattr(views_officer, "EXPORT_PAGE", 20)  # several pages of the export
    customs = browser.live.customs
    seed_parcels(customs, extra=60)
    make_user(customs, OFFICER)
    browser.sign_in(OFFICER).open("/console/search")
    browser.find("#f-status").send_keys("Submitted")
    browser.click("#search")
    assert len(browser.find_all("a.parcel-link")) == views_officer.PAGE  # one page shown
    assert browser.find_all("#next-page")
    browser.shot("search")
    link = browser.find("#export-csv").get_attribute("href")
    reply = requests.get(link, timeout=60,
                         cookies={c["name"]: c["value"] for c in browser.driver.get_cookies()})
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    moscow = customs.access.create_api_key("fts-moscow", "officer", offices=["10005020"])[1]
    expected = {p["tracking_number"] for p in api(
        browser, "/v1/parcels?status=SUBMITTED&limit=500", moscow)["items"]}
    assert len(rows) == len(expected) == 63
    assert {r["tracking_number"] for r in rows} == expected
    assert {r["customs_office"] for r in rows} == {"10005020"}


@pytest.mark.parametrize("locale, heading, other, other_heading", [
    ("ru", "Посылки, ожидающие решения", "English", "Parcels waiting for a decision"),
    ("en", "Parcels waiting for a decision", "Русский", "Посылки, ожидающие решения"),
], ids=["ru", "en"])  # (the ids name the screenshots)
def test_pages_in_the_persons_language_and_switched(browser, locale, heading, other,
                                                   other_heading) -> None:
    customs = browser.live.customs
    seed_parcels(customs)
    make_user(customs, OFFICER, locale=locale)
    browser.sign_in(OFFICER).open("/console/queue")
    assert heading in browser.text
    browser.shot(f"queue-{locale}")
    browser.open("/console/parcels/RR123456799CN")
    price = {"ru": "250,00 €", "en": "€250.00"}[locale]  # Selenium shows U+00A0 as a space
    assert price in browser.text  # money in the locale's form
    browser.shot(f"dossier-{locale}")
    browser.find("#locale").send_keys(other)
    browser.click("#locale ~ button")
    assert browser.path == "/console/parcels/RR123456799CN"
    browser.open("/console/queue")
    assert other_heading in browser.text


def test_saved_views_keep_filters_per_person_and_open_and_delete(browser) -> None:
    customs = browser.live.customs
    seed_parcels(customs)
    make_user(customs, OFFICER)
    make_user(customs, "orlov@customs.example")
    browser.sign_in(OFFICER).open("/console/search")
    assert "No saved view yet" in browser.text
    browser.find("#f-status").send_keys("Submitted")
    browser.field("#f-q", "headphones").click("#search")
    assert [a.text for a in browser.find_all("a.parcel-link")] == ["RR123456799CN"]
    browser.field("#view-name", "Headphones waiting").click("#save-view")
    assert browser.path.startswith("/console/search?")
    assert [a.text for a in browser.find_all("#saved-views a.saved-view")] == [
        "Headphones waiting"]
    browser.shot("saved-view")
    browser.open("/console/queue?office=10005020")
    browser.field("#view-name", "My office").click("#save-view")
    assert browser.path == "/console/queue?office=10005020"
    assert [a.text for a in browser.find_all("#saved-views a.saved-view")] == ["My office"]
    browser.open("/console/search").click("#saved-views a.saved-view")  # opened again
    assert [a.text for a in browser.find_all("a.parcel-link")] == ["RR123456799CN"]
    assert browser.find("#f-q").get_attribute("value") == "headphones"
    browser.click("#sign-out")
    browser.sign_in("orlov@customs.example", path="/console/search")  # another person
    assert not browser.find_all("#saved-views") and "No saved view yet" in browser.text
    browser.click("#sign-out")
    browser.sign_in(OFFICER, path="/console/search")
    browser.click("#saved-views .delete-view")
    assert browser.path == "/console/search" and not browser.find_all("#saved-views")
    browser.open("/console/queue")
    assert [a.text for a in browser.find_all("#saved-views a.saved-view")] == ["My office"]

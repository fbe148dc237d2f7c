"""Marketplace staff in a real browser: upload a manifest with invalid parcels (file picker
with the progress script, drag-and-drop, and the plain form without JavaScript) and read each
rejection with its line; the rejections as CSV; a parcel's page; Russian and English."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.api.test_console_market import bad_manifest
from tests.browser.conftest import make_user

EMAIL = "ops@acme.example"


def _signed_in(browser, locale: str = "en"):  # type: ignore[no-untyped-def]
    make_user(browser.live.customs, EMAIL, "marketplace", tenant="acme", locale=locale)
    return browser.sign_in(EMAIL, path="/console/manifests")


def _rejection_rows(browser) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[cell.text for cell in row.find_elements("css selector", "td")]
            for row in browser.find_all("#rejections tbody tr")]


def _wait_for_receipt(browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser.driver, 20).until(lambda d: "/console/manifests/" in d.current_url)


def test_an_upload_with_invalid_parcels_shows_each_rejection_with_its_line(
        browser, tmp_path: Path) -> None:
    _signed_in(browser)
    document = tmp_path / "bad-manifest.xml"
    document.write_bytes(bad_manifest())
    browser.shot("upload")
    browser.find("#manifest").send_keys(str(document))
    assert "bad-manifest.xml" in browser.find("#upload-status").text
    browser.find("#send-manifest").click()  # sent by the script, with progress
    _wait_for_receipt(browser)
    assert browser.find("#count-accepted").text == "1"
    assert browser.find("#count-rejected").text == "3"
    rows = _rejection_rows(browser)
    by_parcel = {(r[1], r[4].split("\n")[0]): int(r[2]) for r in rows}
    assert by_parcel[("RR000000000CN", "PERSONAL_ID_REQUIRED")] == 16
    assert by_parcel[("RR000000011CN", "SCHEMA_VIOLATION")] == 32
    assert ("-HYPERLINK1", "COUNTRY_UNKNOWN") in by_parcel
    assert "The destination requires the recipient's personal identifier" in browser.text
    browser.shot("receipt")

    browser.find("#code").send_keys("COUNTRY_UNKNOWN")
    browser.click("#filter")
    assert [r[4].split("\n")[0] for r in _rejection_rows(browser)] == ["COUNTRY_UNKNOWN"]
    exported = browser.driver.execute_async_script(
        "const done = arguments[0];"
        "fetch(document.getElementById('csv').href).then(r => r.text()).then(done);")
    rows_csv = list(csv.reader(io.StringIO(exported)))
    assert [r[4] for r in rows_csv[1:]] == ["COUNTRY_UNKNOWN"]

    browser.open("/console/market/find")
    browser.field("#tracking", "RR123456785CN").click("#find")
    assert browser.path == "/console/market/parcels/RR123456785CN"
    assert "Declared" in browser.find("#status").text  # signed at intake
    assert len(browser.find_all("#history li")) >= 2
    browser.shot("parcel")


def test_a_dropped_file_is_uploaded_and_the_same_form_twice_is_one_manifest(browser) -> None:
    _signed_in(browser)
    content = json.dumps(bad_manifest().decode())
    browser.driver.execute_script(
        "const data = new DataTransfer();"
        f"data.items.add(new File([{content}], 'dropped.xml', {{type: 'application/xml'}}));"
        "document.getElementById('drop-zone').dispatchEvent("
        "  new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));")
    assert "dropped.xml" in browser.find("#upload-status").text
    browser.find("#send-manifest").click()
    _wait_for_receipt(browser)
    assert browser.find("#count-rejected").text == "3"
    browser.driver.back()  # the same form (same key) sent again: its receipt, not a copy
    browser.driver.refresh()
    browser.open("/console/manifests")
    assert len(browser.find_all("#manifests tbody tr")) == 1


def test_the_plain_form_works_without_javascript(browser, tmp_path: Path) -> None:
    _signed_in(browser)
    document = tmp_path / "m.xml"
    document.write_bytes(bad_manifest())
    browser.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.open("/console/manifests")
        browser.find("#manifest").send_keys(str(document))
        browser.click("#send-manifest")
        assert browser.path.startswith("/console/manifests/")
        assert browser.find("#count-rejected").text == "3"
        assert len(_rejection_rows(browser)) == 5  # two parcels broke two rules each
    finally:
        browser.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_the_marketplace_pages_in_russian(browser, tmp_path: Path) -> None:
    _signed_in(browser, locale="ru")
    assert browser.find("html").get_attribute("lang") == "ru"
    assert "Загрузить манифест" in browser.text
    document = tmp_path / "m.xml"
    document.write_bytes(bad_manifest())
    browser.find("#manifest").send_keys(str(document))
    browser.find("#send-manifest").click()
    _wait_for_receipt(browser)
    assert "Отклонено посылок: 3" in browser.text and "Отклонения" in browser.text
    assert "Страна назначения требует личный идентификатор получателя" in browser.text
    browser.shot("receipt-ru")
    browser.find("#locale").send_keys("English")
    browser.click(".session form.inline button")
    assert "Rejected" in browser.text

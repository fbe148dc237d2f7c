"""Accessibility of the main pages in the real browser: axe-core (tests/browser/axe.py) finds
no serious or critical violation (labels, names, contrast, landmarks...) on the sign-in page,
the marketplace's upload page, receipt, parcel and find pages, and the supervisor's
dashboard, in English and Russian; the keyboard reaches the upload form's controls."""

from __future__ import annotations

import pytest

from tests.api.test_console_market import bad_manifest
from tests.browser.axe import axe_violations, blocking
from tests.browser.conftest import make_user, seed_parcels
from tests.manifests import manifest, parcel


def _check(browser, name: str) -> None:  # type: ignore[no-untyped-def]
    found = blocking(axe_violations(browser.driver))
    browser.shot(name)
    assert not found, f"{browser.path}: " + "\n".join(found)


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_the_sign_in_and_marketplace_pages_pass_axe(browser, tmp_path, locale) -> None:
    browser.open("/console/sign-in")
    if locale == "ru":  # chosen on the page before sign-in (the browser asks for English)
        browser.find("#locale").send_keys("Русский")
        browser.click(".session form.inline button")
    assert browser.find("html").get_attribute("lang") == locale
    _check(browser, f"sign-in-{locale}")
    make_user(browser.live.customs, "ops@acme.example", "marketplace", tenant="acme",
              locale=locale)
    browser.sign_in("ops@acme.example", path="/console/manifests")
    _check(browser, f"upload-{locale}")
    document = tmp_path / "m.xml"
    document.write_bytes(bad_manifest())
    browser.find("#manifest").send_keys(str(document))
    browser.click("#send-manifest")  # the script sends it, then loads the receipt
    assert "/console/manifests/" in browser.path
    _check(browser, f"receipt-{locale}")
    for path, name in (("/console/market/parcels/RR000000000CN", "parcel"),
                       ("/console/market/find", "find"), ("/console/", "home"),
                       ("/console/manifests", "manifests")):
        browser.open(path)
        _check(browser, f"{name}-{locale}")


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_the_dashboard_draws_its_charts_and_passes_axe(browser, locale) -> None:
    customs = browser.live.customs
    key = customs.access.create_api_key("acme", "marketplace")[1]
    from customs.services.intake import SubmitManifest

    tenant = customs.access.authenticate(key).tenant_id
    customs.intake.submit_manifest(SubmitManifest(tenant, "d-1", manifest(
        parcel("RR123456785CN"), parcel("RR123456799CN"),
        parcel("RR000000000CN", personal_id=False)), "marketplace:acme"))
    make_user(customs, "boss@customs.example", "supervisor", offices=["10005020"],
              locale=locale)
    browser.sign_in("boss@customs.example", path="/console/dashboard")
    assert browser.path == "/console/dashboard"
    charts = browser.find_all("svg[role=img]")
    assert [c.get_attribute("id") for c in charts] == [
        "chart-offices", "chart-clearance", "chart-backlog", "chart-held"]
    assert all(c.is_displayed() and c.size["height"] > 20 for c in charts)
    bars = browser.find_all("#chart-offices rect")
    assert len(bars) == 2  # one office, two statuses: declared and rejected
    _check(browser, f"dashboard-{locale}")


def test_the_keyboard_reaches_the_upload_form_in_order(browser) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    make_user(browser.live.customs, "ops@acme.example", "marketplace", tenant="acme")
    browser.sign_in("ops@acme.example", path="/console/manifests")
    keys = ActionChains(browser.driver)
    keys.send_keys(Keys.TAB).perform()
    active = browser.driver.switch_to.active_element
    assert active.get_attribute("class") == "skip"  # the first stop skips to the content
    order = []
    for _ in range(15):
        keys.send_keys(Keys.TAB).perform()
        active = browser.driver.switch_to.active_element
        order.append(active.get_attribute("id") or active.tag_name)
    assert "manifest" in order and "send-manifest" in order
    assert order.index("manifest") < order.index("send-manifest")


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_the_officers_pages_pass_axe(browser, locale) -> None:
    """The queue, a search with results, a dossier and the bulk confirmation."""
    customs = browser.live.customs
    seed_parcels(customs)
    make_user(customs, "ivanova@customs.example", locale=locale)
    browser.sign_in("ivanova@customs.example", path="/console/queue")
    assert browser.path == "/console/queue"
    _check(browser, f"queue-{locale}")
    browser.open("/console/search?status=SUBMITTED")
    assert len(browser.find_all("a.parcel-link")) == 3
    _check(browser, f"search-{locale}")
    browser.open("/console/parcels/RR123456785CN")
    assert browser.find("#verification")
    _check(browser, f"dossier-{locale}")
    browser.open("/console/queue")
    for number in ("RR123456785CN", "RR123456799CN"):
        browser.find(f"#pick-{number}").click()
    browser.find("#bulk-action").send_keys("Выпустить" if locale == "ru" else "Release")
    browser.click("#bulk-decide")
    assert browser.find("#confirm-title")
    _check(browser, f"bulk-confirm-{locale}")

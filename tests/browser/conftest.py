"""A real browser on the console: Debian's Chromium, headless, driven by Selenium through the
system chromedriver (nothing is downloaded at run time), against the app served on a free
loopback port from a thread, on the test's own migrated database.

Fixtures: `chrome` (one browser per session, cookies cleared for each test), `live` (the
server: `live.url`, `live.customs`), `browser` (the two, with `open`, `sign_in`, `field`,
`submit`, `shot`). People: `make_user(customs, email, role, ...)` with PASSWORD. Screenshots
go to tests/browser/artifacts/ (ignored by git). Without Chromium the tests FAIL, saying so:
scripts/setup.sh installs it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from api import create_app
from customs.usecases import Application

CHROMIUM = Path(os.environ.get("CUSTOMS_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CUSTOMS_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"))
ARTIFACTS = Path(__file__).parent / "artifacts"
PASSWORD = "correct horse battery staple"
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--window-size=1366,900", "--lang=en-US")


def make_user(customs: Application, email: str, role: str = "officer", *,
              offices: list[str] | None = None, tenant: str | None = None,
              locale: str = "en", totp: bool = False) -> str | None:
    """A console user with PASSWORD; returns its TOTP secret when `totp`."""
    if role != "marketplace" and offices is None:
        offices = ["10005020"]
    customs.accounts.create_user(email, role, offices=offices, tenant=tenant, locale=locale,
                                 password=PASSWORD)
    return customs.accounts.enrol_totp(email)[0] if totp else None


@pytest.fixture(scope="session")
def chrome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"the browser tests need Debian's chromium and chromium-driver "
                    f"({', '.join(missing)} absent): run scripts/setup.sh as root, or "
                    "apt-get install chromium chromium-driver", pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@dataclass
class Live:
    url: str
    customs: Application


@pytest.fixture
def live(signed_customs: Application) -> Iterator[Live]:
    """The app on 127.0.0.1 at a port the kernel picks, served from a thread."""
    server = make_server("127.0.0.1", 0, create_app(customs=signed_customs), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Live(f"http://127.0.0.1:{server.server_port}", signed_customs)
    server.shutdown()
    thread.join(10)


class Browser:
    def __init__(self, driver: Any, live: Live, test_name: str) -> None:
        self.driver, self.live, self.test_name = driver, live, test_name

    def open(self, path: str) -> Browser:
        self.driver.get(self.live.url + path)
        return self

    @property
    def path(self) -> str:
        return "/" + self.driver.current_url.split("/", 3)[3]

    @property
    def text(self) -> str:
        from selenium.webdriver.common.by import By

        return str(self.driver.find_element(By.TAG_NAME, "body").text)

    def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(self.driver.find_elements(By.CSS_SELECTOR, css))

    def field(self, css: str, value: str) -> Browser:
        element = self.find(css)
        element.clear()
        element.send_keys(value)
        return self

    def click(self, css: str) -> Browser:
        """Click something that loads a page (a link, a form's button) and wait for it."""
        from selenium.webdriver.support.ui import WebDriverWait

        page = self.find("html")
        self.find(css).click()
        WebDriverWait(self.driver, 15).until(lambda _: _gone(page))
        return self

    def sign_in(self, email: str, password: str = PASSWORD, code: str | None = None,
                path: str = "/console/") -> Browser:
        self.open(path)
        self.field("#email", email).field("#password", password).click("#sign-in")
        if code is not None:
            self.field("#code", code).click("#confirm")
        return self

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        target = ARTIFACTS / f"{self.test_name}-{name}.png"
        self.driver.save_screenshot(str(target))
        return target


class AcceptingAuthority:
    def send(self, message_id: str, document: bytes) -> Any:
        from customs.services.ports import TransportResult

        return TransportResult(True, 202, None, False, None)


def seed_parcels(customs: Application, extra: int = 0) -> dict[str, str]:
    """acme's RR…785CN, RR…799CN (CDEK) and RR…808CN (DHL) through office 10005020, globex's
    RR…811CN through 10009100, and `extra` generated acme parcels through 10005020: all
    declared, batched and SUBMITTED. Returns API keys: the CDEK courier's as "cdek"."""
    from customs.bootstrap import generate_sample
    from customs.services.intake import SubmitManifest
    from tests.manifests import item, manifest, parcel

    acme = customs.access.authenticate(customs.access.create_api_key("acme", "marketplace")[1])
    globex = customs.access.authenticate(
        customs.access.create_api_key("globex", "marketplace")[1])
    customs.intake.submit_manifest(SubmitManifest(acme.tenant_id, "a-1", manifest(
        parcel(), parcel("RR123456799CN", value="250.00", items=[item(
            "Wireless headphones, bluetooth", hs="8518300000", value="250.00")]),
        parcel("RR123456808CN", courier="DHL")), "marketplace:acme"))
    customs.intake.submit_manifest(SubmitManifest(globex.tenant_id, "g-1", manifest(
        parcel("RR123456811CN", courier="DPD"), office="10009100"), "marketplace:globex"))
    if extra:
        customs.intake.submit_manifest(SubmitManifest(
            acme.tenant_id, "a-2", generate_sample(extra, seed=17).xml, "marketplace:acme"))
    while customs.outbound.seal_batches(force=True).parcels:
        pass
    customs.outbound.submit_batches(AcceptingAuthority())
    return {"cdek": customs.access.create_api_key("CDEK", "courier")[1]}


@pytest.fixture
def browser(chrome: Any, live: Live, request: pytest.FixtureRequest) -> Browser:
    chrome.execute_cdp_cmd("Network.clearBrowserCookies", {})
    return Browser(chrome, live, request.node.name)


def _gone(element: Any) -> bool:
    """True once the element's page was replaced. Chromium reports a replaced page's node
    either as a stale element or, while the new document is being attached, as "Node with given
    id does not belong to the document" (a plain WebDriverException): both mean it is gone."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        if "does not belong to the document" in str(exc):
            return True
        raise
    return False

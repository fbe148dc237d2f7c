"""Issue 17's "Done when", walked as a new user would: `customs demo --serve` runs (its own
process, its own SQLite database, the simulated authority deciding), its last lines give the
console's address and two sign-ins; in the browser the officer finds a held parcel in the
queue, requests documents, releases it, and that parcel's courier sees both changes in its
feed (API, with a key made by `customs api-key create` on the demo's database); the
marketplace user uploads a manifest with invalid parcels and reads each rejection with its
line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.test_console_market import bad_manifest
from tests.browser.conftest import Browser, Live
from tests.browser.test_marketplace import _rejection_rows, _wait_for_receipt
from tests.browser.test_officer_pages import api

ROOT = Path(__file__).resolve().parents[2]
SIGN_IN = re.compile(r"^\s+(officer|marketplace)\s+(\S+)\s+password (\S+)$")


class Demo:
    def __init__(self, process: subprocess.Popen[str], lines: list[str]) -> None:
        self.process, self.lines = process, lines
        text = "\n".join(lines)
        self.console = re.search(r"^web console: (\S+)/console/$", text, re.M).group(1)
        self.database = re.search(r"^database: (\S+) ", text, re.M).group(1)
        self.people = {m.group(1): (m.group(2), m.group(3))
                       for m in map(SIGN_IN.match, lines) if m}


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    """`customs demo --serve` in a process of its own, read until it prints the sign-ins."""
    process = subprocess.Popen(
        [sys.executable, "-m", "api", "demo", "--workdir", str(tmp_path / "demo"),
         "--serve"], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    lines: list[str] = []
    try:
        for line in process.stdout:  # type: ignore[union-attr]
            lines.append(line.rstrip("\n"))
            if line.startswith("the service, the worker and the authority simulator keep"):
                break
        else:
            pytest.fail("customs demo ended before serving:\n" + "\n".join(lines[-40:]))
        drain = threading.Thread(target=lines.extend, args=(process.stdout,), daemon=True)
        drain.start()  # a full pipe would block the demo's servers on their next log line
        yield Demo(process, lines)
    finally:
        process.terminate()  # SIGTERM: the demo stops its servers
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(20)
        process.stdout.close()  # type: ignore[union-attr]


def _courier_key(demo: Demo, courier: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "api", "api-key", "create", "--tenant", courier.lower(),
         "--role", "courier", "--courier", courier], cwd=ROOT, capture_output=True, text=True,
        timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT),
                         "CUSTOMS_DATABASE_URL": f"sqlite:///{demo.database}"})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_the_demo_walked_in_the_browser_by_an_officer_and_a_marketplace(
        chrome, demo: Demo, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from selenium.webdriver.common.by import By

    chrome.execute_cdp_cmd("Network.clearBrowserCookies", {})
    browser = Browser(chrome, Live(demo.console, None), request.node.name)  # type: ignore[arg-type]
    email, password = demo.people["officer"]
    browser.sign_in(email, password).click("#nav-queue")
    for box in browser.find_all("input[name=status]"):  # only the held parcels
        if box.is_selected() != (box.get_attribute("value") == "HELD"):
            box.click()
    browser.click(".filters button[type=submit]")
    held = browser.find_all("a.parcel-link")
    assert held, "the demo left no held parcel in the officer's queue"
    browser.shot("queue-held")
    number = held[0].text
    held[0].click()
    assert browser.find("#status").text == "Held"
    courier = chrome.find_element(By.XPATH, "//dt[.='Courier']/following-sibling::dd[1]").text
    browser.find("#action").send_keys("Request documents")
    browser.field("#documents", "Invoice from the seller")
    browser.click("#decide")
    assert "Invoice from the seller" in browser.find("#history").text
    browser.find("#action").send_keys("Release")
    browser.click("#decide")
    assert browser.find("#status").text == "Released"
    browser.shot("dossier-released")
    feed = api(browser, "/v1/feed?limit=500", _courier_key(demo, courier))["items"]
    mine = [(e["status"], e["reason"]) for e in feed if e["tracking_number"] == number]
    assert mine[-2:] == [("HELD", "Invoice from the seller"), ("RELEASED", None)]
    browser.click("#sign-out")

    email, password = demo.people["marketplace"]
    browser.sign_in(email, password, path="/console/manifests")
    document = tmp_path / "manifest-with-errors.xml"
    document.write_bytes(bad_manifest())
    browser.find("#manifest").send_keys(str(document))
    browser.find("#send-manifest").click()
    _wait_for_receipt(browser)
    assert browser.find("#count-rejected").text == "3"
    rows = _rejection_rows(browser)
    assert len(rows) >= 3 and all(int(r[2]) > 0 for r in rows)  # each with its line
    assert "PERSONAL_ID_REQUIRED" in {r[4].split("\n")[0] for r in rows}
    browser.shot("receipt")

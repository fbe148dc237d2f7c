"""The supervisor's dashboard over HTTP: charts (SVG with a title and description) drawn from
the data in the supervisor's offices only, the same figures as tables, and the dashboard is a
supervisor's page only."""

from __future__ import annotations

import re
from datetime import timedelta

from api import create_app
from tests.api.test_console_auth import PASSWORD, sign_in


def console_for(customs, email: str, role: str, offices: list[str]):  # type: ignore[no-untyped-def]
    customs.accounts.create_user(email, role, offices=offices, password=PASSWORD, locale="en")
    client = create_app(customs=customs).test_client()
    assert sign_in(client, email).status_code == 302
    return client


def table(page: str, ident: str) -> list[list[str]]:
    body = re.search(rf'<table id="{ident}">(.*?)</table>', page, re.S).group(1)
    return [[re.sub(r"<[^>]+>", "", cell).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_the_dashboard_charts_the_supervisors_offices(world) -> None:
    customs = world.customs
    customs.clock.current += timedelta(minutes=30)
    world.post("moscow", "/v1/parcels/RR123456785CN/decisions", {"action": "release"})
    held = world.post("moscow", "/v1/parcels/RR123456799CN/decisions",
                      {"action": "hold", "reason": "inspection"})
    assert held.status_code == 200
    customs.clock.current += timedelta(days=2)
    client = console_for(customs, "boss@customs.example", "supervisor", ["10005020"])
    page = client.get("/console/dashboard")
    assert page.status_code == 200
    for chart in ("chart-offices", "chart-clearance", "chart-backlog", "chart-held"):
        svg = re.search(rf'<svg [^>]*id="{chart}"[^>]*>(.*?)</svg>', page.text, re.S)
        assert svg and 'role="img"' in svg.group(0)
        assert "<title" in svg.group(1) and "<desc" in svg.group(1)
    offices = table(page.text, "table-offices")
    assert offices[0] == ["Customs office", "Submitted", "Released", "Held"]
    assert offices[1:] == [["10005020", "1", "1", "1"]]  # not globex's office 10009100
    released = [row for row in table(page.text, "table-clearance")[1:] if row[1] != "0"]
    assert released == [["2026-11-23", "1", "0.5 h", "0.5 h", "0.5 h"]]
    held = table(page.text, "table-held")
    assert [row[1] for row in held[1:]] == ["0", "1", "0", "0", "0"]  # 1–3 days
    backlog = {row[0]: row[1:3] for row in table(page.text, "table-backlog")[1:]}
    assert backlog["Sent, not registered yet"] == ["1", "3"]
    assert sum(int(b[0]) for b in backlog.values()) == 1
    assert "<rect" in page.text and "<polyline" not in page.text  # one day: points only
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "style=" not in page.text


def test_the_dashboard_is_for_supervisors_only(world) -> None:
    officer = console_for(world.customs, "o@customs.example", "officer", ["10005020"])
    assert officer.get("/console/dashboard").status_code == 403
    boss = console_for(world.customs, "b@customs.example", "supervisor", ["10005020"])
    assert boss.get("/console/dashboard?days=999").status_code == 200  # clamped, not a 500
    assert boss.get("/console/dashboard?days=x").status_code == 200

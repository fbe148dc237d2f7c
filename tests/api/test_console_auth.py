"""Console sign-in over HTTP (Flask test client): cookies, headers, expiry, lockout, second
factor, one-time passwords, sign-out everywhere, disabled people, redirects kept inside."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from api import create_app
from customs.bootstrap import bootstrap
from customs.settings import Settings

PASSWORD = "correct horse battery staple"
EMAIL = "ivanova@customs.example"


@pytest.fixture
def console(customs):  # type: ignore[no-untyped-def]
    customs.accounts.create_user(EMAIL, "officer", offices=["10005020"], password=PASSWORD,
                                 locale="en")
    return create_app(customs=customs).test_client()


def token_of(page) -> str:  # type: ignore[no-untyped-def]
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def form_token(client, base_url: str = "http://localhost") -> str:  # type: ignore[no-untyped-def]
    """A form's token from the sign-in page, or (signed in) the password page."""
    page = client.get("/console/sign-in", base_url=base_url)
    if page.status_code == 302:
        page = client.get("/console/password", base_url=base_url)
    return token_of(page)


def post(client, path: str, **form: str):  # type: ignore[no-untyped-def]
    form.setdefault("csrf_token", form_token(client))
    return client.post(path, data=form)


def sign_in(client, email: str = EMAIL, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return post(client, "/console/sign-in", email=email, password=password)


def test_pages_carry_a_strict_content_security_policy_and_refuse_framing(console) -> None:
    page = console.get("/console/sign-in")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "<script" not in page.text
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"


def test_the_session_cookie_is_httponly_lax_and_secure_behind_tls(customs, console) -> None:
    plain = sign_in(console).headers["Set-Cookie"]
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    assert "Path=/console" in plain
    secure = console.post("/console/sign-in", base_url="https://console.example", data={
        "email": EMAIL, "password": PASSWORD,
        "csrf_token": form_token(console, "https://console.example")})
    assert "Secure" in secure.headers["Set-Cookie"]
    customs.settings.console_secure_cookies = True  # set as an operator behind a TLS proxy would
    assert "Secure" in sign_in(console).headers["Set-Cookie"]


def test_the_cookie_holds_a_token_the_database_holds_only_the_hash_of(customs, console) -> None:
    sign_in(console)
    token = console.get_cookie("customs_console", path="/console").value
    with customs.resources.engine.connect() as conn:
        ids = conn.execute(sa.text("SELECT id FROM console_sessions")).scalars().all()
    assert len(token) >= 43 and token not in ids and len(ids) == 1


def test_idle_and_absolute_expiry(customs, console, clock) -> None:
    sign_in(console)
    assert console.get("/console/account").status_code == 200
    clock.current += timedelta(minutes=29)
    assert console.get("/console/account").status_code == 200  # and the idle time starts again
    clock.current += timedelta(minutes=29)
    assert console.get("/console/account").status_code == 200
    clock.current += timedelta(minutes=31)
    assert console.get("/console/account").status_code == 302  # idle
    sign_in(console)
    for _ in range(25):  # active all along, but 12 hours is the most a session lasts
        clock.current += timedelta(minutes=29)
        last = console.get("/console/account")
    assert last.status_code == 302 and "/console/sign-in" in last.headers["Location"]


def test_lockout_backs_off_and_a_success_clears_it(customs, console, clock) -> None:
    for _ in range(4):
        assert sign_in(console, password="wrong password!").status_code == 401
    assert sign_in(console, password="wrong password!").status_code == 429  # locked 30 s
    assert sign_in(console).status_code == 429
    clock.current += timedelta(seconds=31)
    assert sign_in(console, password="wrong password!").status_code == 429  # locked 60 s now
    clock.current += timedelta(seconds=59)
    assert sign_in(console).status_code == 429
    clock.current += timedelta(seconds=2)
    assert sign_in(console).status_code == 302
    assert [u.failed_attempts for u in customs.accounts.list_users()] == [0]


def test_unknown_and_disabled_people_are_refused_alike(customs, console) -> None:
    assert sign_in(console, email="nobody@customs.example").status_code == 401
    sign_in(console)
    assert console.get("/console/account").status_code == 200
    assert customs.accounts.disable_user(EMAIL) == 1  # its session ended
    assert console.get("/console/account").status_code == 302
    refused = sign_in(console)
    # before sign-in the page is in the default language, Russian
    assert refused.status_code == 401 and "Неверная электронная почта или пароль." in refused.text


def test_a_code_is_needed_when_enrolled_and_good_only_once(customs, console, clock) -> None:
    secret = customs.accounts.enrol_totp(EMAIL)[0]
    first = sign_in(console)
    assert first.headers["Location"].startswith("/console/sign-in/code")
    assert console.get("/console/account").status_code == 302  # not signed in yet
    code = pyotp.TOTP(secret).at(clock.now())
    done = post(console, "/console/sign-in/code", code=code)
    assert done.status_code == 302 and done.headers["Location"] == "/console/"
    assert console.get("/console/account").status_code == 200
    other = create_app(customs=customs).test_client()  # a second device replays the code
    sign_in(other)
    assert post(other, "/console/sign-in/code", code=code).status_code == 401


def test_officers_without_a_code_are_refused_when_codes_are_required(database_url, clock) -> None:
    customs = bootstrap(Settings(database_url=database_url, console_totp_required=True),
                        clock=clock)
    customs.accounts.create_user(EMAIL, "officer", offices=["10005020"], password=PASSWORD)
    customs.accounts.create_user("shop@acme.example", "marketplace", tenant="acme",
                                 password=PASSWORD)
    client = create_app(customs=customs).test_client()
    assert sign_in(client).status_code == 403
    assert sign_in(client, email="shop@acme.example").status_code == 302
    customs.close()


def test_a_one_time_password_must_be_changed_first(customs, console) -> None:
    one_time = customs.accounts.create_user("new@customs.example", "supervisor",
                                            offices=["10005020"])[1]
    sign_in(console, email="new@customs.example", password=one_time)
    assert console.get("/console/").headers["Location"] == "/console/password"
    weak = post(console, "/console/password", current_password=one_time,
                new_password="short", repeat_password="short")
    assert weak.status_code == 400
    changed = post(console, "/console/password", current_password=one_time,
                   new_password=PASSWORD, repeat_password=PASSWORD)
    assert changed.status_code == 302
    assert console.get("/console/").status_code == 200


def test_sign_out_everywhere_ends_every_session(customs, console) -> None:
    other = create_app(customs=customs).test_client()
    sign_in(console), sign_in(other)
    assert post(console, "/console/sign-out", everywhere="1").status_code == 302
    assert other.get("/console/account").status_code == 302
    with customs.resources.engine.connect() as conn:
        actions = conn.execute(sa.text("SELECT action, after FROM audit_log WHERE action "
                                       "LIKE 'console.%' ORDER BY id")).all()
    assert [a for a, _ in actions] == ["console.sign_in", "console.sign_in", "console.sign_out"]
    after = actions[-1][1]
    assert (json.loads(after) if isinstance(after, str) else after)["sessions_ended"] == 2


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x",
                                    "/v1/parcels", "/console/\\evil"])
def test_after_sign_in_only_console_paths_are_followed(console, target) -> None:
    page = post(console, "/console/sign-in", email=EMAIL, password=PASSWORD, next=target)
    assert page.headers["Location"] == "/console/"


def test_console_errors_are_pages_and_api_errors_stay_problem_documents(console) -> None:
    missing = console.get("/console/no-such-page")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert "Not found" in missing.text or "Не найдено" in missing.text
    assert console.get("/v1/no-such").mimetype == "application/problem+json"


def test_a_post_without_the_token_changes_nothing(customs, console) -> None:
    refused = console.post("/console/sign-in", data={"email": EMAIL, "password": PASSWORD})
    assert refused.status_code == 400 and "customs_console=" not in refused.headers.get(
        "Set-Cookie", "")


def test_enrolling_codes_in_the_console_stores_nothing_until_confirmed(customs, console,
                                                                        clock) -> None:
    sign_in(console)
    page = console.get("/console/account/totp")
    assert page.status_code == 200 and '<svg role="img"' in page.text
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    assert console.get("/console/account/totp").text.count(secret[:4]) >= 1  # same secret
    assert [u.totp_secret for u in customs.accounts.list_users()] == [None]
    code = pyotp.TOTP(secret).at(clock.now())
    wrong = "000000" if code != "000000" else "111111"
    assert post(console, "/console/account/totp", password=PASSWORD,
                code=wrong).status_code == 400
    for _ in range(3):  # a wrong password (or code) counts as a failed sign-in
        assert post(console, "/console/account/totp", password="wrong password!",
                    code=code).status_code == 400
    locked = post(console, "/console/account/totp", password=PASSWORD, code=wrong)
    assert locked.status_code == 429 and "locked until" in locked.text
    assert post(console, "/console/account/totp", password=PASSWORD,
                code=code).status_code == 429  # right, but locked
    clock.current += timedelta(seconds=31)
    code = pyotp.TOTP(secret).at(clock.now())
    done = post(console, "/console/account/totp", password=PASSWORD, code=code)
    assert done.status_code == 302 and "enrolled=1" in done.headers["Location"]
    assert [u.totp_secret for u in customs.accounts.list_users()] == [secret]
    # enrolled: the page sends back to the account; a second secret is never offered
    assert console.get("/console/account/totp").headers["Location"].endswith("/console/account")
    assert post(console, "/console/account/totp", password=PASSWORD,
                code=code).headers["Location"].endswith("/console/account/totp")
    assert [u.totp_secret for u in customs.accounts.list_users()] == [secret]

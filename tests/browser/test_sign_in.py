"""Signing in and out of the console in a real browser: with and without a one-time code,
the lockout after wrong passwords, a refused CSRF token, sign-out."""

from __future__ import annotations

import pyotp

from tests.browser.conftest import PASSWORD, make_user


def audit_actions(customs, email: str) -> list[str]:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    with customs.resources.engine.connect() as conn:
        return list(conn.execute(sa.text(
            "SELECT action FROM audit_log WHERE actor = :actor ORDER BY id"),
            {"actor": f"console:{email}"}).scalars())


def test_sign_in_without_a_code_lands_on_the_page_asked_for_then_sign_out(browser) -> None:
    make_user(browser.live.customs, "ivanova@customs.example")
    browser.sign_in("ivanova@customs.example", path="/console/account")
    assert browser.path == "/console/account"
    assert "ivanova@customs.example" in browser.text and "10005020" in browser.text
    cookie = browser.driver.get_cookie("customs_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/console"
    browser.shot("account")
    browser.click("#sign-out")
    assert browser.path.startswith("/console/sign-in")
    browser.open("/console/account")  # the old session no longer opens anything
    assert browser.path.startswith("/console/sign-in?next=/console/account")
    assert audit_actions(browser.live.customs, "ivanova@customs.example") == [
        "console.sign_in", "console.sign_out"]


def test_sign_in_with_a_one_time_code(browser) -> None:
    customs = browser.live.customs
    secret = make_user(customs, "petrov@customs.example", totp=True)
    browser.sign_in("petrov@customs.example")
    assert browser.path.startswith("/console/sign-in/code")
    browser.field("#code", "000000" if pyotp.TOTP(secret).at(customs.clock.now()) != "000000"
                  else "111111").click("#confirm")
    assert "The code is not right." in browser.text
    browser.field("#code", pyotp.TOTP(secret).at(customs.clock.now())).click("#confirm")
    assert browser.path == "/console/"
    assert "Welcome, petrov@customs.example" in browser.text
    browser.shot("home")
    assert audit_actions(customs, "petrov@customs.example") == [
        "console.sign_in_failed", "console.sign_in"]


def test_wrong_passwords_lock_the_account_even_for_the_right_one(browser) -> None:
    customs = browser.live.customs
    make_user(customs, "sidorov@customs.example")
    for _ in range(4):
        browser.sign_in("sidorov@customs.example", "not the password at all")
        assert "Wrong e-mail or password." in browser.text
    browser.sign_in("sidorov@customs.example", "not the password at all")  # the fifth
    assert "the account is locked until" in browser.text
    browser.sign_in("sidorov@customs.example")  # right, but locked
    assert "the account is locked until" in browser.text
    assert browser.path.startswith("/console/sign-in")
    browser.shot("locked")


def test_a_form_without_or_with_a_bad_csrf_token_is_refused(browser) -> None:
    make_user(browser.live.customs, "orlova@customs.example")
    for token in (None, "forged-token"):
        browser.open("/console/sign-in")
        if token is None:
            browser.driver.execute_script(
                "document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())")
        else:
            browser.driver.execute_script(
                "document.querySelectorAll('input[name=csrf_token]')"
                ".forEach(e => e.value = arguments[0])", token)
        browser.field("#email", "orlova@customs.example").field(
            "#password", "correct horse battery staple").click("#sign-in")
        assert "The form was refused" in browser.text
        assert browser.driver.get_cookie("customs_console") is None
    browser.shot("csrf-refused")
    browser.sign_in("orlova@customs.example")  # with the page's own token: accepted
    assert browser.path == "/console/"


def test_a_person_enrols_one_time_codes_in_the_console_then_signs_in_with_one(browser) -> None:
    from datetime import timedelta

    customs = browser.live.customs
    make_user(customs, "kuznetsova@customs.example")
    browser.sign_in("kuznetsova@customs.example", path="/console/account")
    assert browser.find("#totp-state").text == "not enrolled"
    browser.click("#enrol-totp-link")
    assert browser.path == "/console/account/totp"
    assert browser.find("svg.qr[role=img]").size["height"] > 100  # the QR code, drawn inline
    secret = browser.find("#totp-secret").text.replace(" ", "")
    assert len(secret) == 32
    browser.shot("totp-enrol")
    code = pyotp.TOTP(secret).at(customs.clock.now())
    browser.field("#password", "not my password").field("#code", code).click("#enrol-totp")
    assert "The password or the code is not right." in browser.find("#error").text
    assert browser.find("#totp-secret").text.replace(" ", "") == secret  # the same secret
    browser.field("#password", PASSWORD).field("#code", code).click("#enrol-totp")
    assert browser.path.startswith("/console/account")
    assert browser.find("#totp-state").text == "enrolled" and browser.find("#enrolled")
    assert not browser.find_all("#enrol-totp-link")
    browser.click("#sign-out")
    customs.clock.current += timedelta(seconds=60)  # the enrolment's code is spent
    browser.sign_in("kuznetsova@customs.example")
    assert browser.path.startswith("/console/sign-in/code")
    browser.field("#code", pyotp.TOTP(secret).at(customs.clock.now())).click("#confirm")
    assert browser.path == "/console/"
    assert audit_actions(customs, "kuznetsova@customs.example") == [
        "console.sign_in", "console.sign_in_failed", "user.totp_enrol", "console.sign_out",
        "console.sign_in"]

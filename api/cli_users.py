"""`customs user`: the people who sign in to the web console (not API keys)."""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from customs.domain.accounts import LOCALES


def _accounts():  # type: ignore[no-untyped-def]
    return current_app.extensions["customs"].accounts


@click.group("user")
def user() -> None:
    """Console users: create, list, disable, enrol a second factor."""


@user.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["officer", "supervisor",
                                                          "marketplace"]))
@click.option("--offices", default=None,
              help="officer, supervisor: comma-separated customs offices, e.g. 10005020,10005030")
@click.option("--tenant", default=None, help="marketplace: the tenant (marketplace) name")
@click.option("--locale", type=click.Choice(list(LOCALES)), default="ru", show_default=True)
@click.option("--password-stdin", is_flag=True,
              help="read the password from the first line of standard input; otherwise a "
                   "one-time password is printed, to be changed at the first sign-in")
@with_appcontext
def user_create(email: str, role: str, offices: str | None, tenant: str | None, locale: str,
                password_stdin: bool) -> None:
    """Create a console user."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    created, one_time = _accounts().create_user(
        email, role, offices=None if offices is None else offices.split(","), tenant=tenant,
        locale=locale, password=password)
    click.echo(f"user {created.id}: {created.email} ({created.role.value})", err=True)
    if one_time is not None:
        click.echo(f"one-time password (to be changed at the first sign-in): {one_time}")


@user.command("list")
@with_appcontext
def user_list() -> None:
    """List console users, one JSON object a line (never a password or secret)."""
    for found in _accounts().list_users():
        click.echo(json.dumps(found.to_json()))


@user.command("disable")
@click.argument("email")
@with_appcontext
def user_disable(email: str) -> None:
    """Disable a user now: its sessions end, it cannot sign in again."""
    ended = _accounts().disable_user(email)
    click.echo(f"disabled {email.strip().lower()} ({ended} sessions ended)")


@user.command("totp")
@click.argument("email")
@with_appcontext
def user_totp(email: str) -> None:
    """Enrol (or replace) the user's one-time-code secret; prints the otpauth URI to put in
    an authenticator app (as a QR code, or the secret typed in)."""
    secret, uri = _accounts().enrol_totp(email)
    click.echo(f"secret: {secret}", err=True)
    click.echo(uri)

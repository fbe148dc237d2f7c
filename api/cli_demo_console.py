"""The end of `customs demo`: people for the web console (an officer of the demo's offices
and a marketplace user of the demo's tenant, each with a fresh password), the console's
address, and with --serve the wait that keeps every server running until Ctrl-C or SIGTERM."""

from __future__ import annotations

import secrets
import signal
import threading
from collections.abc import Iterable

import click

from customs.usecases import Application

OFFICER = "officer@demo.example"
MARKETPLACE = "marketplace@demo.example"


def console_people(customs: Application, tenant: str, offices: Iterable[str],
                   ) -> list[tuple[str, str, str]]:
    """(role, e-mail, password) of the demo's console users (a fresh database each run)."""
    people = [("officer", OFFICER), ("marketplace", MARKETPLACE)]
    found = []
    for role, email in people:
        password = secrets.token_urlsafe(12)
        customs.accounts.create_user(
            email, role, offices=sorted(set(offices)) if role == "officer" else None,
            tenant=tenant if role == "marketplace" else None, locale="en", password=password)
        found.append((role, email, password))
    return found


def print_console(base: str, people: list[tuple[str, str, str]], serve: bool) -> None:
    click.echo(f"\nweb console: {base}/console/")
    for role, email, password in people:
        click.echo(f"  {role:<12} {email:<26} password {password}")
    if serve:
        click.echo("the service, the worker and the authority simulator keep running: "
                   "Ctrl-C (or SIGTERM) stops them", )
    else:
        click.echo("(the service stops now; run `customs demo --serve` to keep it running "
                   "and sign in)")


def wait_until_stopped() -> None:
    """Block until SIGINT or SIGTERM (the main thread's handlers), then return."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("stopping")

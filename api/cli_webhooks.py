"""`customs webhooks`: the key that encrypts webhook secrets at rest (docs/webhooks.md)."""

from __future__ import annotations

from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("webhooks")
def webhooks_group() -> None:
    """Webhook secrets at rest (CUSTOMS_SECRETS_KEY)."""


@webhooks_group.command("generate-key")
def generate_key() -> None:
    """Print a new key for CUSTOMS_SECRETS_KEY (put it FIRST in the list to rotate)."""
    from customs.bootstrap import generate_secrets_key

    click.echo(generate_secrets_key())


@webhooks_group.command("reencrypt")
@with_appcontext
def reencrypt() -> None:
    """Seal every stored webhook secret with the first key of CUSTOMS_SECRETS_KEY (after
    putting a new key first, and for secrets stored in plaintext before); then the other keys
    may be removed."""
    customs = current_app.extensions["customs"]
    report = customs.webhooks.reseal_webhook_secrets()
    click.echo(f"webhooks checked {report.checked}, secrets re-sealed {report.resealed}"
               + (f", changed meanwhile {report.changed_meanwhile} (run again)"
                  if report.changed_meanwhile else ""))
    if report.changed_meanwhile:
        raise SystemExit(1)


def seal_stored_secrets(customs: Any) -> None:
    """After `customs db upgrade`: seal secrets stored in plaintext (the data part of migration
    0009, which needs the key a migration does not have), or say loudly that some remain."""
    if customs.settings.secrets_key:
        report = customs.webhooks.reseal_webhook_secrets()
        if report.resealed:
            click.echo(f"webhook secrets sealed with the first key: {report.resealed}")
        return
    left = customs.webhooks.plaintext_webhook_secrets()
    if left:
        click.echo(f"WARNING: {left} webhooks hold secrets stored in plaintext; set "
                   "CUSTOMS_SECRETS_KEY and run `customs webhooks reencrypt`", err=True)

"""`customs quarantine`: authority messages set aside, for the operator on the server."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from api.quarantine import item_json


@click.group("quarantine")
def quarantine() -> None:
    """Authority messages that could not be verified, read, matched or mapped."""


@quarantine.command("list")
@click.option("--status", type=click.Choice(["QUARANTINED", "REPLAYED"]),
              default="QUARANTINED", show_default=True)
@click.option("--after", type=click.IntRange(0), default=0, help="Ids after this one")
@click.option("--limit", type=click.IntRange(1, 200), default=50, show_default=True)
@with_appcontext
def list_command(status: str, after: int, limit: int) -> None:
    """One line each: id, received, channel, code, attempts, size, reason."""
    items = current_app.extensions["customs"].authority.quarantined(status=status, after=after,
                                                         limit=limit)
    for item in items:
        click.echo(f"{item.id}\t{item.received_at.isoformat(timespec='seconds')}\t"
                   f"{item.channel}\t{item.code}\t{item.attempts}\t{item.size}\t"
                   f"{item.detail[:200]}")
    if not items:
        click.echo(f"no {status.lower()} messages", err=True)


@quarantine.command("show")
@click.argument("item_id", type=click.IntRange(1))
@click.option("--document", is_flag=True, help="Write the message itself to stdout")
@with_appcontext
def show_command(item_id: int, document: bool) -> None:
    """The item as JSON, or with --document the message as received."""
    customs = current_app.extensions["customs"]
    item = customs.authority.quarantine_item(item_id)
    if item is None:
        raise click.ClickException(f"no quarantined message {item_id}")
    if document:
        sys.stdout.buffer.write(customs.authority.quarantined_document(item_id) or b"")
        return
    import json

    click.echo(json.dumps(item_json(item), ensure_ascii=False, indent=2))


@quarantine.command("replay")
@click.argument("item_id", type=click.IntRange(1))
@with_appcontext
def replay_command(item_id: int) -> None:
    """Apply the message again once its cause is fixed; exit 1 if it is still refused."""
    received = current_app.extensions["customs"].authority.replay_quarantined(item_id)
    if received is None:
        raise click.ClickException(f"no quarantined message {item_id}")
    if received.report is None:
        click.echo(f"still refused: {received.code}: {received.detail}", err=True)
        sys.exit(1)
    report = received.report
    click.echo(f"message {report.message_id}: "
               + ("already applied" if report.duplicate else
                  f"applied {report.applied}, pending {report.pending}, set aside "
                  f"{report.set_aside}, ignored {report.ignored}, orphaned {report.orphaned}"))

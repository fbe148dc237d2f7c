"""Commands on the service's own database: serve, db, api-key, nomenclature, rates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from flask import current_app
from flask.cli import with_appcontext

from customs.domain.errors import ReferenceDataError

if TYPE_CHECKING:
    from customs.usecases import Application


def _customs() -> Application:
    return current_app.extensions["customs"]  # type: ignore[no-any-return]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Run the development server (production: gunicorn -c gunicorn.conf.py)."""
    from werkzeug.serving import run_simple

    # Not app.run(): Flask ignores it under its own CLI (FLASK_RUN_FROM_CLI), and returns.
    run_simple(host, port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]


@click.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create or migrate the database to the latest schema."""
    from api.cli_webhooks import seal_stored_secrets
    from customs.settings import redact_url

    customs = _customs()
    customs.operations.upgrade_database()
    click.echo("database at the latest schema: "
               f"{redact_url(customs.settings.database_url)}")
    seal_stored_secrets(customs)


@click.group("api-key")
def api_key() -> None:
    """API keys (shown once, stored as a hash)."""


@api_key.command("create")
@click.option("--tenant", required=True, help="Tenant name (created on first use)")
@click.option("--role", required=True,
              type=click.Choice(["marketplace", "courier", "officer", "operator"]),
              help="operator: loads exchange rates, sees no parcel")
@click.option("--days", type=click.IntRange(min=1), default=None, help="Expire after N days")
@click.option("--label", default=None)
@click.option("--courier", default=None,
              help="courier role: the Parcel/Courier code it delivers (default: the tenant)")
@click.option("--offices", default=None,
              help="officer role: comma-separated customs offices of its jurisdiction")
@with_appcontext
def api_key_create(tenant: str, role: str, days: int | None, label: str | None,
                   courier: str | None, offices: str | None) -> None:
    """Create a key and print it once."""
    from customs.services.access import BadScope

    try:
        key_id, token = _customs().access.create_api_key(
            tenant, role, days=days, label=label, courier=courier,
            offices=None if offices is None else offices.split(","))
    except BadScope as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"key id: {key_id}", err=True)
    click.echo(token)


@api_key.command("list")
@click.option("--tenant", default=None)
@with_appcontext
def api_key_list(tenant: str | None) -> None:
    """List keys (never the secrets)."""
    for key in _customs().access.list_api_keys(tenant):
        click.echo(json.dumps(key.to_json()))


@api_key.command("revoke")
@click.argument("key_id")
@with_appcontext
def api_key_revoke(key_id: str) -> None:
    """Revoke a key at once."""
    if not _customs().access.revoke_api_key(key_id):
        raise click.ClickException(f"no active key {key_id}")
    click.echo(f"revoked {key_id}")


@click.group()
def nomenclature() -> None:
    """HS nomenclature used by the HS_CODE_UNKNOWN rule."""


@nomenclature.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def nomenclature_load(file: Path) -> None:
    """Load 6-digit HS subheadings from a CSV (columns hscode, description, level)."""
    try:
        count = _customs().reference.load_nomenclature(file)
    except ReferenceDataError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"loaded {count} HS subheadings from {file}")


@click.group()
def rates() -> None:
    """Dated exchange rates for duty estimates (docs/duty.md)."""


@rates.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def rates_load(file: Path) -> None:
    """Load a rates CSV: columns date,currency,base,rate (1 currency = rate base); all or none."""
    try:
        count = _customs().reference.load_rates_file(file)
    except ReferenceDataError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"loaded {count} exchange rates from {file}")


@rates.command("list")
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), required=True)
@with_appcontext
def rates_list(first: Any, last: Any) -> None:
    """Print the rates held for the days from..to (JSON lines)."""
    for rate in _customs().reference.list_rates(first.date(), last.date()):
        click.echo(json.dumps(rate.to_json()))

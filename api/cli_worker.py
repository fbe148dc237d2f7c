"""`customs worker`: declares waiting parcels and seals batches; several may run at once."""

from __future__ import annotations

import json
import logging
import signal
import sys
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from customs.settings import Settings

log = logging.getLogger("customs.worker")


@click.command("worker")
@click.option("--once", is_flag=True, help="One pass, then exit (cron, tests)")
@click.option("--interval", type=click.FloatRange(0.1, 3600), default=2.0, show_default=True,
              help="Seconds between passes")
@click.option("--force-seal", is_flag=True, help="Seal partial batches now, whatever their age")
@click.option("--metrics-port", type=click.IntRange(1, 65535), default=None,
              help="Serve this worker's Prometheus metrics (authority latency) on this port")
@with_appcontext
def worker(once: bool, interval: float, force_seal: bool, metrics_port: int | None) -> None:
    """Run the background work: declare VALIDATED parcels, seal DECLARED ones into batches.

    Then sends due batches to the authority (CUSTOMS_AUTHORITY_URL or CUSTOMS_AUTHORITY_DIR)
    and delivers the feed to registered webhooks.
    Stops after the current pass on SIGTERM or SIGINT."""
    customs = current_app.extensions["customs"]
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    if metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(metrics_port)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for why in authority_gaps(customs.settings):
        log.warning(why)  # one line on stderr (text or JSON logs), also under systemd
    while True:
        declared = customs.declare_pending()
        sealed = customs.seal_batches(force=force_seal)
        sent = customs.submit_batches()
        polled = customs.poll_decisions()
        hooks = customs.deliver_webhooks()
        log.info("worker pass", extra={
            "declared": declared.declared, "declare_failed": declared.failed,
            "sealed_batches": len(sealed.sealed), "sealed_parcels": sealed.parcels,
            "submitted_batches": len(sent.submitted), "retrying_batches": len(sent.retrying),
            "failed_batches": len(sent.failed), "decision_messages": polled,
            "webhooks_delivered": hooks.delivered, "webhooks_retrying": hooks.retrying,
            "webhooks_failed": hooks.failed})
        click.echo(f"declared {declared.declared} (failed {declared.failed}), "
                   f"sealed {len(sealed.sealed)} batches with {sealed.parcels} parcels, "
                   f"submitted {len(sent.submitted)} (retrying {len(sent.retrying)}, "
                   f"failed {len(sent.failed)}), polled {polled} decision messages, "
                   f"webhooks: {hooks.delivered} delivered, {hooks.retrying} retrying, "
                   f"{hooks.failed} failed"
                   + (f"; errors: {'; '.join(sealed.errors)}" if sealed.errors else ""))
        if once or stopping:
            sys.exit(1 if sealed.errors or declared.failed else 0)
        time.sleep(interval)


def authority_gaps(settings: Settings) -> list[str]:
    """Why batches will not reach the authority, or its replies not be trusted: said once at
    start, because `submitted 0` on every pass does not say why."""
    if not (settings.authority_url or settings.authority_dir):
        return ["no authority configured, so sealed batches wait and nothing is submitted: set "
                "CUSTOMS_AUTHORITY_URL (e.g. http://127.0.0.1:8100/v1/batches) or "
                "CUSTOMS_AUTHORITY_DIR"]
    if settings.authority_cert is None:
        return ["CUSTOMS_AUTHORITY_CERT is not set, so the authority's acknowledgements are not "
                "verified: set it to the authority's certificate (`customs authority-sim` "
                "prints its path)"]
    return []


@click.group("batch")
def batch() -> None:
    """Batches sent to the authority."""


@batch.command("list")
@click.option("--status", "statuses", multiple=True,
              type=click.Choice(["SEALING", "SEALED", "SENDING", "RETRY", "ACKNOWLEDGED",
                                 "TRANSMISSION_FAILED"]),
              help="Only batches in this status (repeatable)")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ids"]), default="text",
              show_default=True, help="ids: one batch id a line (for `customs batch retry`)")
@with_appcontext
def batch_list(statuses: tuple[str, ...], limit: int, fmt: str) -> None:
    """List the newest batches: id, status, office, parcels, attempts, last error."""
    found = current_app.extensions["customs"].list_batches(statuses, limit)
    for b in found:
        if fmt == "ids":
            click.echo(b.id)
        elif fmt == "json":
            click.echo(json.dumps(b.as_json()))
        else:
            click.echo(f"{b.id}  {b.status:<19} office {b.customs_office}  {b.parcels:>5} "
                       f"parcels  {b.attempts} attempts  sealed {b.sealed_at:%Y-%m-%d %H:%M:%S}"
                       + (f"  last error: {b.last_error}" if b.last_error else ""))
    if fmt == "text" and not found:
        click.echo("no batches" + (f" in status {', '.join(statuses)}" if statuses else ""),
                   err=True)


@batch.command("retry")
@click.argument("batch_id")
@with_appcontext
def batch_retry(batch_id: str) -> None:
    """Send a TRANSMISSION_FAILED batch again (same message id, attempts reset)."""
    if not current_app.extensions["customs"].retry_batch(batch_id):
        raise click.ClickException(f"no TRANSMISSION_FAILED batch {batch_id}")
    click.echo(f"batch {batch_id} will be sent on the next worker pass")

"""`customs worker`: declares waiting parcels and seals batches; several may run at once."""

from __future__ import annotations

import logging
import signal
import sys
import time

import click
from flask import current_app
from flask.cli import with_appcontext

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
    while True:
        declared = customs.declare_pending()
        sealed = customs.seal_batches(force=force_seal)
        sent = customs.submit_batches()
        polled = customs.poll_decisions()
        customs.apply_pending_decisions()
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


@click.group("batch")
def batch() -> None:
    """Batches sent to the authority."""


@batch.command("retry")
@click.argument("batch_id")
@with_appcontext
def batch_retry(batch_id: str) -> None:
    """Send a TRANSMISSION_FAILED batch again (same message id, attempts reset)."""
    if not current_app.extensions["customs"].retry_batch(batch_id):
        raise click.ClickException(f"no TRANSMISSION_FAILED batch {batch_id}")
    click.echo(f"batch {batch_id} will be sent on the next worker pass")

"""`customs worker`: declares waiting parcels and seals batches; several may run at once."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from api.worker_loop import PassResult, WorkerPass
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
    """Run the background work: process manifests accepted for later, declare VALIDATED
    parcels, seal DECLARED ones into batches.

    Then sends due batches to the authority (CUSTOMS_AUTHORITY_URL or CUSTOMS_AUTHORITY_DIR)
    and delivers the feed to registered webhooks.
    Stops after the current pass on SIGTERM or SIGINT. A stage that fails (database or
    network fault) logs one line and is retried after a backoff; the worker goes on."""
    customs = current_app.extensions["customs"]
    stopping = threading.Event()  # its wait() wakes at once on SIGTERM, a sleep() would not

    def stop(_signum: int, _frame: object) -> None:
        stopping.set()

    if metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(metrics_port)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    settings = customs.settings
    stages = WorkerPass(customs, force_seal=force_seal,
                        backoff_base=settings.worker_backoff_seconds,
                        backoff_cap=settings.worker_backoff_max_seconds)
    for why in authority_gaps(settings):
        log.warning(why)  # one line on stderr (text or JSON logs), also under systemd
    while True:
        done = stages.run()
        _report(done)
        if once or stopping.is_set():
            sys.exit(1 if done.failed or done.sealed.errors or done.declared.failed else 0)
        stopping.wait(interval)


def _report(done: PassResult) -> None:
    declared, sealed, sent, polled, hooks = (done.declared, done.sealed, done.sent,
                                             done.polled, done.hooks)
    jobs = done.manifests
    log.info("worker pass", extra={
        "manifests_processed": len(jobs.processed), "manifests_refused": len(jobs.refused),
        "manifests_failed": len(jobs.failed),
        "declared": declared.declared, "declare_failed": declared.failed,
        "sealed_batches": len(sealed.sealed), "sealed_parcels": sealed.parcels,
        "submitted_batches": len(sent.submitted), "retrying_batches": len(sent.retrying),
        "failed_batches": len(sent.failed), "decision_messages": polled,
        "webhooks_delivered": hooks.delivered, "webhooks_retrying": hooks.retrying,
        "webhooks_failed": hooks.failed, "failed_stages": done.failed})
    click.echo(f"manifests {len(jobs.processed)} processed ({len(jobs.refused)} refused, "
               f"{len(jobs.failed)} failed), "
               f"declared {declared.declared} (failed {declared.failed}), "
               f"sealed {len(sealed.sealed)} batches with {sealed.parcels} parcels, "
               f"submitted {len(sent.submitted)} (retrying {len(sent.retrying)}, "
               f"failed {len(sent.failed)}), polled {polled} decision messages, "
               f"webhooks: {hooks.delivered} delivered, {hooks.retrying} retrying, "
               f"{hooks.failed} failed"
               + (f"; errors: {'; '.join(sealed.errors)}" if sealed.errors else "")
               + (f"; stages failed: {', '.join(done.failed)}" if done.failed else ""))


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
    found = current_app.extensions["customs"].operations.list_batches(statuses, limit)
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
    if not current_app.extensions["customs"].outbound.retry_batch(batch_id):
        raise click.ClickException(f"no TRANSMISSION_FAILED batch {batch_id}")
    click.echo(f"batch {batch_id} will be sent on the next worker pass")

"""`customs bench`: throughput against the limit and the alternative; seeding; latency.

The benchmark code lives in the `bench` package beside the application (it reaches into
adapters to build the limit and the alternative); this module only parses options.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import click

DATABASE = click.option("--database", default=None, metavar="URL",
                        help="PostgreSQL URL (its database is wiped; the name must contain "
                             "'bench' or 'test'); default: SQLite files in a temporary folder")


def _workers(text: str) -> tuple[int, ...]:
    return tuple(int(w) for w in text.split(",") if w.strip()) if text else ()


@click.group("bench", invoke_without_command=True)
@click.option("--quick", is_flag=True, help="Smaller sizes: finishes in under two minutes")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the results as JSON")
@DATABASE
@click.option("--parcels", type=click.IntRange(min=10), default=None,
              help="Parcels in the manifest of the pipeline runs")
@click.option("--alternative-parcels", type=click.IntRange(min=1), default=None)
@click.option("--http-workers", default=None, metavar="LIST",
              help="gunicorn worker counts, e.g. 1,2,4 ('' for no HTTP run)")
@click.option("--http-parcels", type=click.IntRange(min=1), default=None)
@click.option("--large", default=None, metavar="LIST",
              help="Sizes of single manifests to submit for peak memory, e.g. 10000,50000")
@click.option("--rounds", type=click.IntRange(min=1), default=None,
              help="Each figure is the best of this many runs (default 3; --quick: 2)")
@click.pass_context
def bench(ctx: click.Context, quick: bool, output: Path | None, database: str | None,
          parcels: int | None, alternative_parcels: int | None, http_workers: str | None,
          http_parcels: int | None, large: str | None, rounds: int | None) -> None:
    """Parcels per second and peak memory: each stage, the whole pipeline in process and over
    HTTP (gunicorn with 1, 2, 4 workers), against the limit and the obvious alternative."""
    if ctx.invoked_subcommand is not None:
        return
    from bench.run import Options, run, tables, write

    options = Options.quick(database) if quick else Options(database=database)
    changes: dict = {}
    if parcels is not None:
        changes["parcels"] = parcels
        changes["http_manifest"] = min(options.http_manifest, parcels)
    if alternative_parcels is not None:
        changes["alternative_parcels"] = alternative_parcels
    if http_workers is not None:
        changes["http_workers"] = _workers(http_workers)
    if http_parcels is not None:
        changes["http_parcels"] = http_parcels
        changes["http_manifest"] = min(changes.get("http_manifest", options.http_manifest),
                                       http_parcels)
    if rounds is not None:
        changes["rounds"] = rounds
    if large is not None:
        changes["large"] = _workers(large)
    result = run(replace(options, **changes), say=lambda s: click.echo(f"... {s}", err=True))
    click.echo(tables(result))
    write(result, output)


@bench.command("seed")
@click.option("--parcels", type=click.IntRange(min=1), default=1_000_000, show_default=True)
@click.option("--database", required=True, metavar="URL", help="SQLAlchemy URL to fill")
@click.option("--tenants", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--seed", "seed_", type=int, default=1, show_default=True)
def seed(parcels: int, database: str, tenants: int, seed_: int) -> None:
    """Fill a database with realistic parcels, their events, tenants, couriers and offices
    (migrates it first; COPY on PostgreSQL, executemany on SQLite)."""
    from bench.seed import seed_database

    report = seed_database(database, parcels, tenants=tenants, seed=seed_,
                           say=lambda s: click.echo(f"... {s}", err=True))
    click.echo(json.dumps(report))


@bench.command("latency")
@click.option("--database", required=True, metavar="URL", help="A seeded database")
@click.option("--clients", type=click.IntRange(min=1), default=32, show_default=True)
@click.option("--requests", "count", type=click.IntRange(min=1), default=5000,
              show_default=True, help="Requests per endpoint")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="gunicorn workers")
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True,
              help="threads per gunicorn worker (gthread when above 1)")
@click.option("--keep-alive", is_flag=True,
              help="each client keeps one HTTP/1.1 connection (as a connection pool does); "
                   "only gthread workers (--threads above 1) keep it open")
@click.option("--endpoint", "endpoints", multiple=True,
              type=click.Choice(["status", "feed-marketplace", "feed-courier", "search"]),
              help="measure only these endpoints (repeat the option); default: all")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def latency(database: str, clients: int, count: int, workers: int, threads: int,
            keep_alive: bool, endpoints: tuple[str, ...], output: Path | None) -> None:
    """p50/p90/p99 of read endpoints under concurrent clients against gunicorn, and of the
    floor (a bare WSGI app with a constant reply, same gunicorn settings, same clients)."""
    from bench.latency import run_latency, table

    result = run_latency(database, clients=clients, requests_per_endpoint=count,
                         workers=workers, threads=threads, keep_alive=keep_alive,
                         endpoints=endpoints, say=lambda s: click.echo(f"... {s}", err=True))
    click.echo(table(result))
    if output is not None:
        output.write_text(json.dumps(result, indent=2))


@bench.command("console")
@click.option("--database", required=True, metavar="URL",
              help="The database bench.bench_officer seeded (or an empty one, with --seed)")
@click.option("--seed", "seed_parcels", type=click.IntRange(min=0), default=0,
              help="Seed this many parcels first when the database has none")
@click.option("--runs", type=click.IntRange(min=5), default=50, show_default=True)
@click.option("--manifest-parcels", type=click.IntRange(min=10), default=5000,
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), default=None)
def console_pages(database: str, seed_parcels: int, runs: int, manifest_parcels: int,
                  output: str | None) -> None:
    """Web console pages timed server-side (p50/p90/p99) on a seeded database."""
    from api import create_app
    from bench.bench_console import prepare, run

    customs, total = prepare(database, seed_parcels)
    try:
        run(customs, create_app(customs=customs), total, runs=runs,
            manifest_parcels=manifest_parcels, output=output)
    finally:
        customs.close()


@click.command("bench-forms")
@click.option("--parcels", type=click.IntRange(min=10), default=10_000, show_default=True)
@click.option("--rounds", type=click.IntRange(min=1), default=3, show_default=True)
@DATABASE
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def bench_forms(parcels: int, rounds: int, database: str | None, output: Path | None) -> None:
    """JSON against XML intake throughput (parcels/s) on the same manifest: the reader, the
    offline check and the whole intake (docs/performance.md, "JSON and XML")."""
    from bench.forms import forms_table, run_forms

    result = run_forms(parcels, rounds, database, say=lambda s: click.echo(f"... {s}", err=True))
    click.echo(forms_table(result))
    if output is not None:
        output.write_text(json.dumps(result, indent=2))

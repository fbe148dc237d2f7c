"""`customs authority-sim`: run the customs-authority simulator as its own web service."""

from __future__ import annotations

from pathlib import Path

import click

from simulator.app import create_sim_app, make_state


@click.command("authority-sim")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8100, show_default=True)
@click.option("--service-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="Our signing certificate, pinned to verify batches")
@click.option("--key-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("authority-sim-keys"), show_default=True,
              help="The simulator's own key (made on first start); give the service its "
                   "cert.pem as CUSTOMS_AUTHORITY_CERT")
@click.option("--notify-url", default=None,
              help="Where decisions are pushed, e.g. http://127.0.0.1:8000/v1/authority/"
                   "notifications (they are also offered at GET /v1/decisions?after=N)")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--delay", type=float, default=0.5, show_default=True,
              help="Seconds between acknowledgement and decisions")
@click.option("--hold-share", type=click.FloatRange(0, 1), default=0.05, show_default=True)
@click.option("--album", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="FTS format album 5.23.0 folder: also speak the "
                                 "ru-fts-express profile (registries, custom marks)")
@click.option("--ceb-schemas", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="GACC CEB message definitions 2022-05 folder: also speak the "
                                 "cn-ceb profile (CEB621/603 in, CEB622/604 receipts out)")
def authority_sim(host: str, port: int, service_cert: Path, key_dir: Path,
                  notify_url: str | None, seed: int, delay: float, hold_share: float,
                  album: Path | None, ceb_schemas: Path | None) -> None:
    """Receive signed batches, acknowledge them, send signed per-parcel decisions later.

    Rules (deterministic per seed): prohibited HS chapter 93 → REFUSED; chapter 30 or a sampled
    share → HELD; value over EUR 200 (RU) or EUR 150 → DUTY_DUE (15 % of the excess);
    otherwise RELEASED. POST /admin/mode {"mode": "down|slow|error|ok"} makes it fail."""
    from werkzeug.serving import run_simple

    state = make_state(service_cert, key_dir, notify_url=notify_url, seed=seed, delay=delay,
                       hold_share=hold_share, album=album, ceb=ceb_schemas)
    cert = (key_dir / "cert.pem").resolve()
    click.echo(f"authority simulator on http://{host}:{port}/v1/batches\n"
               f"its certificate (give it to the service): {cert}\n"
               f"  export CUSTOMS_AUTHORITY_URL=http://{host}:{port}/v1/batches "
               f"CUSTOMS_AUTHORITY_CERT={cert}")
    # Not app.run(): Flask ignores it under its own CLI (FLASK_RUN_FROM_CLI) and returns at once.
    run_simple(host, port, create_sim_app(state), threaded=True)

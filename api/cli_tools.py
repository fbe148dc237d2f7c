"""Offline commands: `customs validate` and `customs sample-manifest`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import click

from api.cli_app import load_settings
from api.cli_progress import progress
from api.gunzip import GzipCorrupt, GzipTooLarge, gunzip, is_gzip
from customs.domain.errors import ManifestRefused


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def validate(file: Path, fmt: str) -> None:
    """Validate a manifest, XML or JSON, gzip-compressed or not ('-': standard input): exit 0
    all parcels valid, 1 some invalid, 2 file unusable."""
    from customs.offline import offline_validator

    settings = load_settings()
    validator = offline_validator(settings)
    name = "<stdin>" if str(file) == "-" else str(file)
    document = _read(file, name, fmt, settings.max_manifest_bytes)
    try:
        with progress("validated", "parcels", enabled=fmt == "text") as tick:
            header, outcomes = validator.validate(document, progress=tick,
                                                  json=_is_json(document, file))
    except ManifestRefused as exc:
        _unusable(fmt, exc.code, f"{name}: {exc.detail}",
                  [v.to_document() for v in exc.violations])
    rejected = [o for o in outcomes if not o.accepted]
    if fmt == "json":
        click.echo(json.dumps({
            "file": name, "ref": header.ref, "parcels": len(outcomes),
            "accepted": len(outcomes) - len(rejected), "rejected": len(rejected),
            "rejections": [{"position": o.position, "tracking_number": o.tracking_number,
                            "line": o.line, "violations": [v.to_document() for v in o.violations]}
                           for o in rejected]}, ensure_ascii=False, indent=2))
    else:
        for o in rejected:
            for v in o.violations:
                click.echo(f"{name}:{v.line or o.line}: parcel {o.position} "
                           f"{o.tracking_number or '-'}: {v.code}: {v.message} [{v.path}]")
        click.echo(f"{name}: {len(outcomes)} parcels, {len(outcomes) - len(rejected)} valid, "
                   f"{len(rejected)} invalid")
    sys.exit(1 if rejected else 0)


def _is_json(document: bytes, file: Path) -> bool:
    """JSON: a file named .json (.json.gz), or one that starts with '{' or '['."""
    if file.name.endswith((".json", ".json.gz")):
        return True
    return document.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"{", b"[")


def _read(file: Path, name: str, fmt: str, max_bytes: int) -> bytes:
    """The document's bytes (gunzipped, within the manifest cap, when gzip); an empty or
    binary file is refused here, in words, rather than by the parser's first complaint."""
    try:
        document = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    except OSError as exc:
        _unusable(fmt, "FILE_UNREADABLE", f"{name}: {exc.strerror}", [])
    if is_gzip(document):
        try:
            document = gunzip(document, max_bytes)
        except GzipTooLarge as exc:
            _unusable(fmt, "MANIFEST_TOO_LARGE", f"{name}: {exc} (CUSTOMS_MAX_MANIFEST_BYTES)",
                      [])
        except GzipCorrupt as exc:
            _unusable(fmt, "FILE_UNREADABLE", f"{name}: the gzip file is corrupt ({exc})", [])
    if not document.strip():
        _unusable(fmt, "MANIFEST_NOT_WELL_FORMED", f"{name}: the file is empty", [])
    if b"\0" in document[:4096] and not document.startswith((b"\xff\xfe", b"\xfe\xff")):
        _unusable(fmt, "MANIFEST_NOT_WELL_FORMED",
                  f"{name}: not a manifest (the file holds binary data)", [])
    return document


def _unusable(fmt: str, code: str, detail: str, violations: list) -> NoReturn:
    if fmt == "json":
        click.echo(json.dumps({"error": code, "detail": detail, "violations": violations},
                              ensure_ascii=False, indent=2))
    else:
        click.echo(f"error: {code}: {detail}", err=True)
        for v in violations:
            if not v.get("path") and v["message"] in detail:
                continue  # the detail says it already, and there is no place to add
            where = f"line {v['line']}: " if v.get("line") else ""
            path = f" [{v['path']}]" if v.get("path") else ""
            click.echo(f"  {where}{v['message']}{path}", err=True)
    sys.exit(2)


@click.command("sample-manifest")
@click.option("--parcels", type=click.IntRange(1, 50_000), default=100, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--invalid-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option("--destination", default="RU", show_default=True)
@click.option("--office", default="10005020", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output")
@click.option("--format", "form", type=click.Choice(["xml", "json"]), default="xml",
              show_default=True, help="The manifest's form (the same content either way)")
def sample_manifest(parcels: int, seed: int, invalid_rate: float, destination: str,
                    office: str, out: Path | None, form: str) -> None:
    """Write a realistic generated manifest (chosen invalid parcels with --invalid-rate)."""
    from customs.bootstrap import generate_sample
    from schemas.manifest_json import xml_to_json

    with progress("generated", "parcels", total=parcels) as tick:
        sample = generate_sample(parcels, seed, invalid_rate=invalid_rate,
                                 destination=destination, customs_office=office, progress=tick)
    document = sample.xml if form == "xml" else xml_to_json(sample.xml, indent=1)
    if out is None:
        sys.stdout.buffer.write(document)
    else:
        out.write_bytes(document)
        bad = sum(1 for e in sample.expected if e)
        click.echo(f"wrote {out}: {parcels} parcels, {bad} designed invalid", err=True)

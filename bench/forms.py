"""`customs bench-forms`: JSON against XML intake on the same manifests (each generated XML
manifest and its JSON twin, schemas.manifest_json.xml_to_json): the reader alone (parse,
schema, canonical parcels), the offline check (reader and rules, what `customs validate`
does) and the whole intake in process (read, check, estimate, store in one transaction; no
signing), each the best of the rounds, a fresh database for each intake; the peak memory
growth of the reader and of the whole intake, each in a fresh interpreter (this process's
allocator keeps what earlier runs freed, which would hide the growth); and the bodies' sizes,
plain and gzip-compressed."""

from __future__ import annotations

import gzip
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import ROUNDS, Databases, best_of, environment, load_average, measure, timed
from bench.pipeline import ACTOR, tenant_of
from customs.bootstrap import bootstrap, generate_sample, wire
from customs.services import intake
from customs.settings import Settings
from schemas.manifest_json import xml_to_json

FORMS = {"xml": "application/xml", "json": "application/json"}


def run_forms(parcels: int, rounds: int, database: str | None = None,
              say: Callable[[str], None] = print) -> dict[str, Any]:
    ROUNDS[0] = rounds
    folder = Path(tempfile.mkdtemp(prefix="customs-bench-forms-"))
    started = time.perf_counter()
    try:
        result = _run(parcels, Databases(database, folder), say)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return result | {"rounds": rounds, "seconds": round(time.perf_counter() - started, 1),
                     "environment": environment(database), "load_after": load_average()}


def _run(parcels: int, dbs: Databases, say: Callable[[str], None]) -> dict[str, Any]:
    load_before = load_average()
    say(f"generating a manifest of {parcels} parcels and its JSON twin")
    xml = generate_sample(parcels, 1, invalid_rate=0.02).xml
    documents = {"xml": xml, "json": xml_to_json(xml)}
    for form, document in documents.items():
        (dbs.folder / f"manifest.{form}").write_bytes(document)
    wiring = wire(Settings(database_url=dbs.fresh()))
    readers = wiring.readers()
    forms: dict[str, Any] = {}
    for form, document in documents.items():
        reader = readers[FORMS[form]]
        say(f"{form}: the reader alone")
        read, outcomes = timed(parcels, lambda r=reader, d=document: list(r.open(d).parcels()))
        say(f"{form}: the offline check")
        checker = bootstrap(Settings(database_url=dbs.fresh()))
        check, _ = timed(parcels, lambda c=checker, d=document, f=form:
                         c.intake.validate_offline(d, media_type=FORMS[f]))
        checker.close()
        say(f"{form}: the whole intake")
        whole, receipt = best_of(lambda d=document, f=form: _intake(dbs.fresh(), d, FORMS[f]))
        say(f"{form}: peak memory of the reader and of the intake, in fresh interpreters")
        path = str(dbs.folder / f"manifest.{form}")
        forms[form] = {"bytes": len(document), "gzip_bytes": len(gzip.compress(document, 6)),
                       "read": read.as_dict(), "check": check.as_dict(),
                       "intake": whole.as_dict(), "accepted": receipt["accepted"],
                       "rejected": receipt["rejected"],
                       "schema_valid": sum(1 for o in outcomes if o.parcel is not None),
                       "peak_growth_mib": _in_child(_peaks, path, FORMS[form], dbs.fresh())}
    wiring.close()
    same = all(forms["xml"][k] == forms["json"][k] for k in ("accepted", "rejected"))
    return {"database": dbs.engine_name, "parcels": parcels, "load_before": load_before,
            "forms": forms, "same_receipts": same,
            "json_over_xml": {stage: round(forms["json"][stage]["per_second"]
                                           / forms["xml"][stage]["per_second"], 2)
                              for stage in ("read", "check", "intake")}}


def _in_child(function: Callable[..., Any], *args: Any) -> Any:
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def _peaks(path: str, media_type: str, url: str) -> dict[str, float]:
    """In a fresh interpreter: the reader's peak growth, then the whole intake's."""
    document = Path(path).read_bytes()
    wiring = wire(Settings(database_url=url))
    reader = wiring.readers()[media_type]
    with measure(0) as read:
        count = sum(1 for _ in reader.open(document).parcels())
    wiring.close()
    whole, _ = _intake(url, document, media_type)
    return {"parcels": count, "reader": round(read.peak_growth_mib, 1),
            "intake": round(whole.peak_growth_mib, 1)}


def _intake(url: str, document: bytes, media_type: str) -> tuple[Any, dict[str, Any]]:
    customs = bootstrap(Settings(database_url=url))
    try:
        tenant = tenant_of(customs)
        with measure(0) as m:
            receipt = customs.intake.submit_manifest(intake.SubmitManifest(
                tenant, "bench-forms", document, ACTOR, media_type=media_type))
        m.items = receipt.body["parcels"]
    finally:
        customs.close()
    return m, receipt.body


def forms_table(result: dict[str, Any]) -> str:
    lines = [f"customs bench-forms: {result['database']}, {result['parcels']:,} parcels, the "
             f"same manifest as XML and as JSON; best of {result['rounds']}; "
             f"{result['environment']['cores']} cores; {result['load_before']}", "",
             f"{'parcels/s':<26}{'XML':>10}{'JSON':>10}{'JSON/XML':>10}"]
    xml, json_ = result["forms"]["xml"], result["forms"]["json"]
    names = {"read": "reader (parse + schema)", "check": "offline check (+ rules)",
             "intake": "whole intake (+ store)"}
    for stage, name in names.items():
        lines.append(f"{name:<26}{xml[stage]['per_second']:>10,.0f}"
                     f"{json_[stage]['per_second']:>10,.0f}"
                     f"{result['json_over_xml'][stage]:>10.2f}")
    for stage in ("reader", "intake"):
        lines.append(f"{'peak growth MiB, ' + stage:<26}"
                     f"{xml['peak_growth_mib'][stage]:>10.1f}"
                     f"{json_['peak_growth_mib'][stage]:>10.1f}")
    sizes = [f"{f['bytes'] / 2**20:.1f} ({f['gzip_bytes'] / 2**20:.1f})" for f in (xml, json_)]
    lines.append(f"{'body MiB (gzip)':<26}{sizes[0]:>10}{sizes[1]:>10}")
    lines.append(f"same receipts: {result['same_receipts']} (accepted {json_['accepted']:,}, "
                 f"rejected {json_['rejected']:,})")
    lines.append(f"load after: {result['load_after']}")
    return "\n".join(lines)

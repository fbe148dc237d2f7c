"""`customs bench`: one run, one machine; prints the tables and writes the JSON."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import alternative as obvious
from bench import http, pipeline
from bench.common import ROUNDS, Databases, Measure, best_of, combined, environment, load_average
from bench.pipeline import Keys
from customs.bootstrap import bootstrap, generate_sample, wire

STAGES = ("parse_validate", "rules", "declare_sign", "store", "batch_build_sign")


@dataclass(frozen=True)
class Options:
    parcels: int = 10_000
    alternative_parcels: int = 1_000
    http_workers: tuple[int, ...] = (1, 2, 4)
    http_parcels: int = 8_000
    http_manifest: int = 500
    large: tuple[int, ...] = (10_000, 50_000)
    database: str | None = None
    rounds: int = 3

    @classmethod
    def quick(cls, database: str | None = None) -> Options:
        return cls(parcels=2_000, alternative_parcels=200, http_parcels=2_000,
                   http_manifest=250, large=(), database=database, rounds=2)


def run(options: Options, say: Callable[[str], None] = print) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="customs-bench-"))
    started = time.perf_counter()
    try:
        return _run(options, folder, say) | {"seconds": round(time.perf_counter() - started, 1)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(options: Options, folder: Path, say: Callable[[str], None]) -> dict[str, Any]:
    import signing

    ROUNDS[0] = options.rounds
    result: dict[str, Any] = {"load_before": load_average(), "rounds": options.rounds}
    dbs = Databases(options.database, folder)
    keys = Keys(*signing.generate_dev_key("ecdsa-p256", folder / "key", common_name="bench"))
    n, alt_n = options.parcels, min(options.alternative_parcels, options.parcels)
    say(f"generating manifests: {n} parcels (and {alt_n} for the alternative)")
    document = generate_sample(n, 1).xml
    alt_document = generate_sample(alt_n, 1).xml
    wiring = wire(keys.settings(dbs.fresh()))
    say("ours: each stage")
    ours, parsed = pipeline.ours(wiring, document, n, dbs, keys)
    say("ours: the whole pipeline in process")
    whole, check = best_of(lambda: pipeline.pipeline(dbs.fresh(), keys, document, n))
    say("the limit")
    limit = pipeline.limit(wiring, dbs, document, n, parsed)
    say("the obvious alternative")
    alternative = obvious.alternative(dbs, keys, alt_document, alt_n, parsed)
    wiring.close()
    limit_rate, alt_rate = pipeline.pipeline_rates(limit), pipeline.pipeline_rates(alternative)
    result |= {
        "database": dbs.engine_name, "parcels": n, "alternative_parcels": alt_n,
        "manifest_bytes": len(document),
        "stages": {s: {"ours": ours[s].as_dict(),
                       **({"limit": limit[s].as_dict()} if s in limit else {}),
                       **({"alternative": alternative[s].as_dict()} if s in alternative else {})}
                   for s in STAGES},
        "pipeline": {"ours": whole.as_dict() | check,
                     "ours_sum_of_stages_per_second": round(combined(
                         *(ours[s].rate for s in STAGES if s != "batch_build_sign")), 1),
                     "limit_per_second": round(limit_rate, 1),
                     "alternative_per_second": round(alt_rate, 1)},
        "ratio_to_limit": round(whole.rate / limit_rate, 3),
        "ratio_to_alternative": round(whole.rate / alt_rate, 2),
    }
    if options.http_workers:
        say(f"HTTP under gunicorn: {options.http_workers} workers")
        result["http"] = _http(options, dbs, keys)
    if options.large:
        result["large_manifests"] = [_large(size, dbs, keys, say) for size in options.large]
    result["environment"] = environment(options.database if dbs.url else None)
    result["load_after"] = load_average()
    return result


def _http(options: Options, dbs: Databases, keys: Keys) -> dict[str, Any]:
    size = options.http_manifest
    count = max(1, options.http_parcels // size)
    manifests = [generate_sample(size, 100 + i, ref=f"HTTP-{i}").xml for i in range(count)]
    runs = {}
    for workers in options.http_workers:
        url = dbs.fresh()
        customs = bootstrap(keys.settings(url))
        token = customs.access.create_api_key("bench-http", "marketplace")[1]
        customs.close()
        env = {"CUSTOMS_DATABASE_URL": url, "CUSTOMS_SIGNING_KEY": str(keys.key),
               "CUSTOMS_SIGNING_CERT": str(keys.cert), "CUSTOMS_LOG_LEVEL": "WARNING"}
        runs[str(workers)] = http.intake(env, token, manifests, size * count, workers)
    one = runs.get("1", {}).get("per_second")
    scaling = {f"{w}_over_1": round(r["per_second"] / one, 2)
               for w, r in runs.items() if one and w != "1"}
    return {"runs": runs, "scaling": scaling}


def _large(size: int, dbs: Databases, keys: Keys, say: Callable[[str], None]) -> dict[str, Any]:
    """In a fresh interpreter: this process's allocator already holds freed memory from the
    earlier runs, which would hide the growth."""
    import multiprocessing

    say(f"a {size}-parcel manifest in a fresh process (peak memory growth)")
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_large_in_child, (size, dbs.fresh(), str(keys.key), str(keys.cert)))


def _large_in_child(size: int, url: str, key: str, cert: str) -> dict[str, Any]:
    document = generate_sample(size, 7, invalid_rate=0.02).xml
    m, check = pipeline.pipeline(url, Keys(Path(key), Path(cert)), document, size)
    return {"parcels": size, "manifest_mib": round(len(document) / 2**20, 1)} | m.as_dict() \
        | check


# --- printing --------------------------------------------------------------------------------

def _fmt(m: dict[str, Any] | None) -> str:
    return "-" if not m else f"{m['per_second']:,.0f}"


def tables(result: dict[str, Any]) -> str:
    lines = [f"customs bench: {result['database']}, {result['parcels']:,} parcels "
             f"(alternative on {result['alternative_parcels']:,}); best of {result['rounds']}; "
             f"{result['environment']['cores']} cores; {result['load_before']}", "",
             f"{'parcels/s':<18}{'ours':>9}{'limit':>9}{'ours/lim':>9}{'altern.':>9}"
             f"{'ours/alt':>9}{'peak MiB':>9}"]
    for stage, row in result["stages"].items():
        ours, lim, alt = row["ours"], row.get("limit"), row.get("alternative")
        lines.append(
            f"{stage:<18}{_fmt(ours):>9}{_fmt(lim):>9}"
            f"{(ours['per_second'] / lim['per_second'] if lim else 0):>9.2f}"
            f"{_fmt(alt):>9}"
            f"{(ours['per_second'] / alt['per_second'] if alt else 0):>8.1f}x"
            f"{ours['peak_growth_mib']:>9.1f}")
    p = result["pipeline"]
    lines.append(f"{'PIPELINE':<18}{p['ours']['per_second']:>9,.0f}{p['limit_per_second']:>9,.0f}"
                 f"{result['ratio_to_limit']:>9.2f}{p['alternative_per_second']:>9,.0f}"
                 f"{result['ratio_to_alternative']:>8.1f}x{p['ours']['peak_growth_mib']:>9.1f}")
    lines.append(f"(pipeline = submit_manifest with inline declaration, one fresh database; "
                 f"sum of our stages: {p['ours_sum_of_stages_per_second']:,.0f}/s)")
    if "http" in result:
        lines += ["", f"{'HTTP intake':<18}{'parcels/s':>10}{'seconds':>9}{'vs 1':>7}"
                  f"{'cores used':>11}{'CPU ms/parcel':>14}{'peak MiB':>10}"]
        for w, r in result["http"]["runs"].items():
            ratio = result["http"]["scaling"].get(f"{w}_over_1", 1.0)
            lines.append(f"{w + ' worker(s)':<18}{r['per_second']:>10,.0f}{r['seconds']:>9.2f}"
                         f"{ratio:>7.2f}{r['cores_used']:>11.2f}{r['cpu_ms_per_parcel']:>14.3f}"
                         f"{r['worker_peak_mib']:>10.1f}")
        lines.append("(cores used = the gunicorn workers' CPU time / wall time: what the shared "
                     "machine gave them)")
    for large in result.get("large_manifests", []):
        lines.append(f"manifest of {large['parcels']:,} parcels ({large['manifest_mib']} MiB): "
                     f"{large['per_second']:,.0f} parcels/s, accepted {large['accepted']:,}, "
                     f"peak memory growth {large['peak_growth_mib']:.0f} MiB")
    lines += ["", "environment:"] + [f"  {k:<20} {v}" for k, v in result["environment"].items()]
    lines.append(f"load after: {result['load_after']}")
    return "\n".join(lines)


def write(result: dict[str, Any], output: Path | None) -> None:
    if output is not None:
        output.write_text(json.dumps(result, indent=2, ensure_ascii=False))


__all__ = ["Measure", "Options", "run", "tables", "write"]

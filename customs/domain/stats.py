"""Clearance-time percentiles, computed as PostgreSQL's percentile_cont does (linear)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

QUANTILES = {"p50": 0.5, "p90": 0.9, "p99": 0.99}


def percentile(sorted_values: Sequence[float], q: float) -> float:
    position = q * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def clearance_summary(seconds: Sequence[float]) -> dict[str, Any]:
    values = sorted(float(s) for s in seconds)
    summary: dict[str, Any] = {"count": len(values)}
    for name, q in QUANTILES.items():
        summary[name] = percentile(values, q) if values else None
    return summary

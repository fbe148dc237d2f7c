"""Prometheus metrics for the HTTP layer and the figures read from the database at scrape time.

In-process metrics (requests by route, method and status, their latency; the authority's
latency in workers) use prometheus_client. Under gunicorn with several workers, set
PROMETHEUS_MULTIPROC_DIR to an empty folder before start (gunicorn.conf.py wipes it and marks
dead workers): every process writes there and /metrics adds them up. Figures that describe the
whole system (parcels by status, backlog, batches and their attempts, the certificate) are read
from the database at each scrape, so every web process answers the same, on any machine.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from api.errors import ApiProblem
from api.spec.registry import Reply, operation
from customs.usecases import Application

REQUESTS = Counter("customs_http_requests", "HTTP requests by method, route and status",
                   ["method", "route", "status"])
LATENCY = Histogram("customs_http_request_duration_seconds",
                    "HTTP request latency by method, route and status",
                    ["method", "route", "status"],
                    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
                             60, 120))


def instrument(app: Flask) -> None:
    # The labelled children by (method, route, status), as many as the metrics hold anyway:
    # looked up once each instead of through labels() (a lock, checks) on every request.
    children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    @app.before_request
    def _start() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _record(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        key = (request.method, route, response.status_code)
        pair = children.get(key)
        if pair is None:
            labels = (key[0], route, str(key[2]))
            pair = children[key] = (REQUESTS.labels(*labels), LATENCY.labels(*labels))
        pair[0].inc()
        if started is not None:
            pair[1].observe(time.perf_counter() - started)
        return response


class DatabaseCollector:
    """Gauges computed from the database (and the signing key) at each scrape."""

    def __init__(self, customs: Application) -> None:
        self.customs = customs

    def collect(self) -> Iterator[GaugeMetricFamily]:
        signing = self.customs.operations.signing_status()
        yield GaugeMetricFamily("customs_signing_configured", "1 when a signing key is loaded",
                                value=1 if signing.configured else 0)
        if signing.configured:
            yield GaugeMetricFamily("customs_signing_certificate_days_left",
                                    "Days until the signing certificate's notAfter",
                                    value=signing.days_left)
            yield GaugeMetricFamily("customs_signing_certificate_expiring",
                                    "1 when 30 days or fewer are left",
                                    value=1 if signing.expiring else 0)
        figures = self.customs.operations.operational_figures()
        parcels = GaugeMetricFamily("customs_parcels", "Parcels by status", labels=["status"])
        for status, count in figures.parcels.items():
            parcels.add_metric([status], count)
        yield parcels
        batches = GaugeMetricFamily("customs_batches", "Batches by status", labels=["status"])
        attempts = GaugeMetricFamily("customs_batch_attempts",
                                     "Submission attempts of the batches, by batch status",
                                     labels=["status"])
        for status, (count, tries) in figures.batches.items():
            batches.add_metric([status], count)
            attempts.add_metric([status], tries)
        yield batches
        yield attempts
        backlog = GaugeMetricFamily("customs_backlog_parcels",
                                    "Parcels waiting for the next step", labels=["step"])
        for step, count in figures.backlog.items():
            backlog.add_metric([step], count)
        yield backlog
        yield GaugeMetricFamily("customs_backlog_oldest_seconds",
                                "Age of the oldest declared parcel not yet in a batch",
                                value=figures.oldest_unbatched_seconds)
        yield from self._authority_messages()

    def _authority_messages(self) -> Iterator[GaugeMetricFamily]:
        quarantined = GaugeMetricFamily(
            "customs_quarantined_messages", "Authority messages set aside (QUARANTINED: "
            "waiting for a person; REPLAYED: applied later)", labels=["status"])
        counts = {"QUARANTINED": 0, "REPLAYED": 0} | self.customs.authority.quarantine_counts()
        for status, count in counts.items():
            quarantined.add_metric([status], count)
        yield quarantined
        yield GaugeMetricFamily("customs_orphan_decisions",
                                "Authority decisions that matched no parcel of the batch they "
                                "answer (orphan_decisions, each with its reason)",
                                value=self.customs.authority.orphan_decision_count())
        yield GaugeMetricFamily("customs_pending_decisions",
                                "Decisions kept until their parcel gets where they apply",
                                value=self.customs.authority.pending_decision_count())


@operation("metrics", "operations", "Prometheus metrics, for the bearer of "
           "CUSTOMS_METRICS_TOKEN",
           Reply("Prometheus text exposition format", media={"text/plain": {
               "schema": {"type": "string"}, "example": "customs_parcels_total 42\n"}}),
           security=({"metricsToken": []},),
           errors=((401, "UNAUTHENTICATED: no or another token"),
                   (404, "NOT_FOUND: metrics off (CUSTOMS_METRICS_TOKEN unset)")))
def metrics() -> Response:
    """Prometheus text format: requests, parcels, backlog, batches, authority, certificate.

    Only for the bearer of CUSTOMS_METRICS_TOKEN: the figures describe every tenant's
    traffic, and each scrape queries the database. Without the setting /metrics is off (404)."""
    _require_metrics_token(current_app.extensions["customs"].settings.metrics_token)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = CollectorRegistry()
        registry.register(_Default())
    registry.register(DatabaseCollector(current_app.extensions["customs"]))  # type: ignore[arg-type]
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def _require_metrics_token(expected: str | None) -> None:
    if expected is None:
        raise ApiProblem(404, "NOT_FOUND", "metrics are off: set CUSTOMS_METRICS_TOKEN")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(),
                                                            expected.encode()):
        raise ApiProblem(401, "UNAUTHENTICATED", "send CUSTOMS_METRICS_TOKEN as "
                         "'Authorization: Bearer <token>'",
                         headers={"WWW-Authenticate": 'Bearer realm="metrics"'})


class _Default:
    """This process's own metrics (single-process mode)."""

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()

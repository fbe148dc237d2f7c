"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py` (docs/deployment.md).

Environment: GUNICORN_WORKERS (default: one per core), GUNICORN_THREADS (default 1: sync
workers), GUNICORN_BIND, GUNICORN_TIMEOUT, GUNICORN_KEEPALIVE (seconds, default 75),
CUSTOMS_LOG_FORMAT (json by default here: one JSON object per line from gunicorn, the app and
the stdlib alike), PROMETHEUS_MULTIPROC_DIR (an empty folder for the metrics of all workers;
set it before start, it is wiped here).
"""

import multiprocessing
import os
import shutil
from pathlib import Path

wsgi_app = "api.wsgi:app"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "sync" if threads == 1 else "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))  # a 50,000-parcel manifest takes a while
graceful_timeout = 30
# How long a gthread worker keeps an idle connection open (sync workers close every connection
# after its reply). gunicorn's default, 2 s, is for clients on the open internet; here a TLS
# proxy or a courier's connection pool sits in front and keeps connections for up to 60 s
# (nginx upstream keepalive_timeout, AWS ALB idle timeout): if gunicorn closes first, the proxy
# may send a request on a connection being closed and a POST fails with 502. An idle
# connection costs a socket in the worker's poller, no thread.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
max_requests = 2000  # recycle workers to bound memory growth
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"

os.environ.setdefault("CUSTOMS_LOG_FORMAT", "json")


def _check_settings():
    """Once, in the master, before any worker: unknown CUSTOMS_* variables are warned about,
    and settings that cannot be used stop gunicorn with one line each (not a traceback per
    worker)."""
    import sys

    from customs.domain.errors import SettingsInvalid
    from customs.settings import Settings, unknown_variables

    for line in unknown_variables():
        print(line, file=sys.stderr)
    try:
        Settings()
    except SettingsInvalid as exc:
        for line in exc.lines:
            print(f"error: {line}", file=sys.stderr)
        sys.exit(2)


_check_settings()
if os.environ["CUSTOMS_LOG_FORMAT"] == "json":
    from customs.logs import gunicorn_logconfig

    logconfig_dict = gunicorn_logconfig(os.environ.get("CUSTOMS_LOG_LEVEL", "INFO").upper())
    logger_class = "customs.access_log.JsonAccessLogger"  # the access line's fields alone


def on_starting(server):
    """A fresh folder for multi-process metrics: stale files would add old counts."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

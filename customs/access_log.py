"""gunicorn's access log for JSON lines: the record carries only the fields JsonFormatter
writes (customs.logs), taken straight from the request.

gunicorn's own `Logger.access` builds ~40 atoms for every request (every request header,
response header and WSGI environ variable, copied and quote-escaped, plus a strftime) for a
format string that JSON lines never use: a visible share of a status look-up (measured in
docs/performance.md). Selected by
gunicorn.conf.py (`logger_class`) when CUSTOMS_LOG_FORMAT is json; the text format keeps
gunicorn's logger and its access_log_format.
"""

from __future__ import annotations

import logging
from typing import Any

from gunicorn import glogging


class JsonAccessLogger(glogging.Logger):
    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log.isEnabledFor(logging.INFO):  # logconfig_dict: always on
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        # The keys of gunicorn's atoms, so JsonFormatter reads either logger's records alike.
        atoms = {"m": environ.get("REQUEST_METHOD"), "U": environ.get("PATH_INFO"),
                 "s": status, "B": getattr(resp, "sent", None),
                 "L": f"{request_time.seconds}.{request_time.microseconds:06d}",
                 # The id the app answered with (api.request_id), or the caller's.
                 "{x-request-id}i": environ.get("customs.request_id")
                 or environ.get("HTTP_X_REQUEST_ID")}
        try:
            self.access_log.info(self.cfg.access_log_format, atoms)
        except Exception:  # as gunicorn's: a logging failure never fails the request
            self.exception("access log line failed")

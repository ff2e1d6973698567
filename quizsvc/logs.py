"""Structured logs: one JSON object per line (python-json-logger), each request tagged with
its request id.

The id comes from the caller's ``X-Request-ID`` when it is sane, else a new one; it is
echoed in the response so a client can quote it in a bug report. A record's ``extra``
fields become keys of its object (grading logs carry ``grader_version``).
"""

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


class RequestId(logging.Filter):
    """Adds the request id to every record logged while a request is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g:
            record.request_id = g.request_id
        return True


def json_formatter() -> JsonFormatter:
    return JsonFormatter(
        "{asctime}{levelname}{name}{message}",
        style="{",
        datefmt="%Y-%m-%dT%H:%M:%S",
        rename_fields={"asctime": "ts", "levelname": "level", "name": "logger", "exc_info": "exc"},
        json_ensure_ascii=False,
    )


def configure(level: str, fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestId())
    if fmt == "json":
        handler.setFormatter(json_formatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("quizsvc")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


def init_app(app: Flask) -> None:
    access = logging.getLogger("quizsvc.access")

    @app.before_request
    def _start():
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
            access.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - g.request_started) * 1000, 1),
                },
            )
        return response

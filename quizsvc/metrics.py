"""Prometheus metrics: ``GET /metrics`` in the text format.

Under gunicorn every worker is a process of its own, so the metrics live in files
(prometheus-client's multiprocess mode): gunicorn_conf.py points PROMETHEUS_MULTIPROC_DIR
at an empty folder before anything imports prometheus_client, ``quizsvc serve`` hands the
same folder to its consumer, and a worker's files are dropped when it exits. A scrape of
any worker then adds up all of them. Without that variable (one process: tests, ``flask
run``, ``quizsvc worker --metrics-port``) the metrics are this process's own.

What is measured:
- ``quizsvc_http_request_duration_seconds{endpoint, method, status}``: every request,
  ``endpoint`` being the route's pattern (``/api/v1/attempts/<id:attempt_id>``);
- ``quizsvc_grading_duration_seconds`` (one batch: an answer, or a submission's answers)
  and ``quizsvc_answers_graded_total``, wherever grading runs;
- ``quizsvc_queue_depth`` (tasks waiting, read from the queue's storage at each scrape)
  and ``quizsvc_task_failures_total{task}``;
- ``quizsvc_delivery_failures_total{channel}``: failed tries of webhooks, partner callbacks
  and emails;
- ``quizsvc_db_pool_connections{state}``: database connections ``open`` and ``in_use`` (of
  live processes), and ``quizsvc_db_pool_capacity`` (what the pools may open).
"""

import logging
import os
import time
from pathlib import Path

from flask import Flask, g, request
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client import values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event

log = logging.getLogger(__name__)

# Grading an answer takes 4-40 ms on 2 cores; a submission of 20 answers 0.1-1 s.
_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Histogram(
    "quizsvc_http_request_duration_seconds",
    "HTTP requests by endpoint, method and status",
    ["endpoint", "method", "status"],
    buckets=_SECONDS,
)
GRADING = Histogram("quizsvc_grading_duration_seconds", "Grading one batch of answers", buckets=_SECONDS)
GRADED = Counter("quizsvc_answers_graded", "Answers graded")
TASK_FAILURES = Counter("quizsvc_task_failures", "Queue tasks that raised an error", ["task"])
DELIVERY_FAILURES = Counter(
    "quizsvc_delivery_failures", "Failed tries of webhooks, partner callbacks and emails", ["channel"]
)
POOL = Gauge(
    "quizsvc_db_pool_connections",
    "Database connections of live processes: open, and checked out (in use)",
    ["state"],
    multiprocess_mode="livesum",
)
POOL_CAPACITY = Gauge(
    "quizsvc_db_pool_capacity", "Connections the live processes' pools may open", multiprocess_mode="livesum"
)


def graded(answers: int, seconds: float) -> None:
    """One batch of ``answers`` graded in ``seconds``."""
    GRADING.observe(seconds)
    GRADED.inc(answers)


def delivery_failed(channel: str) -> None:
    DELIVERY_FAILURES.labels(channel=channel).inc()


def task_failed(task: str) -> None:
    TASK_FAILURES.labels(task=task).inc()


def watch_pool(engine) -> None:
    """Count the engine's pool: connections opened and closed, checked out and in; its
    capacity once per process that connects (a preloaded master forks before connecting)."""
    pool = engine.pool
    capacity = getattr(pool, "size", lambda: 0)() + max(getattr(pool, "_max_overflow", 0), 0)
    opened, in_use = POOL.labels(state="open"), POOL.labels(state="in_use")
    counted = set()

    def connected(*_):
        if os.getpid() not in counted:
            counted.add(os.getpid())
            POOL_CAPACITY.inc(capacity)
        opened.inc()

    event.listen(engine, "connect", connected)
    event.listen(engine, "close", lambda *_: opened.dec())
    event.listen(engine, "close_detached", lambda *_: opened.dec())
    event.listen(engine, "checkout", lambda *_: in_use.inc())
    event.listen(engine, "checkin", lambda *_: in_use.dec())


class _QueueDepth:
    """Read at each scrape: tasks waiting in the app's queue storage (absent if it does not answer)."""

    def __init__(self, app: Flask):
        self._app = app

    def collect(self):
        from quizsvc.queue import queue

        try:
            waiting = queue.huey(self._app).pending_count()
        except Exception:  # noqa: BLE001 - /readyz reports the storage; a scrape must not fail
            log.warning("queue depth unavailable", exc_info=True)
            return
        family = GaugeMetricFamily("quizsvc_queue_depth", "Tasks waiting in the queue")
        family.add_metric([], waiting)
        yield family


class _ThisProcess:
    def collect(self):
        yield from REGISTRY.collect()


def _multiprocess() -> bool:
    """Whether this process records into files: decided once, when prometheus_client was first
    imported (PROMETHEUS_MULTIPROC_DIR set then), whatever the environment says now."""
    return values.ValueClass is not values.MutexValue


def _registry(app: Flask) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    if _multiprocess():
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(_QueueDepth(app))
    return registry


def exposition(app: Flask) -> bytes:
    return generate_latest(_registry(app))


def serve(app: Flask, port: int) -> None:
    """Serve /metrics on ``port`` from a thread (a queue consumer, which has no web server)."""
    start_http_server(port, registry=_registry(app))


def forget_dead_processes(folder: str) -> int:
    """Drop the metric files of processes that no longer run (a previous server's, or a
    crashed one's live gauges); returns how many. Counters of workers that exited in this
    run stay, so totals never go backwards."""
    dropped = 0
    for path in Path(folder).glob("*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            path.unlink(missing_ok=True)
            dropped += 1
    return dropped


def init_app(app: Flask) -> None:
    from quizsvc.db import db

    watch_pool(db.engine(app))

    @app.before_request
    def _start():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response):
        started = g.pop("metrics_started", None)
        if started is not None:
            endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
            REQUESTS.labels(endpoint=endpoint, method=request.method, status=str(response.status_code)).observe(
                time.perf_counter() - started
            )
        return response

"""gunicorn settings, from the same QUIZSVC_* environment as the app.

    gunicorn -c quizsvc/gunicorn_conf.py "quizsvc:create_app()"

Web processes hold no state of their own, so workers (and machines) can be added freely.
Background work (deliveries, deadlines, grading of queued submissions) runs in the queue's
consumers, ``quizsvc worker``, never in these processes.
"""

import os
import tempfile

from quizsvc.config import default_workers, env_bool, env_int

# Metrics: every worker writes its own into this folder (prometheus-client's multiprocess
# mode), set before anything imports prometheus_client; /metrics on any worker adds them up.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="quizsvc-metrics-")

bind = os.environ.get("QUIZSVC_BIND", "127.0.0.1:8000")
workers = env_int("QUIZSVC_WORKERS", default_workers())
# Threads wait (the database, the one encoder of the worker) while others run: 8 measured
# best of 1, 4 and 8 (bench/RESULTS.md), and light requests find a free thread during grading.
threads = env_int("QUIZSVC_THREADS", 8)
timeout = env_int("QUIZSVC_TIMEOUT", 60)
# Load the app and the encoder's weights once in the master, before forking: the workers
# share them copy-on-write (about 150 MB PSS a worker instead of 260; README, "Measured").
preload_app = env_bool("QUIZSVC_PRELOAD", True)
# The largest request line and headers gunicorn accepts (it answers beyond them itself, with
# 414 or 431 and an HTML page): well above anything the API documents, e.g. a question search
# with every filter at its longest, percent-encoded.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Requests are logged by the app itself, with their request id.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("QUIZSVC_LOG_LEVEL", "info").lower()


def on_starting(server):
    """Files left by the processes of an earlier run would be counted again: drop them."""
    from quizsvc.metrics import forget_dead_processes

    forget_dead_processes(os.environ["PROMETHEUS_MULTIPROC_DIR"])


def child_exit(server, worker):
    """A worker is gone: its live gauges (database connections) no longer count."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def when_ready(server):
    """Preloaded: load the encoder in the master, before the workers are forked."""
    if server.cfg.preload_app:
        from quizsvc.grading import grading

        grading.load(server.app.wsgi())


def post_fork(server, worker):
    """A preloaded app's database connections belong to the master: each worker opens its own."""
    if server.cfg.preload_app:
        from quizsvc.db import db

        db.engine(server.app.wsgi()).dispose(close=False)


def post_worker_init(worker):
    """Load the sentence encoder in the background, so the first grading request does not
    wait for it (/readyz answers 503 until it is loaded); the app stays lazy outside gunicorn."""
    from quizsvc.grading import grading

    grading.load_in_background(worker.wsgi)

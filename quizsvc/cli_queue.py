"""``quizsvc worker`` (a queue consumer) and ``quizsvc serve`` (gunicorn and one consumer)."""

import ctypes
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

# How long ``serve`` waits for a process to stop after asking, before killing it.
STOP_SECONDS = 30


@click.command("worker")
@click.option("--threads", default=4, show_default=True, help="Tasks run at once (deliveries wait on the network).")
@click.option(
    "--periodic/--no-periodic",
    default=True,
    show_default=True,
    help="Also run the every-minute work (dispatch, sweep, reminders); one consumer with it is enough, more do no harm.",
)
@click.option(
    "--metrics-port",
    type=int,
    default=None,
    help="Serve this consumer's Prometheus metrics on this port (under `quizsvc serve` they join gunicorn's /metrics).",
)
@with_appcontext
def worker_command(threads, periodic, metrics_port):
    """Run a queue consumer: deliveries, deadlines and grading, reminders. Ctrl-C stops it gracefully."""
    from quizsvc import metrics
    from quizsvc.queue import queue

    if metrics_port is not None:
        metrics.serve(current_app._get_current_object(), metrics_port)
    _lower_priority(current_app.config["QUIZSVC_WORKER_NICE"])

    handler_owner = logging.getLogger("quizsvc")
    huey_log = logging.getLogger("huey")
    huey_log.handlers[:] = handler_owner.handlers
    huey_log.setLevel(handler_owner.level)
    huey_log.propagate = False
    queue.consumer(current_app._get_current_object(), workers=threads, periodic=periodic).run()


def _lower_priority(nice: int) -> None:
    """Run this consumer ``nice`` steps below the web processes (QUIZSVC_WORKER_NICE): its
    grading takes the cores only when requests leave them free."""
    if nice and hasattr(os, "nice"):
        try:
            os.nice(nice)
        except OSError as error:
            logging.getLogger(__name__).warning("the consumer keeps its priority: %s", error)


def _die_with_parent() -> None:
    # Linux: the child gets SIGTERM if `serve` itself dies (even by SIGKILL), so nothing is orphaned.
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _start(args: list[str]) -> subprocess.Popen:
    # A session of its own: a Ctrl-C reaches `serve` alone, which stops each child once.
    return subprocess.Popen(args, start_new_session=True, preexec_fn=_die_with_parent)


def _stop(process: subprocess.Popen, sig: int) -> None:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@click.command("serve")
@click.option("--threads", default=2, show_default=True, help="Threads of the consumer.")
def serve_command(threads):
    """Run gunicorn and one queue consumer together; Ctrl-C, or either one stopping, stops both."""
    config = Path(__file__).resolve().parent / "gunicorn_conf.py"
    # One metrics folder for gunicorn's workers and the consumer: /metrics shows both.
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="quizsvc-metrics-"))
    web = _start([sys.executable, "-m", "gunicorn", "-c", str(config), "quizsvc:create_app()"])
    worker = _start([sys.executable, "-m", "quizsvc", "worker", "--threads", str(threads)])
    stopping = []
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    while not stopping and web.poll() is None and worker.poll() is None:
        time.sleep(0.2)
    ended = [name for name, p in (("gunicorn", web), ("worker", worker)) if p.poll() is not None]
    if ended and not stopping:
        click.echo(f"quizsvc serve: {' and '.join(ended)} stopped; stopping the rest", err=True)
    # gunicorn stops gracefully on SIGTERM, a Huey consumer on SIGINT.
    _stop(worker, signal.SIGINT)
    _stop(web, signal.SIGTERM)
    codes = [web.returncode, worker.returncode]
    sys.exit(0 if stopping else next((c for c in codes if c), 1) or 1)


def init_app(app) -> None:
    app.cli.add_command(worker_command)
    app.cli.add_command(serve_command)

"""A live gunicorn serving the app on a database of the test run, for the tests that need real
HTTP and real processes (fuzzing, crashes). Workers grade with the deterministic fake encoder.

    with gunicorn(database_url, workers=2) as server:
        requests.get(server.url + "/healthz")
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def create_app():
    """The factory gunicorn loads (``tests.live:create_app()``): the app as configured by the
    environment, grading with the fake encoder so that workers start in a second."""
    from quizsvc import create_app as create
    from tests.fakes import FakeEmbedder

    return create({"QUIZSVC_EMBEDDER": FakeEmbedder()})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def errors(self) -> str:
        """What the server wrote to stderr so far."""
        return self.log.read_text(errors="replace")

    def workers(self) -> list[int]:
        """The worker processes' ids (the master's children)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def kill_worker(self) -> int:
        """SIGKILL one worker, as the kernel's OOM killer or a crash would; the master starts another."""
        victim = self.workers()[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def wait_for_workers(self, count: int, *, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.workers()) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"gunicorn has {len(self.workers())} of {count} workers")
            time.sleep(0.1)


@contextmanager
def gunicorn(database_url: str, *, workers: int = 1, env: dict | None = None):
    port = free_port()
    instance = tempfile.mkdtemp(prefix="quizsvc-live-")
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("QUIZSVC_")},
        "QUIZSVC_ENV": "testing",
        "QUIZSVC_DATABASE_URL": database_url,
        "QUIZSVC_BIND": f"127.0.0.1:{port}",
        "QUIZSVC_WORKERS": str(workers),
        "QUIZSVC_LOG_LEVEL": "WARNING",
        # Never the project's instance/ folder; tasks the workers queue stay in them (no consumer
        # runs here), and links are signed as in the test processes.
        "QUIZSVC_INSTANCE_PATH": instance,
        "QUIZSVC_QUEUE_URL": "memory://",
        "QUIZSVC_SECRET_KEY": "test-secret-key-that-signs-links-0123456789",
        **(env or {}),
    }
    # A file, not a pipe: nobody reads the server's log while it runs, and a full pipe would stall it.
    log = Path(tempfile.mkstemp(prefix="quizsvc-gunicorn-", suffix=".log")[1])
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [BIN / "gunicorn", "-c", "quizsvc/gunicorn_conf.py", "tests.live:create_app()"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{server.url}/readyz", timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise RuntimeError(f"gunicorn did not come up: {server.errors()}") from None
                time.sleep(0.2)
        server.wait_for_workers(workers)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.unlink()
        shutil.rmtree(instance, ignore_errors=True)

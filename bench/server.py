"""A real server for the benches: gunicorn with quizsvc's own config on a free port, over a
throw-away database (a SQLite file, or a schema of its own on the local PostgreSQL) holding
the seed bank and an admin key. Also: per-process memory from /proc, percentiles, the
machine's load, and locust run headless in a process of its own.

Used by the other scripts in bench/; not a bench itself.
"""

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES_URL = os.environ.get("QUIZSVC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SEED = ROOT / "seed" / "llm_interview_zh.yaml"


def torch_app():
    """The app with the bundled encoder served through sentence-transformers and torch (the
    other way to serve it, measured against the torch-free default in bench/workers.py)."""
    from quizsvc import create_app
    from quizsvc.config import env_bool, env_int
    from quizsvc.scoring.embedding import SentenceTransformerEmbedder, limit_threads

    threads = env_int("QUIZSVC_ENCODER_THREADS", 1)
    limit_threads(threads)
    embedder = SentenceTransformerEmbedder(threads=threads, serial=env_bool("QUIZSVC_ENCODE_SERIAL", True))
    return create_app({"QUIZSVC_EMBEDDER": embedder})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values, share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def load_average() -> str:
    """What `uptime` says of the machine's load: the figures beside it are only as quiet as this."""
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def memory_of(pid: int) -> dict:
    """Resident and proportional set size of one process, in MB (/proc/PID/smaps_rollup):
    PSS counts a page shared by n processes as 1/n, so the PSS of all workers adds up."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024
    return {"rss_mb": round(fields["Rss"], 1), "pss_mb": round(fields["Pss"], 1)}


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


class Database:
    """A throw-away database: ``Database("sqlite"|"postgresql")``; ``url``; ``drop()``."""

    def __init__(self, backend: str, folder: Path):
        self.backend = backend
        self.schema = None
        if backend == "sqlite":
            self.url = f"sqlite:///{folder / 'bench.db'}"
            return
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        self.schema = f"quizsvc_bench_{uuid.uuid4().hex[:12]}"
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        engine.dispose()
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={self.schema}"})
        self.url = url.render_as_string(hide_password=False)

    def drop(self) -> None:
        if self.schema is None:
            return
        from sqlalchemy import create_engine, text

        engine = create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        engine.dispose()


class Server:
    """gunicorn serving quizsvc: ``with Server(env={...}) as server: server.url, server.key``.

    ``env``: QUIZSVC_* settings of the server (workers, threads, queue...); ``app``: the
    gunicorn app spec; ``preload``: gunicorn's preload_app.
    """

    def __init__(self, *, env: dict | None = None, app: str = "quizsvc:create_app()", backend: str = "sqlite"):
        self.folder = Path(tempfile.mkdtemp(prefix="quizsvc-bench-"))
        self.database = Database(backend, self.folder)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = app
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("QUIZSVC_")},
            "QUIZSVC_DATABASE_URL": self.database.url,
            "QUIZSVC_INSTANCE_PATH": str(self.folder),
            "QUIZSVC_BIND": f"127.0.0.1:{self.port}",
            "QUIZSVC_LOG_LEVEL": "WARNING",
            "QUIZSVC_SECRET_KEY": "bench-secret-key-0123456789abcdef0123",
            **(env or {}),
        }
        self.process = None
        self.key = None

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [BIN / "quizsvc", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise RuntimeError(f"quizsvc {' '.join(args)} failed: {done.stderr}")
        return done.stdout

    def prepare(self) -> "Server":
        """Migrate, import the seed bank, make an admin key."""
        self.cli("db", "upgrade")
        self.cli("bank", "import", str(SEED))
        self.key = self.cli("keys", "create", "--org", "default", "--role", "admin").strip().splitlines()[-1]
        return self

    def start(self, *, ready_in_a_row: int = 0, timeout: float = 180) -> dict:
        """Start gunicorn; returns seconds until the first ready answer, and until
        ``ready_in_a_row`` answers in a row were ready (every worker loaded, as far as
        requests spread over them)."""
        started = time.perf_counter()
        self.log = self.folder / "server.log"  # a file: a pipe nobody reads would fill and stop gunicorn
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [BIN / "gunicorn", "-c", str(ROOT / "quizsvc" / "gunicorn_conf.py"), self.app],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        first, streak = None, 0
        while streak < max(ready_in_a_row, 1):
            if self.process.poll() is not None or time.perf_counter() - started > timeout:
                self.stop()
                raise RuntimeError(f"gunicorn did not become ready: {self.log.read_text()[-3000:]}")
            status = self.status("/readyz")
            if status == 200:
                first = first or time.perf_counter() - started
                streak += 1
            else:
                streak = 0
                time.sleep(0.05)
        return {"first_ready_s": round(first, 2), "all_ready_s": round(time.perf_counter() - started, 2)}

    def status(self, path: str) -> int | None:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None

    def request(self, method: str, path: str, body=None, headers: dict | None = None):
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.key}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"null")

    def total(self, path: str) -> int:
        """The total of a paginated list (its X-Pagination header)."""
        request = urllib.request.Request(self.url + path, headers={"Authorization": f"Bearer {self.key}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return int(json.loads(response.headers["X-Pagination"])["total"])

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def memory(self) -> dict:
        return {
            "master": memory_of(self.process.pid),
            "workers": [memory_of(pid) for pid in self.workers()],
        }

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.database.drop()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def locust(
    locustfile: Path, *, host: str, users: int, spawn_rate: float, seconds: int, env: dict, classes: tuple = ()
) -> dict:
    """Run locust headless in a process of its own (``classes``: which user classes, with
    ``--users`` spread over them); returns its rows by name ("Aggregated": all)."""
    prefix = Path(tempfile.mkdtemp(prefix="quizsvc-locust-")) / "run"
    subprocess.run(
        [
            BIN / "locust",
            "-f",
            str(locustfile),
            *classes,
            "--headless",
            "--host",
            host,
            "--users",
            str(users),
            "--spawn-rate",
            str(spawn_rate),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "30",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    return rows

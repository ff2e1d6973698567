"""What `make run` and the Docker image run: `quizsvc init`, then gunicorn with our config."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.headers, response.read()


@pytest.fixture
def served(tmp_path):
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("QUIZSVC_")},
        "QUIZSVC_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "QUIZSVC_INSTANCE_PATH": str(tmp_path),
        "QUIZSVC_BIND": f"127.0.0.1:{port}",
        "QUIZSVC_WORKERS": "2",
    }
    init = subprocess.run(
        [BIN / "quizsvc", "init"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert init.returncode == 0, init.stderr
    [key] = [line for line in init.stdout.splitlines() if line.startswith("qzk_")]
    server = subprocess.Popen(
        [BIN / "gunicorn", "-c", "quizsvc/gunicorn_conf.py", "quizsvc:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            _get(f"{base}/healthz")
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"gunicorn did not come up: {server.stderr.read()}")
            time.sleep(0.2)
    yield base, key
    server.terminate()
    server.wait(timeout=30)
    server.stderr.close()


def test_gunicorn_serves_the_seed_bank(served):
    base, key = served
    status, headers, body = _get(f"{base}/api/v1/questions", {"Authorization": f"Bearer {key}"})
    questions = json.loads(body)
    assert status == 200 and len(questions) == 20
    assert questions[0]["prompt"] == "什麼是大型語言模型（LLM）？它們與傳統語言模型有什麼區別？"
    assert json.loads(headers["X-Pagination"])["total"] == 20
    assert headers["X-Request-ID"]
    assert _get(f"{base}/readyz")[0] == 200
    assert b"swagger-ui-bundle.js" in _get(f"{base}/docs")[2]


def _children(pid: int) -> dict[int, str]:
    """Child processes of ``pid`` and their command lines (Linux /proc)."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found[int(child)] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    return found


def _serve(tmp_path):
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("QUIZSVC_")},
        "QUIZSVC_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "QUIZSVC_INSTANCE_PATH": str(tmp_path),
        "QUIZSVC_BIND": f"127.0.0.1:{port}",
        "QUIZSVC_WORKERS": "1",
    }
    subprocess.run([BIN / "quizsvc", "init", "--no-seed"], cwd=ROOT, env=env, capture_output=True, check=True)
    serve = subprocess.Popen([BIN / "quizsvc", "serve"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            _get(f"http://127.0.0.1:{port}/healthz")
            children = _children(serve.pid)
            if len(children) == 2:
                return serve, children
        except OSError:
            pass
        if serve.poll() is not None or time.monotonic() > deadline:
            serve.kill()
            pytest.fail(f"quizsvc serve did not come up: {serve.stderr.read()}")
        time.sleep(0.2)


def test_serve_runs_gunicorn_and_a_consumer_and_ctrl_c_stops_both(tmp_path):
    serve, children = _serve(tmp_path)
    assert sorted("gunicorn" in c for c in children.values()) == [False, True]
    assert any(c.endswith("-m quizsvc worker --threads 2 ") for c in children.values())
    serve.send_signal(signal.SIGINT)
    assert serve.wait(timeout=40) == 0
    serve.stderr.close()
    assert all(
        not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text() for pid in children
    )


def test_serve_stops_everything_when_the_consumer_dies(tmp_path):
    serve, children = _serve(tmp_path)
    [worker] = [pid for pid, c in children.items() if "worker" in c]
    os.kill(worker, signal.SIGKILL)
    assert serve.wait(timeout=40) != 0
    with serve.stderr:
        assert "worker stopped; stopping the rest" in serve.stderr.read()
    [web] = [pid for pid in children if pid != worker]
    assert not Path(f"/proc/{web}").exists()

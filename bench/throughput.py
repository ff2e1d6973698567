"""Grading throughput through ``POST /api/v1/score`` by server configuration, one run.

    .venv/bin/python bench/throughput.py [--seconds 10] [--rounds 3] [--users 8] [--before]

For each configuration a real gunicorn serves a copy of the seed bank; all of them are
started first and stay up (idle servers cost nothing). Then, ``--rounds`` times over, each
in turn gets locust, headless in a process of its own, running ``--users`` clients grading
back to back (bench/locust/score.py) for ``--seconds``; the figure is the median of a
configuration's rounds, in answers graded per second. Taking turns, every configuration
sees the same drift of the machine's load. Configurations: the default
(one worker per core: 2 here, 8 threads, one BLAS thread, one encoding at a time per worker), one
worker, and the grid around the default (threads 1, 4 and 16, encodings side by side);
``--before`` adds the configuration this replaced (2 workers x 4 threads, 2 BLAS threads,
encodings side by side, torch loaded). The limits: 2 workers at least 1.7 times 1 worker,
and the default within 10% of the best.

locust takes a share of the same cores: on 2 cores it leaves the server a little less
than both.
"""

import argparse
import json
import statistics
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.grade_latency import ANSWER, variants  # noqa: E402
from bench.server import ROOT, Server, load_average, locust  # noqa: E402
from bench.workers import question_id  # noqa: E402

LIMIT_SCALING = 1.7
LIMIT_DEFAULT_SHARE = 0.9
CONFIGURATIONS = {
    "default": {},
    "1 worker": {"QUIZSVC_WORKERS": "1"},
    "threads 1": {"QUIZSVC_THREADS": "1"},
    "threads 4": {"QUIZSVC_THREADS": "4"},
    "threads 16": {"QUIZSVC_THREADS": "16"},
    "encodings side by side": {"QUIZSVC_ENCODE_SERIAL": "false"},
}
BEFORE = {
    "QUIZSVC_WORKERS": "2",
    "QUIZSVC_THREADS": "4",
    "QUIZSVC_ENCODER_THREADS": "2",
    "QUIZSVC_ENCODE_SERIAL": "false",
    "QUIZSVC_PRELOAD": "false",
}


def start(env: dict, app: str = "quizsvc:create_app()") -> tuple[Server, int]:
    server = Server(env=env, app=app).prepare()
    server.start(ready_in_a_row=20)
    question = question_id(server)
    with ThreadPoolExecutor(4) as pool:
        body = lambda a: {"question_id": question, "answer": a}  # noqa: E731
        list(pool.map(lambda a: server.request("POST", "/api/v1/score", body(a)), variants(ANSWER, 40)))
    return server, question


def load(server: Server, question: int, *, seconds: int, users: int) -> dict:
    rows = locust(
        ROOT / "bench" / "locust" / "score.py",
        host=server.url,
        users=users,
        spawn_rate=users,
        seconds=seconds,
        env={"BENCH_KEY": server.key, "BENCH_QUESTION": str(question)},
    )
    total = rows["Aggregated"]
    return {"rate": float(total["Requests/s"]), "failures": int(total["Failure Count"]), "p95_ms": float(total["95%"])}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--before", action="store_true", help="also the configuration this replaced")
    args = parser.parse_args()
    from quizsvc.config import default_workers

    configurations = dict(CONFIGURATIONS)
    if default_workers() != 2:
        configurations["2 workers"] = {"QUIZSVC_WORKERS": "2"}
    if args.before:
        configurations["before"] = BEFORE
    load_before = load_average()
    servers = {}
    try:
        for name, env in configurations.items():
            servers[name] = start(env, "bench.server:torch_app()" if name == "before" else "quizsvc:create_app()")
        rounds = {name: [] for name in configurations}
        for _ in range(args.rounds):
            for name, (server, question) in servers.items():
                rounds[name].append(load(server, question, seconds=args.seconds, users=args.users))
    finally:
        for server, _ in servers.values():
            server.stop()
    results = {}
    for name, runs in rounds.items():
        results[name] = {
            "configuration": name,
            "settings": configurations[name],
            "answers_per_s": round(statistics.median(r["rate"] for r in runs), 1),
            "rounds": [round(r["rate"], 1) for r in runs],
            "failures": sum(r["failures"] for r in runs),
            "p95_ms": max(r["p95_ms"] for r in runs),
        }
        print(json.dumps(results[name]), flush=True)
    results.pop("before", None)
    rate = {name: row["answers_per_s"] for name, row in results.items()}
    best = max(rate, key=rate.get)
    scaling = rate.get("2 workers", rate["default"]) / rate["1 worker"]
    share = rate["default"] / rate[best]
    print(
        json.dumps(
            {
                "two_workers_over_one": round(scaling, 2),
                "limit_two_over_one": LIMIT_SCALING,
                "default_over_best": round(share, 3),
                "best": best,
                "limit_default_over_best": LIMIT_DEFAULT_SHARE,
                "met": scaling >= LIMIT_SCALING and share >= LIMIT_DEFAULT_SHARE,
                "load_before": load_before,
                "load_after": load_average(),
            }
        )
    )


if __name__ == "__main__":
    main()

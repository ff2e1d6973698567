"""Grading throughput through ``POST /api/v1/score`` by server configuration, one run.

    .venv/bin/python bench/throughput.py [--seconds 20] [--users 8] [--before]

For each configuration a real gunicorn serves a copy of the seed bank, and locust, headless
in a process of its own, runs ``--users`` clients grading back to back (bench/locust/score.py)
for ``--seconds``; the figure is answers graded per second. Configurations: the default
(one worker per core: 2 here, 4 threads, one BLAS thread, one encoding at a time per worker), one
worker, and the grid around the default (threads 1 and 8, encodings side by side);
``--before`` adds the configuration this replaced (2 workers x 4 threads, 2 BLAS threads,
encodings side by side, torch loaded). The limits: 2 workers at least 1.7 times 1 worker,
and the default within 10% of the best.

locust takes a share of the same cores: on 2 cores it leaves the server a little less
than both.
"""

import argparse
import json
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
    "threads 8": {"QUIZSVC_THREADS": "8"},
    "encodings side by side": {"QUIZSVC_ENCODE_SERIAL": "false"},
}
BEFORE = {
    "QUIZSVC_WORKERS": "2",
    "QUIZSVC_THREADS": "4",
    "QUIZSVC_ENCODER_THREADS": "2",
    "QUIZSVC_ENCODE_SERIAL": "false",
    "QUIZSVC_PRELOAD": "false",
}


def run(name: str, env: dict, *, seconds: int, users: int, app: str = "quizsvc:create_app()") -> dict:
    with Server(env=env, app=app).prepare() as server:
        server.start(ready_in_a_row=20)
        question = question_id(server)
        warm = variants(ANSWER, 40)
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda a: server.request("POST", "/api/v1/score", {"question_id": question, "answer": a}), warm))
        rows = locust(
            ROOT / "bench" / "locust" / "score.py",
            host=server.url,
            users=users,
            spawn_rate=users,
            seconds=seconds,
            env={"BENCH_KEY": server.key, "BENCH_QUESTION": str(question)},
        )
    total = rows["Aggregated"]
    return {
        "configuration": name,
        "settings": env,
        "answers_per_s": round(float(total["Requests/s"]), 1),
        "failures": int(total["Failure Count"]),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--before", action="store_true", help="also the configuration this replaced")
    args = parser.parse_args()
    from quizsvc.config import default_workers

    configurations = dict(CONFIGURATIONS)
    if default_workers() != 2:
        configurations["2 workers"] = {"QUIZSVC_WORKERS": "2"}
    load_before = load_average()
    results = {}
    for name, env in configurations.items():
        results[name] = run(name, env, seconds=args.seconds, users=args.users)
        print(json.dumps(results[name]), flush=True)
    if args.before:
        row = run("before", BEFORE, seconds=args.seconds, users=args.users, app="bench.server:torch_app()")
        print(json.dumps(row), flush=True)
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

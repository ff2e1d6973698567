"""Memory per web worker, start-up to ready and grading latency, for the two ways of serving
the bundled encoder lean, in one run.

    .venv/bin/python bench/workers.py [--workers 2] [--rounds 100] [--options all|default]

Options (each a real gunicorn with quizsvc/gunicorn_conf.py over a SQLite copy of the seed
bank):
- ``torch``: the encoder served through sentence-transformers (torch imported in every
  worker), as before; ``torch+preload``: the same with gunicorn's preload_app, the model
  loaded once in the master and shared copy-on-write;
- ``numpy``: the encoder served from numpy alone, no torch (the default);
  ``numpy+preload``: the same, preloaded.

For each: seconds from start to the first ready /readyz and until 20 in a row were ready;
then 4 clients grade 60 answers (every worker warm: its encoder, the question's vectors,
the word segmenter), then RSS and PSS of every worker from /proc/PID/smaps_rollup (PSS
counts shared pages once), then the p50 and p95 of ``POST /api/v1/score`` over
``--rounds`` answers one at a time. The limit: at most 400 MB PSS per worker.
"""

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.grade_latency import ANSWER, variants  # noqa: E402
from bench.server import Server, load_average, percentile  # noqa: E402

LIMIT_PSS_MB = 400
OPTIONS = {
    "torch": ("bench.server:torch_app()", False),
    "torch+preload": ("bench.server:torch_app()", True),
    "numpy": ("quizsvc:create_app()", False),
    "numpy+preload": ("quizsvc:create_app()", True),
}


def question_id(server: Server, slug: str = "self-attention") -> int:
    return next(q["id"] for q in server.request("GET", "/api/v1/questions?page_size=100") if q["slug"] == slug)


def score_ms(server: Server, question: int, answer: str) -> float:
    import time

    start = time.perf_counter()
    server.request("POST", "/api/v1/score", {"question_id": question, "answer": answer})
    return (time.perf_counter() - start) * 1000


def measure(name: str, *, workers: int, rounds: int, answers: list[str]) -> dict:
    app, preload = OPTIONS[name]
    env = {"QUIZSVC_WORKERS": str(workers), "QUIZSVC_PRELOAD": str(preload).lower()}
    with Server(env=env, app=app).prepare() as server:
        started = server.start(ready_in_a_row=20)
        question = question_id(server)
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda a: score_ms(server, question, a), answers[:60]))
        memory = server.memory()
        timings = [score_ms(server, question, a) for a in answers[60 : 60 + rounds]]
    worst = max(w["pss_mb"] for w in memory["workers"])
    return {
        "option": name,
        **started,
        "workers": memory["workers"],
        "master": memory["master"],
        "pss_per_worker_max_mb": worst,
        "pss_limit_mb": LIMIT_PSS_MB,
        "within_limit": worst <= LIMIT_PSS_MB,
        "score_p50_ms": round(percentile(timings, 0.5), 1),
        "score_p95_ms": round(percentile(timings, 0.95), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--options", default="all", help="all, default (numpy+preload), or names joined by commas")
    args = parser.parse_args()
    names = {"all": list(OPTIONS), "default": ["numpy+preload"]}.get(args.options) or args.options.split(",")
    answers = variants(ANSWER, 60 + args.rounds)
    print(json.dumps({"load": load_average()}))
    for name in names:
        print(json.dumps(measure(name, workers=args.workers, rounds=args.rounds, answers=answers)), flush=True)
    print(json.dumps({"load": load_average()}))


if __name__ == "__main__":
    main()

"""``POST /api/v1/score`` over HTTP against the bare encoding of the same answers, one run.

    .venv/bin/python bench/score_http.py [--rounds 300] [--database sqlite|postgresql]

A real gunicorn in its default configuration serves a copy of the seed bank. Each round
takes a 300-character answer the server has not seen (the sentences of bench/grade_latency.py's
answer in another order), encodes it here with the same encoder (numpy, one BLAS thread:
the bare model cost), then sends it to ``/score`` against the stored self-attention
question and waits for the grade; one thing runs at a time, so both see the same machine.
The first 40 rounds warm the server and are left out. The limit: the request's p50 at
most 1.5 times the encoding's p50.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.grade_latency import ANSWER, variants  # noqa: E402
from bench.server import Server, load_average, percentile  # noqa: E402
from bench.workers import question_id  # noqa: E402

LIMIT = 1.5
WARM_UP = 40


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    from quizsvc.scoring.embedding import load_embedder
    from quizsvc.scoring.text import clean

    encoder = load_embedder()
    answers = variants(ANSWER, WARM_UP + args.rounds)
    load_before = load_average()
    with Server(backend=args.database).prepare() as server:
        server.start(ready_in_a_row=20)
        question = question_id(server)
        encode_ms, score_ms = [], []
        for n, answer in enumerate(answers):
            start = time.perf_counter()
            encoder.encode([clean(answer)])
            encoded = time.perf_counter()
            server.request("POST", "/api/v1/score", {"question_id": question, "answer": answer})
            done = time.perf_counter()
            if n >= WARM_UP:
                encode_ms.append((encoded - start) * 1000)
                score_ms.append((done - encoded) * 1000)
    encode, score = statistics.median(encode_ms), statistics.median(score_ms)
    print(
        json.dumps(
            {
                "database": args.database,
                "rounds": args.rounds,
                "encode_p50_ms": round(encode, 2),
                "encode_p95_ms": round(percentile(encode_ms, 0.95), 2),
                "score_p50_ms": round(score, 2),
                "score_p95_ms": round(percentile(score_ms, 0.95), 2),
                "p50_ratio": round(score / encode, 3),
                "p95_ratio": round(percentile(score_ms, 0.95) / percentile(encode_ms, 0.95), 3),
                # Each round's request against its own encoding: steadier when the machine's speed drifts.
                "paired_ratio_median": round(statistics.median(s / e for s, e in zip(score_ms, encode_ms)), 3),
                "limit_p50_ratio": LIMIT,
                "met": score / encode <= LIMIT,
                "load_before": load_before,
                "load_after": load_average(),
            }
        )
    )


if __name__ == "__main__":
    main()

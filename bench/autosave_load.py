"""200 candidates autosaving on PostgreSQL for 2 minutes: errors against 0, one run.

    .venv/bin/python bench/autosave_load.py [--candidates 200] [--seconds 120] [--database postgresql|sqlite]

A real gunicorn in its default configuration, on a schema of its own in the local
PostgreSQL, serves a quiz of the 20 seed questions. Every candidate is invited and has
started before the clock starts; then locust, headless in a process of its own, has each
save one of their answers every 1-3 seconds (the text growing as if typed), and 5 staff
list questions, for ``--seconds``. Afterwards every candidate's attempt is read back and
the positions holding a saved answer are counted. The limit: 0 failed requests.
"""

import argparse
import json
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import ROOT, Server, load_average, locust  # noqa: E402
from bench.submit_load import candidates, quiz_of_everything  # noqa: E402

LIMIT_ERRORS = 0
LISTERS = 5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    args = parser.parse_args()
    with Server(backend=args.database).prepare() as server:
        server.start(ready_in_a_row=20)
        quiz = quiz_of_everything(server)
        typing = candidates(server, quiz, args.candidates, answers=0, tag="type")
        data = Path(tempfile.mkdtemp(prefix="quizsvc-bench-")) / "data.json"
        data.write_text(
            json.dumps({"key": server.key, "quiz_questions": 20, "submit": [], "autosave": [a["token"] for a in typing]})
        )
        load_before = load_average()
        rows = locust(
            ROOT / "bench" / "locust" / "candidates.py",
            host=server.url,
            users=args.candidates + LISTERS,
            spawn_rate=50,
            seconds=args.seconds,
            env={"BENCH_DATA": str(data)},
            classes=("Autosaver", "Lister"),
        )
        with ThreadPoolExecutor(4) as pool:
            token = lambda a: {"Authorization": f"Bearer {a['token']}"}  # noqa: E731
            saved = list(pool.map(lambda a: server.request("GET", "/api/v1/candidate/attempt", headers=token(a)), typing))
    answered = sum(1 for attempt in saved for q in attempt["questions"] if q.get("answer"))
    total = rows["Aggregated"]
    autosave = rows["autosave"]
    print(
        json.dumps(
            {
                "database": args.database,
                "candidates": args.candidates,
                "seconds": args.seconds,
                "requests": int(total["Request Count"]),
                "failures": int(total["Failure Count"]),
                "limit_failures": LIMIT_ERRORS,
                "met": int(total["Failure Count"]) <= LIMIT_ERRORS,
                "autosave_per_s": round(float(autosave["Requests/s"]), 1),
                "autosave_p50_ms": float(autosave["50%"]),
                "autosave_p95_ms": float(autosave["95%"]),
                "answers_stored": answered,
                "load_before": load_before,
                "load_after": load_average(),
            }
        )
    )


if __name__ == "__main__":
    main()

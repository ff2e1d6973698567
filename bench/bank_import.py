"""How long `quizsvc bank import` takes for a 2,000-question bank file, in every format.

    .venv/bin/python bench/bank_import.py [--questions 2000] [--database-url URL]

The 20 seed questions are repeated (each copy with its own slug and a numbered prompt)
to the requested count and written in each export format, plus a GIFT file stripped of
its rubric comments, so that every question's key points and keywords are drawn by the
seed rule as for a file from another system. Each file is imported by the `bank import`
command (in process: reading, validating, storing, one commit) into a new organisation
of a throw-away SQLite database (or the database URL given), so every question is
created. Prints one JSON line per file: the command's time against the target (10 s),
and the share of it spent reading and validating the file (measured apart, just before).
"""

import argparse
import copy
import json
import re
import tempfile
import time
from pathlib import Path

from alembic import command

from quizsvc import create_app
from quizsvc.bank import formats
from quizsvc.bank.bank_file import read_bank
from quizsvc.cli import alembic_config

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 10.0


def _bank(count: int) -> list[dict]:
    _, seed = read_bank(ROOT / "seed" / "llm_interview_zh.yaml")
    # Copies, not shared lists: YAML would write shared objects once, as aliases.
    return [
        {**copy.deepcopy(seed[n % len(seed)]), "slug": f"{seed[n % len(seed)]['slug']}-{n // len(seed)}"}
        | {"prompt": f"{seed[n % len(seed)]['prompt']} ({n // len(seed) + 1})"}
        for n in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="quizsvc-bench-"))
    app = create_app(
        {
            "QUIZSVC_DATABASE_URL": args.database_url or f"sqlite:///{folder / 'bench.db'}",
            "QUIZSVC_INSTANCE_PATH": str(folder),
            "QUIZSVC_LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    questions = _bank(args.questions)
    files = {fmt: formats.write(fmt, "bench", questions) for fmt in formats.EXPORT_FORMATS}
    # Another system's GIFT: no quizsvc rubric, so the seed rule draws every rubric.
    files["gift-seed-rule"] = re.sub(rb"(?m)^// .*\n", b"", files["gift"])
    runner = app.test_cli_runner()
    for label, data in files.items():
        fmt = label.split("-")[0]
        path = folder / formats.filename(f"bench-{label}", fmt)
        path.write_bytes(data)
        started = time.perf_counter()
        formats.read(data, source=path.name, format=fmt)  # reading and validating alone, for the split
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        result = runner.invoke(args=["bank", "import", str(path), "--format", fmt, "--org", f"bench-{label}"])
        seconds = time.perf_counter() - started
        if result.exit_code != 0:
            raise SystemExit(result.output)
        print(
            json.dumps(
                {
                    "file": label,
                    "questions": len(questions),
                    "bytes": len(data),
                    "seconds": round(seconds, 2),
                    "of_which_reading_and_validating": round(read_seconds, 2),
                    "target_seconds": TARGET_SECONDS,
                    "within_target": seconds < TARGET_SECONDS,
                    "result": result.stdout.strip().split(": ", 1)[1],
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()

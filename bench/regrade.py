"""Regrading stored answers against the model's own batch throughput, one run.

    .venv/bin/python bench/regrade.py [--attempts 100] [--database sqlite|postgresql]

A throw-away database gets the seed bank (20 questions), a quiz of all 20 and
``--attempts`` submitted attempts of 20 answers each (250-320 characters, written from the
question's reference with the clauses in another order per attempt; graded once as the
sweep grades submissions). Then ``jobs.regrade`` (what ``quizsvc regrade --force`` runs:
per attempt, lock it, grade its answers in one batch, store the grades and the event)
regrades all of them, and the same answers are encoded alone by the same encoder in
batches of 32, the model's own batch throughput. The two take turns, ten attempts at a
time (encode their 200 answers, regrade them), so both see the same drift of the
machine's load. The limit: regrading at least 0.8 times the encoding's answers per second.
"""

import argparse
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import Database, load_average  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 0.8
BATCH = 32
TURN = 10  # attempts per turn


class _LeftForTheSweep:
    """Submissions stay ``submitted``: ``jobs.sweep`` grades them afterwards, as consumers do."""

    def submitted(self, session, attempt) -> None:
        pass


LEFT_FOR_THE_SWEEP = _LeftForTheSweep()


def answer_for(item: dict, rng: random.Random) -> str:
    clauses = re.findall(r"[^，。；]+[，。；]?", item["references"][0])
    rng.shuffle(clauses)
    return "".join(clauses)[:320]


def encode(encoder, texts: list[str]) -> None:
    for at in range(0, len(texts), BATCH):
        encoder.encode(texts[at : at + BATCH])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=100)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    from alembic import command

    from quizsvc import create_app, jobs
    from quizsvc.bank.bank_file import read_bank
    from quizsvc.cli import alembic_config
    from quizsvc.db import db
    from quizsvc.grading import grading
    from quizsvc.scoring.text import clean
    from quizsvc.services import accounts, attempts, bank, quizzes

    folder = Path(tempfile.mkdtemp(prefix="quizsvc-bench-"))
    database = Database(args.database, folder)
    app = create_app(
        {
            "QUIZSVC_DATABASE_URL": database.url,
            "QUIZSVC_INSTANCE_PATH": str(folder),
            "QUIZSVC_QUEUE_URL": "memory://",
            "QUIZSVC_LOG_LEVEL": "WARNING",
        }
    )
    _, items = read_bank(ROOT / "seed" / "llm_interview_zh.yaml")
    by_prompt = {item["prompt"]: item for item in items}
    rng = random.Random(0)
    texts = []
    try:
        with app.app_context():
            command.upgrade(alembic_config(), "head")
            session = db.session
            organisation = accounts.get_or_create_organisation(session, name="bench")
            bank.import_bank(session, organisation_id=organisation.id, items=items)
            session.flush()
            ids = [v.question_id for v in quizzes_all(session, organisation.id)]
            quiz = quizzes.create(
                session,
                organisation_id=organisation.id,
                quiz_in={"name": "all 20", "question_ids": ids, "feedback_policy": "hiring"},
            )
            session.commit()
            for n in range(args.attempts):
                candidate = {"external_id": f"bench-{n}", "display_name": "Bench"}
                attempt, _ = attempts.create(
                    session, organisation_id=organisation.id, key_id=None, attempt_in={"quiz_id": quiz.id, "candidate": candidate}
                )
                attempts.start(session, attempt_id=attempt.id)
                for item in attempt.questions:
                    text = answer_for(by_prompt[item.version.prompt], rng)
                    texts.append(clean(text))
                    attempts.save_answer(session, attempt_id=attempt.id, position=item.position, answer=text)
                attempts.submit(session, attempt_id=attempt.id, grading=LEFT_FOR_THE_SWEEP)
                session.commit()
        load_before = load_average()
        graded = time.perf_counter()
        jobs.sweep(app)  # the first grading, as consumers grade submissions
        graded = time.perf_counter() - graded
        with app.app_context():
            encoder = grading._state()["embedder"]
            with db.sessionmaker()() as session:
                todo = attempts.attempts_to_regrade(session)
        encoding = regrading = 0.0
        counts = {"attempts": 0, "grades": 0}
        for at in range(0, len(todo), TURN):
            start = time.perf_counter()
            encode(encoder, texts[at * 20 : (at + TURN) * 20])
            encoding += time.perf_counter() - start
            start = time.perf_counter()
            done = jobs.regrade(app, todo[at : at + TURN], force=True)
            regrading += time.perf_counter() - start
            counts = {k: counts[k] + done[k] for k in counts}
    finally:
        database.drop()
    regrade, encode_rate = counts["grades"] / regrading, len(texts) / encoding
    print(
        json.dumps(
            {
                "database": args.database,
                "answers": counts["grades"],
                "attempts": counts["attempts"],
                "regrade_answers_per_s": round(regrade, 1),
                "encode_answers_per_s": round(encode_rate, 1),
                "ratio": round(regrade / encode_rate, 3),
                "limit": LIMIT,
                "met": regrade / encode_rate >= LIMIT,
                "first_grading_answers_per_s": round(counts["grades"] / graded, 1),
                "load_before": load_before,
                "load_after": load_average(),
            }
        )
    )


def quizzes_all(session, organisation_id: int):
    from quizsvc.services import questions

    versions, _ = questions.get_all(session, organisation_id=organisation_id)
    return versions


if __name__ == "__main__":
    main()

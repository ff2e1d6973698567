"""How long grading a 20-question submission takes, through the API, with the real encoder.

    .venv/bin/python bench/submission_latency.py [--rounds 5]

A throw-away SQLite database gets the seed bank (20 questions) and a quiz of all 20.
Each round invites a candidate, starts, saves an answer to every question (a 250-350
character answer written from the question's reference, with its own wording order) and
times ``POST /candidate/attempt/submit``, which grades the 20 answers in one batch and
stores the grades. The first round is "cold": the process has just started, so the
encoder loads and every reference is embedded and stored; later rounds are "warm", the
steady state of a running server. Prints JSON.
"""

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from alembic import command

from quizsvc import create_app
from quizsvc.bank.bank_file import read_bank
from quizsvc.cli import alembic_config
from quizsvc.db import db
from quizsvc.services import accounts, bank

ROOT = Path(__file__).resolve().parent.parent


def _answer(item: dict) -> str:
    """A plausible answer: the reference's sentences, last first, cut to about 300 characters."""
    sentences = [s for s in item["references"][0].replace("。", "。\n").splitlines() if s.strip()]
    text = "".join(reversed(sentences))
    return text[:320]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="quizsvc-bench-"))
    app = create_app(
        {
            "QUIZSVC_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
            "QUIZSVC_INSTANCE_PATH": str(folder),
            "QUIZSVC_LOG_LEVEL": "WARNING",
        }
    )
    _, items = read_bank(ROOT / "seed" / "llm_interview_zh.yaml")
    with app.app_context():
        command.upgrade(alembic_config(), "head")
        session = db.session
        organisation = accounts.get_or_create_organisation(session, name="bench")
        bank.import_bank(session, organisation_id=organisation.id, items=items)
        _, key = accounts.create_key(session, organisation_id=organisation.id, role="admin", name="bench")
        session.commit()
    client = app.test_client()
    staff = {"Authorization": f"Bearer {key}"}
    questions = client.get("/api/v1/questions?page_size=100", headers=staff).get_json()
    by_slug = {item["slug"]: item for item in items}
    quiz = client.post(
        "/api/v1/quizzes",
        json={"name": "all 20", "feedback_policy": "hiring", "question_ids": [q["id"] for q in questions]},
        headers=staff,
    ).get_json()

    timings, scores = [], []
    for n in range(args.rounds):
        invited = client.post(
            "/api/v1/attempts",
            json={"quiz_id": quiz["id"], "candidate": {"external_id": f"bench-{n}", "display_name": "Bench"}},
            headers=staff,
        ).get_json()
        token = {"Authorization": f"Bearer {invited['token']}"}
        client.post("/api/v1/candidate/attempt/start", headers=token)
        slugs = {q["id"]: q["slug"] for q in questions}
        for item in invited["questions"]:
            answer = _answer(by_slug[slugs[item["question_id"]]])
            client.put(f"/api/v1/candidate/attempt/answers/{item['position']}", json={"answer": answer}, headers=token)
        start = time.perf_counter()
        response = client.post("/api/v1/candidate/attempt/submit", headers=token)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200 and response.get_json()["status"] == "graded", response.get_json()
        detail = client.get(f"/api/v1/attempts/{invited['id']}", headers=staff).get_json()
        scores.append(detail["score"])

    warm = timings[1:]
    print(
        json.dumps(
            {
                "questions": len(invited["questions"]),
                "rounds": args.rounds,
                "cold_s": round(timings[0], 2),
                "all_s": [round(t, 3) for t in timings],
                "warm_median_s": round(statistics.median(warm), 3) if warm else None,
                "warm_max_s": round(max(warm), 3) if warm else None,
                "attempt_scores": scores,
                "database": "sqlite",
            }
        )
    )


if __name__ == "__main__":
    main()

"""Wrong against partial answers, and concise correct ones, on the seed bank.

    .venv/bin/python bench/wrong_answers.py

Reads the frozen set bench/wrong_partial.yaml (5 wrong, 5 partial and at least one
concise correct answer per seed question, in both Chinese scripts and English, written
before the grader was tuned against them). Prints, over pairs of answers to the same
question, the probability that a partial answer outscores a wrong one (ties count half),
each group's mean score and how many wrong answers are flagged, and the lowest concise
correct score (each must be 70 or more).
"""

import argparse
import json
import statistics
from pathlib import Path

import yaml

from quizsvc.bank.bank_file import read_bank
from quizsvc.scoring.embedding import load_embedder
from quizsvc.scoring.grader import Grader
from quizsvc.scoring.signals import QuestionSpec

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "bench" / "wrong_partial.yaml"


def load_answers(path: Path = ANSWERS) -> dict:
    """{question slug: {"wrong": [...], "partial": [...], "concise": [...]}}"""
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


def prepared_bank(grader: Grader) -> dict:
    _, items = read_bank(ROOT / "seed" / "llm_interview_zh.yaml")
    bank = {item["slug"]: item for item in items}
    return {
        slug: grader.prepare(
            QuestionSpec.from_dict(item),
            neighbours=[r for other, o in bank.items() if other != slug for r in o["references"]],
        )
        for slug, item in bank.items()
    }


def pair_share(better: dict, worse: dict) -> float:
    """P(better > worse) over pairs of answers to the same question, ties half."""
    wins = pairs = 0.0
    for slug in better:
        for b in better[slug]:
            for w in worse[slug]:
                wins += 1.0 if b > w else 0.5 if b == w else 0.0
                pairs += 1
    return wins / pairs


def measure(grader: Grader, answers: dict) -> dict:
    prepared = prepared_bank(grader)
    results = {
        group: {slug: grader.grade_many(prepared[slug], sets[group]) for slug, sets in answers.items()}
        for group in ("wrong", "partial", "concise")
    }
    scores = {group: {slug: [r.score for r in rs] for slug, rs in by.items()} for group, by in results.items()}
    uncapped = {
        group: {slug: [r.breakdown["before_flags"] for r in rs] for slug, rs in by.items()}
        for group, by in results.items()
    }

    def flat(by):
        return [v for values in by.values() for v in values]

    def flagged(group, flag):
        return sum(flag in r.flags for rs in results[group].values() for r in rs)

    concise = flat(scores["concise"])
    return {
        "questions": len(answers),
        "p_partial_over_wrong": round(pair_share(scores["partial"], scores["wrong"]), 3),
        "p_partial_over_wrong_before_flags": round(pair_share(uncapped["partial"], uncapped["wrong"]), 3),
        "wrong": {
            "answers": len(flat(scores["wrong"])),
            "mean": round(statistics.mean(flat(scores["wrong"])), 1),
            "flagged_misconception": flagged("wrong", "misconception"),
        },
        "partial": {
            "answers": len(flat(scores["partial"])),
            "mean": round(statistics.mean(flat(scores["partial"])), 1),
            "flagged_misconception": flagged("partial", "misconception"),
        },
        "concise": {
            "answers": len(concise),
            "mean": round(statistics.mean(concise), 1),
            "min": min(concise),
            "below_70": sum(s < 70 for s in concise),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    grader = Grader(load_embedder())
    print(json.dumps(measure(grader, load_answers()), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

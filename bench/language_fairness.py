"""The same answer in the reference's language and in another: graded alike?

    .venv/bin/python bench/language_fairness.py

Reads bench/translated_pairs.yaml (two pairs per seed question, Chinese and English) and
prints the mean and spread of (English grade - Chinese grade) over the pairs, before
flags (the model's view) and as shown. The seed references are in Chinese, so a positive
mean means an answer gains by being written in English.
"""

import json
import statistics
from pathlib import Path

import yaml

from quizsvc.scoring.embedding import load_embedder
from quizsvc.scoring.grader import Grader

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "bench" / "translated_pairs.yaml"


def measure(grader: Grader, prepared: dict) -> dict:
    pairs = yaml.safe_load(PAIRS.read_text(encoding="utf-8"))["questions"]
    shown, model = [], []
    for slug, items in pairs.items():
        for pair in items:
            zh, en = grader.grade_many(prepared[slug], [pair["zh"], pair["en"]])
            shown.append(en.score - zh.score)
            model.append(en.breakdown["before_flags"] - zh.breakdown["before_flags"])
    return {
        "pairs": len(shown),
        "mean_en_minus_zh": round(statistics.mean(shown), 1),
        "mean_en_minus_zh_before_flags": round(statistics.mean(model), 1),
        "sd_before_flags": round(statistics.stdev(model), 1),
        "en_higher": sum(d > 0 for d in model),
    }


def main() -> None:
    from wrong_answers import prepared_bank

    grader = Grader(load_embedder())
    print(json.dumps(measure(grader, prepared_bank(grader)), indent=1))


if __name__ == "__main__":
    main()

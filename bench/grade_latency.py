"""Grading latency against encoding alone, same model, one run.

    .venv/bin/python bench/grade_latency.py [--rounds 200]

Grades a 300-character answer against a stored (prepared, cached) seed question and
encodes the same answer alone, interleaved so both see the same machine state; prints
the medians and their ratio. Every round grades an answer not seen before (the same
sentences in another order), so per-text caches cannot flatter the figure. The goal: grading costs at most 1.5x the encoding.
"""

import argparse
import json
import math
import random
import statistics
import time
from pathlib import Path

from quizsvc.bank.bank_file import read_bank
from quizsvc.scoring.embedding import load_embedder
from quizsvc.scoring.grader import Grader
from quizsvc.scoring.signals import QuestionSpec
from quizsvc.scoring.text import clean

ROOT = Path(__file__).resolve().parent.parent
# 300 characters, an ordinary strong answer to the self-attention question.
ANSWER = (
    "自注意力機制讓序列中的每個詞都能直接關注其他所有詞。做法是把每個詞轉成查詢、鍵和值三個向量，"
    "用查詢和其他詞的鍵做點積並除以維度的平方根縮放，經過 softmax 得到注意力權重，再對值向量加權求和得到輸出。"
    "多頭注意力在不同的子空間並行學習不同的關聯，例如語法關係和指代關係。它能直接捕捉長距離依賴，"
    "不像 RNN 需要一步一步傳遞信息，而且序列中所有位置可以同時計算，非常適合 GPU 並行，訓練速度快很多。"
    "因為每一層都能看到整個上下文，模型對語義的理解更好，這也是 Transformer 和大型語言模型表現出色的重要原因之一。"
    "不過它的計算量和序列長度的平方成正比，長文本時需要稀疏注意力等改進方法。"
)


WARM_UP = 5


def sentences_of(text: str) -> list[str]:
    return [s + "。" for s in text.split("。") if s]


def variants(text: str, count: int) -> list[str]:
    """``count`` different answers of the same length and content: the sentences of
    ``text`` in different orders. Each round grades an answer the process has not seen,
    as a service does, so no per-text cache helps it; the question's side stays cached."""
    sentences = sentences_of(text)
    if count > math.factorial(len(sentences)) - 1:
        raise ValueError(f"{len(sentences)} sentences give at most {math.factorial(len(sentences)) - 1} other orders")
    rng, seen, out = random.Random(0), {text}, []
    while len(out) < count:
        order = sentences[:]
        rng.shuffle(order)
        candidate = "".join(order)
        if candidate not in seen:
            seen.add(candidate)
            out.append(candidate)
    return out


def examples_for(slug: str, others: list[str], count: int) -> list[dict]:
    """Reviewed examples: the question's answers in bench/wrong_partial.yaml, then other
    orders of the graded answer's sentences (none of them graded in a round)."""
    import yaml

    sets = yaml.safe_load((ROOT / "bench" / "wrong_partial.yaml").read_text(encoding="utf-8"))["questions"][slug]
    graded = [(a, 5.0) for a in sets["wrong"]] + [(a, 45.0) for a in sets["partial"]]
    graded += [(a, 85.0) for a in sets["concise"]] + [(a, 80.0) for a in others]
    return [{"answer": a, "score": s, "note": ""} for a, s in graded[:count]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument(
        "--examples", type=int, default=0, help="Reviewed examples the question has (the cost target is 1.6 at 50)."
    )
    args = parser.parse_args()
    most = math.factorial(len(sentences_of(ANSWER))) - 1 - WARM_UP
    most -= max(args.examples, 0)
    if not 1 <= args.rounds <= most:
        parser.error(f"--rounds must be 1 to {most}: each round grades a different order of the answer's sentences")

    _, items = read_bank(ROOT / "seed" / "llm_interview_zh.yaml")
    index = next(i for i, item in enumerate(items) if item["slug"] == "self-attention")
    embedder = load_embedder()
    grader = Grader(embedder)
    neighbours = [r for i, item in enumerate(items) if i != index for r in item["references"]]
    answers = variants(ANSWER, args.rounds + WARM_UP + args.examples)
    answers, reviewed = answers[: args.rounds + WARM_UP], answers[args.rounds + WARM_UP :]
    item = {**items[index], "examples": examples_for(items[index]["slug"], reviewed, args.examples)}
    prepared = grader.prepare(QuestionSpec.from_dict(item), neighbours=neighbours)  # done once per question version
    for answer in answers[:WARM_UP]:  # warm up: model load, jieba dictionary, the question's side
        embedder.encode([clean(answer)])
        grader.grade(prepared, answer)

    encode_ms, grade_ms = [], []
    for answer in answers[WARM_UP:]:
        start = time.perf_counter()
        embedder.encode([clean(answer)])
        encode_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        result = grader.grade(prepared, answer)
        grade_ms.append((time.perf_counter() - start) * 1000)

    encode, grade = statistics.median(encode_ms), statistics.median(grade_ms)
    print(
        json.dumps(
            {
                "answer_chars": len(ANSWER),
                "rounds": args.rounds,
                "encode_ms_median": round(encode, 2),
                "grade_ms_median": round(grade, 2),
                "encode_ms_p90": round(statistics.quantiles(encode_ms, n=10)[-1], 2),
                "grade_ms_p90": round(statistics.quantiles(grade_ms, n=10)[-1], 2),
                "ratio": round(grade / encode, 3),
                # Each round's grading against its own encoding: steadier when the machine's speed drifts.
                "ratio_paired_median": round(statistics.median(g / e for g, e in zip(grade_ms, encode_ms)), 3),
                "examples": args.examples,
                "score": result.score,
                "model": embedder.model_id,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()

"""On-topic but wrong versus on-topic and partly right, on the seed bank.

    .venv/bin/python bench/wrong_answers.py

Embedding similarity alone scores a fluent wrong answer like a partial one. This prints,
for answers written here (none copies a bank alias verbatim), how often the grader
catches the wrong claim (flag `misconception`) and how often it wrongly flags a correct
partial answer, with the mean scores of both groups.
"""

import json
import statistics
from pathlib import Path

from quizsvc.bank.bank_file import read_bank
from quizsvc.scoring.embedding import load_embedder
from quizsvc.scoring.evaluate import roc_auc
from quizsvc.scoring.grader import Grader
from quizsvc.scoring.signals import QuestionSpec

ROOT = Path(__file__).resolve().parent.parent

# (question slug, answer): each asserts a wrong claim in words of its own.
WRONG = [
    ("bert-vs-gpt", "BERT 其實也是一個字一個字往後生成的模型，只看左邊的上下文，跟 GPT 的做法一樣。"),
    (
        "bert-vs-gpt",
        "GPT uses the encoder and reads the whole sentence in both directions, while BERT is the generative decoder.",
    ),
    ("positional-encoding", "Transformer 不需要額外的位置信息，因為注意力計算本來就知道每個詞在第幾個位置。"),
    ("transformer-vs-rnn-lstm", "Transformer 和 LSTM 一樣要按時間步一個一個處理輸入，所以訓練也無法並行。"),
    ("multi-head-attention", "多頭注意力把計算拆成很多份，主要是為了讓計算量變小、跑得更快。"),
    (
        "gradient-checkpointing",
        "Gradient checkpointing saves model checkpoints to disk during training so that you can resume after a crash.",
    ),
    ("pretraining-and-fine-tuning", "微調時要把預訓練得到的參數全部丟掉，然後用新的標註數據從頭開始訓練。"),
    ("llm-evaluation-metrics", "困惑度越大代表模型預測得越準，所以我們希望困惑度盡量高。"),
    ("zero-shot-and-few-shot", "少樣本學習時，提示裡的幾個例子會直接改變模型的權重參數。"),
    ("external-knowledge-integration", "只要接上知識圖譜或檢索系統，模型就再也不會出現幻覺或錯誤回答。"),
]
# (question slug, answer): correct but incomplete.
PARTIAL = [
    ("bert-vs-gpt", "BERT 是雙向的編碼器模型，比較適合分類這類理解任務。"),
    ("bert-vs-gpt", "GPT is a decoder-only model that predicts the next token, so it is good at generating text."),
    ("positional-encoding", "自注意力本身不知道詞的順序，所以要加入位置編碼，常用正弦和餘弦函數。"),
    ("transformer-vs-rnn-lstm", "RNN 要逐步處理序列，難以並行；Transformer 用自注意力可以同時處理所有位置。"),
    ("multi-head-attention", "多頭注意力讓不同的頭關注不同的資訊，例如語法或語義關係。"),
    (
        "gradient-checkpointing",
        "Gradient checkpointing stores only some activations and recomputes the rest in the backward pass to save memory.",
    ),
    ("pretraining-and-fine-tuning", "預訓練用大量無標註文本學通用語言知識，微調再用少量標註數據適應具體任務。"),
    ("llm-evaluation-metrics", "困惑度越低越好，BLEU 常用於機器翻譯，ROUGE 常用於摘要。"),
    ("zero-shot-and-few-shot", "零樣本是不給例子直接做任務，少樣本是在提示裡給幾個例子。"),
    ("external-knowledge-integration", "可以先從知識圖譜檢索相關事實，再放進提示裡讓模型生成回答，這樣更準確。"),
]


def main() -> None:
    _, items = read_bank(ROOT / "seed" / "llm_interview_zh.yaml")
    bank = {item["slug"]: item for item in items}
    grader = Grader(load_embedder())
    prepared = {
        slug: grader.prepare(
            QuestionSpec.from_dict(item),
            neighbours=[r for other, o in bank.items() if other != slug for r in o["references"]],
        )
        for slug, item in bank.items()
    }

    def run(pairs):
        return [grader.grade(prepared[slug], answer) for slug, answer in pairs]

    def summary(results):
        return {
            "answers": len(results),
            "flagged_misconception": sum("misconception" in r.flags for r in results),
            "mean_score": round(statistics.mean(r.score for r in results), 1),
            "mean_score_before_flags": round(statistics.mean(r.breakdown["before_flags"] for r in results), 1),
        }

    wrong, partial = run(WRONG), run(PARTIAL)
    scores = [r.score for r in partial + wrong]
    labels = [True] * len(partial) + [False] * len(wrong)
    print(
        json.dumps(
            {
                "wrong": summary(wrong),
                "partial": summary(partial),
                # Probability that a partial answer outscores a wrong one (1.0: always).
                "auc_partial_over_wrong": round(roc_auc(scores, labels), 3),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()

"""The real bundled model: wrong against partial answers, concise correct answers, and
reviewed examples (a reviewer's override caught again)."""

import pytest
import yaml

from quizsvc.scoring.examples import Example
from quizsvc.scoring.signals import QuestionSpec
from tests.conftest import ROOT
from tests.scoring.test_model_seed import bank, prepared, real_grader  # noqa: F401 (fixtures)

pytestmark = pytest.mark.model

BENCH = yaml.safe_load((ROOT / "bench" / "wrong_partial.yaml").read_text(encoding="utf-8"))["questions"]

# Written here, not in the bench set: (question, wrong answer, partial answer).
WRONG_AND_PARTIAL = [
    (
        "bert-vs-gpt",
        "BERT 和 GPT 都是從左到右生成的模型，BERT 只是參數比較少而已。",
        "BERT 用掩碼語言模型預訓練，能同時看到左右兩邊的上下文。",
    ),
    (
        "positional-encoding",
        "位置编码其实可有可无，因为自注意力本来就会按顺序读每个词。",
        "因为自注意力不区分词的顺序，所以要给每个位置加上位置编码。",
    ),
]


@pytest.mark.parametrize("slug", sorted(BENCH))
def test_a_concise_correct_answer_scores_70_or_more(prepared, real_grader, slug):  # noqa: F811
    for answer in BENCH[slug]["concise"]:
        result = real_grader.grade(prepared[slug], answer)
        assert result.score >= 70, (result.score, result.flags, result.breakdown["before_flags"])


@pytest.mark.parametrize("slug, wrong, partial", WRONG_AND_PARTIAL)
def test_a_wrong_answer_scores_below_a_partial_one(prepared, real_grader, slug, wrong, partial):  # noqa: F811
    wrong_result, partial_result = real_grader.grade_many(prepared[slug], [wrong, partial])
    assert wrong_result.score < partial_result.score, (wrong_result.breakdown, partial_result.breakdown)


def _with_examples(bank, real_grader, slug, examples):  # noqa: F811
    item = {**bank[slug], "examples": examples}
    return real_grader.prepare(
        QuestionSpec.from_dict(item),
        neighbours=[r for other, o in bank.items() if other != slug for r in o["references"]],
    )


def test_after_one_override_a_paraphrase_of_the_wrong_answer_is_graded_like_it(bank, real_grader):  # noqa: F811
    wrong = "微調的時候要把預訓練得到的參數全部丟掉，再用新的標註數據從頭訓練模型。"
    paraphrase = "做微调时会先把预训练的参数都扔掉，然后用新的标注数据从零开始重新训练。"
    reviewed = _with_examples(
        bank,
        real_grader,
        "pretraining-and-fine-tuning",
        [{"answer": wrong, "score": 5, "note": "微調是在預訓練參數上繼續訓練，不是丟掉重練"}],
    )
    result = real_grader.grade(reviewed, paraphrase)
    assert abs(result.score - 5) <= 15, result.breakdown
    assert "like_reviewed_answer" in result.flags
    assert any("微調是在預訓練參數上繼續訓練" in line for line in result.feedback)
    assert len(result.examples_digest) == 64
    # A correct answer to the same question is not pulled toward the reviewed wrong one.
    correct = real_grader.grade(reviewed, BENCH["pretraining-and-fine-tuning"]["concise"][0])
    assert "like_reviewed_answer" not in correct.flags and correct.score >= 70


def test_without_examples_the_grade_is_exactly_todays(bank, prepared, real_grader):  # noqa: F811
    answer = BENCH["self-attention"]["partial"][0]
    plain = real_grader.grade(prepared["self-attention"], answer)
    empty = real_grader.grade(_with_examples(bank, real_grader, "self-attention", []), answer)
    assert empty.score == plain.score and empty.examples_digest == "" and empty.breakdown == plain.breakdown


def test_example_digest_names_the_set(bank, real_grader):  # noqa: F811
    from quizsvc.scoring.examples import digest_of

    one = (Example("a", 5.0, "n"), Example("b", 90.0))
    assert digest_of(one) == digest_of(tuple(reversed(one))) != digest_of(one[:1])
    assert digest_of(()) == ""

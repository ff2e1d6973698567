"""quizsvc.scoring.evaluate: datasets, metrics, cross-validation and the report."""

import json
import math

import numpy as np
import pytest

from quizsvc.scoring.evaluate import (
    DatasetError,
    Item,
    Observations,
    cross_validated,
    load_dataset,
    observe,
    pearson,
    report,
    roc_auc,
    spearman,
)
from quizsvc.scoring.signals import Signals

# -- load_dataset -------------------------------------------------------------------------


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_load_dataset_reads_csv(tmp_path):
    path = write(
        tmp_path / "set.csv",
        "question_id,question,reference_answer,reference_answer_2,student_answer,score\n"
        "q1,什么是 KV cache？,缓存键和值,缓存 key 和 value,缓存键值,4\n"
        "q1,什么是 KV cache？,缓存键和值,,不知道,0\n",
    )
    assert load_dataset(path) == [
        Item("q1", "什么是 KV cache？", ("缓存键和值", "缓存 key 和 value"), "缓存键值", 4.0),
        Item("q1", "什么是 KV cache？", ("缓存键和值",), "不知道", 0.0),
    ]


def test_load_dataset_reads_jsonl_with_answer_column_and_all_references(tmp_path):
    row = {
        "question": "What is dropout?",
        "all_reference_answers": "Zeroes activations | Random masking",
        "answer": "It masks units",
        "score": 2.5,
    }
    path = write(tmp_path / "set.jsonl", json.dumps(row) + "\n\n")  # blank lines are skipped
    assert load_dataset(path) == [
        Item("What is dropout?", "What is dropout?", ("Zeroes activations", "Random masking"), "It masks units", 2.5)
    ]


def test_load_dataset_removes_repeated_references(tmp_path):
    row = {
        "question": "q",
        "reference_answer": "r",
        "reference_answer_2": " r ",
        "all_reference_answers": "r | s",
        "student_answer": "a",
        "score": "1",
    }
    path = write(tmp_path / "set.jsonl", json.dumps(row) + "\n")
    assert load_dataset(path)[0].references == ("r", "s")


@pytest.mark.parametrize(
    "header, row",
    [
        ("question,reference_answer,score", "q,r,3"),  # no answer column
        ("reference_answer,student_answer,score", "r,a,3"),  # no question
        ("question,student_answer,score", "q,a,3"),  # no reference
        ("question,reference_answer,student_answer,score", "q,r,a,"),  # blank score
    ],
    ids=["answer", "question", "reference", "score"],
)
def test_missing_column_is_a_dataset_error_naming_file_and_row(tmp_path, header, row):
    path = write(tmp_path / "bad.csv", f"{header}\n{row}\n")
    with pytest.raises(DatasetError) as error:
        load_dataset(path)
    assert str(error.value) == (
        f"{path}: row 1: needs question, reference_answer, student_answer (or answer) and score"
    )


def test_bad_score_is_a_dataset_error_naming_file_row_and_value(tmp_path):
    path = write(tmp_path / "bad.csv", "question,reference_answer,student_answer,score\nq,r,a,3\nq,r,a,five\n")
    with pytest.raises(DatasetError, match=r"bad\.csv: row 2: score 'five' is not a number$") as error:
        load_dataset(path)
    assert str(path) in str(error.value)


def test_bad_score_in_jsonl_names_the_row(tmp_path):
    good = {"question": "q", "reference_answer": "r", "answer": "a", "score": 1}
    path = write(tmp_path / "bad.jsonl", "\n".join(json.dumps(r) for r in (good, good, {**good, "score": "x"})) + "\n")
    with pytest.raises(DatasetError, match=r"bad\.jsonl: row 3: score 'x' is not a number"):
        load_dataset(path)


def test_dataset_error_is_a_value_error():
    assert issubclass(DatasetError, ValueError)


def test_dataset_without_rows_is_an_error(tmp_path):
    path = write(tmp_path / "empty.csv", "question,reference_answer,student_answer,score\n")
    with pytest.raises(DatasetError, match=r"empty\.csv: no rows$"):
        load_dataset(path)


def test_unreadable_dataset_is_an_error(tmp_path):
    with pytest.raises(DatasetError, match=r"missing\.csv: cannot read"):
        load_dataset(tmp_path / "missing.csv")
    broken = write(tmp_path / "broken.jsonl", "{not json\n")
    with pytest.raises(DatasetError, match=r"broken\.jsonl: cannot read"):
        load_dataset(broken)


# -- metrics ------------------------------------------------------------------------------


def test_pearson_on_hand_computed_examples():
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    # deviations (-1.5, -.5, .5, 1.5) and (-1.5, .5, -.5, 1.5): 4 / 5
    assert pearson([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)


def test_pearson_is_nan_without_variation_or_data():
    assert math.isnan(pearson([1, 1, 1], [1, 2, 3]))
    assert math.isnan(pearson([1], [1]))


def test_spearman_uses_ranks():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 1000]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)


def test_spearman_averages_tied_ranks():
    # ranks (0, 1.5, 1.5, 3) against (0, 1, 2, 3): 4.5 / sqrt(4.5 * 5) = sqrt(0.9)
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(math.sqrt(0.9))


def test_roc_auc_perfect_reversed_and_ties():
    assert roc_auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]) == 1.0
    assert roc_auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]) == 0.0
    assert roc_auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]) == 0.5


def test_roc_auc_counts_pairs():
    # positives 0.35, 0.8 against negatives 0.1, 0.4: 3 of 4 pairs in order
    assert roc_auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)
    # one tie between a positive and a negative counts half: (1 + 0.5) / 2
    assert roc_auc([0.1, 0.5, 0.5], [0, 0, 1]) == pytest.approx(0.75)


def test_roc_auc_is_nan_with_one_class_only():
    assert math.isnan(roc_auc([0.1, 0.2], [1, 1]))
    assert math.isnan(roc_auc([0.1, 0.2], [0, 0]))


# -- observe, cross_validated, report -----------------------------------------------------

QUESTIONS = {
    "q1": ("什么是自注意力机制？", "自注意力机制让每个词关注序列中所有其他词，并用查询、键和值计算权重。"),
    "q2": (
        "What is gradient descent?",
        "Gradient descent updates parameters along the negative gradient of the loss, scaled by the learning rate.",
    ),
    "q3": ("什么是 KV cache？", "KV cache 缓存之前词的键和值，避免自回归生成时重复计算。"),
    "q4": ("What is dropout?", "Dropout randomly zeroes activations during training to reduce overfitting."),
}
OFF_TOPIC = {"zh": "天气很好，我们去公园散步吧。", "en": "The weather is nice, let us walk in the park."}


def synthetic_items() -> list[Item]:
    items = []
    for qid, (question, reference) in QUESTIONS.items():
        language = "zh" if qid in ("q1", "q3") else "en"
        items += [
            Item(qid, question, (reference,), reference, 5.0),
            Item(qid, question, (reference,), reference[: len(reference) // 2], 3.0),
            Item(qid, question, (reference,), OFF_TOPIC[language], 0.0),
            Item(qid, question, (reference,), "", 0.0),
        ]
    return items


@pytest.fixture(scope="module")
def observations():
    from quizsvc.scoring.grader import Grader
    from tests.fakes import FakeEmbedder

    progress = []
    obs = observe(Grader(FakeEmbedder()), synthetic_items(), on_progress=progress.append)
    obs.progress = progress
    return obs


def test_observe_collects_signals_flags_and_anchors_per_item(observations):
    assert isinstance(observations, Observations)
    assert len(observations.signals) == len(observations.flags) == 16
    assert all(isinstance(s, Signals) for s in observations.signals)
    # Each question: its own reference (deserves 1) and the next three questions' (deserve 0).
    assert [(g, t) for g, _, t in observations.anchors] == [
        (q, t) for q in ["q1", "q2", "q3", "q4"] for t in (1.0, 0.0, 0.0, 0.0)
    ]
    assert observations.scale == 5.0
    assert observations.progress == [4, 4, 4, 4]
    assert observations.human.tolist() == [1.0, 0.6, 0.0, 0.0] * 4
    assert observations.groups.tolist() == [q for q in QUESTIONS for _ in range(4)]


def test_observe_flags_empty_answers_and_gives_them_empty_signals(observations):
    for index in range(3, 16, 4):
        assert observations.flags[index] == ["empty"]
        assert observations.signals[index].length_ratio == -4.0
        assert observations.signals[index].cosine == 0.0
    assert observations.flags[0] == ["reference_copy"]


def test_cross_validated_gives_one_prediction_per_item(observations):
    predicted = cross_validated(observations, 2)
    assert predicted.shape == (16,)
    assert np.all((predicted >= 0) & (predicted <= 1))
    assert np.all(predicted[3::4] == 0.0)  # empty answers are graded 0 by rule
    assert np.all(predicted[0::4] > predicted[2::4])  # a reference above an off-topic answer
    assert pearson(predicted, observations.human) > 0.8


def test_cross_validated_is_deterministic(observations):
    assert np.array_equal(cross_validated(observations, 2), cross_validated(observations, 2))


@pytest.mark.parametrize("folds", [1, 5])
def test_cross_validated_needs_two_to_as_many_folds_as_questions(observations, folds):
    with pytest.raises(ValueError, match="needs 2 to 4 folds for 4 questions"):
        cross_validated(observations, folds)


def test_report_has_the_documented_keys(observations):
    result = report(observations, cross_validated(observations, 2))
    assert set(result) == {
        "n",
        "questions",
        "pearson",
        "spearman",
        "pearson_per_question",
        "spearman_per_question",
        "rmse",
        "scale",
        "flags",
    }
    assert result["n"] == 16 and result["questions"] == 4 and result["scale"] == 5.0
    assert result["flags"] == {"empty": 4, "reference_copy": 4}
    assert all(round(result[k], 4) == result[k] for k in ("pearson", "spearman", "rmse"))


def test_report_of_perfect_predictions():
    items = [Item("q", "q", ("r",), "a", s) for s in (0.0, 1.0, 2.0)]
    empty = Signals.of_nothing()
    obs = Observations(items, [empty] * 3, [[], [], []], [], 2.0)
    result = report(obs, np.array([0.0, 0.5, 1.0]))
    assert result["pearson"] == 1.0 and result["spearman"] == 1.0 and result["rmse"] == 0.0
    assert result["flags"] == {}
    assert "roc_auc" not in result


def test_report_adds_roc_auc_for_binary_grades():
    items = [Item("q", "q", ("r",), "a", s) for s in (0.0, 1.0, 0.0, 1.0)]
    empty = Signals.of_nothing()
    obs = Observations(items, [empty] * 4, [[]] * 4, [], 1.0)
    result = report(obs, np.array([0.1, 0.9, 0.2, 0.7]))
    assert result["roc_auc"] == 1.0


@pytest.mark.parametrize(
    "line, message",
    [
        (
            '{"question": "q", "reference_answer": "r", "answer": "a", "score": "nan"}',
            "row 1: score 'nan' is not a number",
        ),
        ('{"question": "q", "reference_answer": "r", "answer": "a", "score": [1]}', "row 1: score [1] is not a number"),
        ('["not", "an", "object"]', "every line must be a JSON object"),
    ],
)
def test_malformed_jsonl_rows_are_dataset_errors(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(DatasetError) as error:
        load_dataset(path)
    assert message in str(error.value)


def test_question_id_zero_is_an_id(tmp_path):
    path = tmp_path / "zero.jsonl"
    path.write_text(
        '{"question_id": 0, "question": "q", "reference_answer": "r", "answer": "a", "score": 1}\n', encoding="utf-8"
    )
    assert load_dataset(path)[0].question_id == "0"


def test_calibrate_keeps_the_questions_of_two_datasets_apart(observations, monkeypatch):
    # Two files of one name whose question ids coincide: still eight questions, not four.
    from quizsvc.scoring import evaluate

    seen = {}
    real_fit = evaluate.fit_models

    def spy(merged, *args, **kwargs):
        seen["groups"] = set(merged.groups)
        seen["anchor_groups"] = {g for g, _, _ in merged.anchors}
        return real_fit(merged, *args, **kwargs)

    monkeypatch.setattr(evaluate, "fit_models", spy)
    parameters = evaluate.calibrate(
        [observations, observations],
        ["train.csv", "train.csv"],
        name="both",
        encode=lambda texts: np.ones((len(texts), 4)) / 2.0,
    )
    assert len(seen["groups"]) == 8 and seen["anchor_groups"] == seen["groups"]
    assert parameters.trained_on == ("train.csv", "train.csv")

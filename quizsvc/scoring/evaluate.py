"""Measuring the grader against human grades, and refitting it.

Datasets are CSV or JSONL rows of (question, reference answer(s), answer, human score):
columns ``question`` , ``reference_answer`` (and optionally ``reference_answer_2``,
``reference_answer_3`` or ``all_reference_answers`` separated by `` | ``), ``student_answer``
(or ``answer``), ``score``; ``question_id`` groups rows by question when present.
"""

import csv
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold

from quizsvc.scoring import flags as flag_rules
from quizsvc.scoring.calibration import DEFAULT_RIDGE, LinearIsotonic, fit, fit_cross_lingual, make_parameters
from quizsvc.scoring.grader import Grader
from quizsvc.scoring.signals import QuestionSpec, Signals, encode_answers
from quizsvc.scoring.text import clean

ANSWER_BATCH = 64
OFF_TOPIC_ANCHORS = 3


@dataclass(frozen=True)
class Item:
    question_id: str
    question: str
    references: tuple[str, ...]
    answer: str
    score: float
    # A label beside the score when the dataset has one (SciEntsBank's label_3way:
    # correct, contradictory, incorrect).
    label: str = ""
    note: str = ""  # a reviewer's note, when the file has a "note" column


class DatasetError(ValueError):
    pass


def _references(row: dict) -> tuple[str, ...]:
    refs = [row.get("reference_answer"), row.get("reference_answer_2"), row.get("reference_answer_3")]
    refs += (row.get("all_reference_answers") or "").split(" | ")
    return tuple(dict.fromkeys(r.strip() for r in refs if r and r.strip()))


def load_dataset(path: str | Path) -> list[Item]:
    path = Path(path)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            if path.suffix in (".jsonl", ".ndjson"):
                rows = [json.loads(line) for line in handle if line.strip()]
                if not all(isinstance(row, dict) for row in rows):
                    raise DatasetError(f"{path}: every line must be a JSON object")
            else:
                rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DatasetError(f"{path}: cannot read: {error}") from None
    items = []
    for number, row in enumerate(rows, start=1):
        answer = row.get("student_answer", row.get("answer"))
        question, references = row.get("question"), _references(row)
        if answer is None or question is None or not references or row.get("score") in (None, ""):
            raise DatasetError(
                f"{path}: row {number}: needs question, reference_answer, student_answer (or answer) and score"
            )
        try:
            score = float(row["score"])
        except (TypeError, ValueError):
            score = float("nan")
        if not math.isfinite(score):
            raise DatasetError(f"{path}: row {number}: score {row['score']!r} is not a number")
        question_id = row.get("question_id")
        group = str(question_id) if question_id not in (None, "") else question
        label, note = str(row.get("label_3way") or ""), str(row.get("note") or "")
        items.append(Item(group, question, references, str(answer), score, label, note))
    if not items:
        raise DatasetError(f"{path}: no rows")
    return items


@dataclass
class Observations:
    """Signals, flags and human grades of a dataset, ready to fit or score."""

    items: list[Item]
    signals: list[Signals]
    flags: list[list[str]]
    # (question id, signals, grade it deserves): a question's own reference graded as an
    # answer deserves 1, another question's reference 0.
    anchors: list[tuple[str, Signals, float]]
    scale: float
    # Each answer's whole-answer vector (zeros for an empty one): reviewed examples are
    # simulated from them.
    vectors: np.ndarray | None = None

    @property
    def human(self) -> np.ndarray:
        return np.array([item.score for item in self.items]) / self.scale

    @property
    def groups(self) -> np.ndarray:
        return np.array([item.question_id for item in self.items])

    def matrix(self, names: tuple[str, ...], rows: list[Signals] | None = None) -> np.ndarray:
        return np.array([s.vector(names) for s in (self.signals if rows is None else rows)])


def observe(grader: Grader, items: list[Item], on_progress: Callable[[int], None] | None = None) -> Observations:
    by_question: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        by_question.setdefault(item.question_id, []).append(index)
    signals: list[Signals | None] = [None] * len(items)
    vectors: list[np.ndarray | None] = [None] * len(items)
    flags: list[list[str]] = [[] for _ in items]
    anchors = []
    references = {qid: items[indices[0]].references for qid, indices in by_question.items()}
    others = list(references)
    for position, (question_id, indices) in enumerate(by_question.items()):
        first = items[indices[0]]
        # The dataset is the bank: the other questions' references are the neighbours, as
        # a stored question's are in the service.
        neighbours = [r for other, refs in references.items() if other != question_id for r in refs]
        prepared = grader.prepare(
            QuestionSpec(prompt=first.question, references=first.references), neighbours=neighbours
        )
        # Off-topic anchors: the next questions' references, in a fixed order.
        wrong = [
            references[others[(position + k) % len(others)]][0]
            for k in range(1, min(OFF_TOPIC_ANCHORS, len(others) - 1) + 1)
        ]
        own = list(first.references)
        asked = [prepared.prompt_words] * (len(own) + len(wrong))
        for encoded, target in zip(
            encode_answers(own + wrong, grader.embedder, asked), [1.0] * len(own) + [0.0] * len(wrong)
        ):
            anchors.append((question_id, grader.signals(prepared, encoded)[0], target))
        for start in range(0, len(indices), ANSWER_BATCH):
            batch = indices[start : start + ANSWER_BATCH]
            assessed = grader.assess_encoded([(prepared, items[i].answer) for i in batch])
            for i, (result, found, vector) in zip(batch, assessed):
                signals[i], flags[i], vectors[i] = found, list(result.flags), vector
            if on_progress is not None:
                on_progress(len(batch))
    empty = Signals.of_nothing()
    scale = max(max(item.score for item in items), 1e-9)
    width = next((len(v) for v in vectors if v is not None), 1)
    matrix = np.array([np.zeros(width, np.float32) if v is None else v for v in vectors], dtype=np.float32)
    return Observations(items, [s or empty for s in signals], flags, anchors, scale, matrix)


FOLD_SEED = 0
# Candidate shrinkage strengths; the one that grades held-out questions best is used.
RIDGES = (10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0)


def _assign_folds(groups: np.ndarray, folds: int) -> np.ndarray:
    """Fold number per row, whole questions per fold, questions in a fixed shuffled order."""
    assignment = np.zeros(len(groups), int)
    splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=FOLD_SEED)
    for k, (_, test) in enumerate(splitter.split(groups, groups=groups)):
        assignment[test] = k
    return assignment


def _weighted_pearson(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> float:
    covariance = np.cov(a, b, aweights=w)
    denominator = np.sqrt(covariance[0, 0] * covariance[1, 1])
    return float(covariance[0, 1] / denominator) if denominator > 0 else float("-inf")


def choose_ridge(obs: Observations, mask: np.ndarray, weights: np.ndarray) -> float:
    """The shrinkage that best grades questions left out, by grouped cross-validation
    inside the rows given (so an outer evaluation never sees its own test questions)."""
    usable = mask & np.array(["empty" not in f for f in obs.flags])
    groups = obs.groups[usable]
    n_groups = len(set(groups))
    if n_groups < 3:
        return DEFAULT_RIDGE
    x, y, w = obs.matrix(Signals.FEATURES)[usable], obs.human[usable], weights[usable]
    assignment = _assign_folds(groups, min(4, n_groups))
    best, best_score = DEFAULT_RIDGE, float("-inf")
    for ridge in RIDGES:
        predicted = np.zeros(len(y))
        for k in set(assignment):
            test = assignment == k
            model = fit(x[~test], y[~test], Signals.FEATURES, ridge=ridge, weights=w[~test])
            predicted[test] = model.raw(x[test])
        score = _weighted_pearson(predicted, y, w)
        if score > best_score:
            best, best_score = ridge, score
    return best


def fit_models(obs: Observations, mask: np.ndarray | None = None, *, ridge: float | None = None, weights=None) -> dict:
    """Fit the full and semantic models on the rows in ``mask``, anchored by their questions'
    references. ``ridge`` None: chosen by :func:`choose_ridge` on those rows."""
    mask = np.ones(len(obs.items), bool) if mask is None else mask
    weights = np.ones(len(obs.items)) if weights is None else np.asarray(weights)
    if ridge is None:
        ridge = choose_ridge(obs, mask, weights)
    kept_groups = set(obs.groups[mask])
    anchor_rows = [(s, target) for g, s, target in obs.anchors if g in kept_groups]
    # Empty answers are graded 0 by rule; they would only teach the model about nothing.
    mask = mask & np.array(["empty" not in f for f in obs.flags])
    models = {}
    for name, features in (("full", Signals.FEATURES), ("semantic", Signals.SEMANTIC)):
        anchors = (obs.matrix(features, [s for s, _ in anchor_rows]), np.array([t for _, t in anchor_rows]))
        models[name] = fit(
            obs.matrix(features)[mask],
            obs.human[mask],
            features,
            ridge=ridge,
            anchors=anchors if anchor_rows else None,
            weights=weights[mask],
        )
    return models


def predict(obs: Observations, models: dict[str, LinearIsotonic], mask: np.ndarray | None = None) -> np.ndarray:
    """Final grades in [0, 1] (flags' caps applied), as the grader would give them."""
    mask = np.ones(len(obs.items), bool) if mask is None else mask
    out = np.zeros(mask.sum())
    for j, i in enumerate(np.flatnonzero(mask)):
        if "empty" in obs.flags[i]:
            continue
        signals = obs.signals[i]
        model = models["semantic" if signals.cross_lingual else "full"]
        grade = float(model.predict(signals.vector(model.features))[0])
        out[j] = flag_rules.apply_caps(grade, obs.flags[i])
    return out


def cross_validated(obs: Observations, folds: int, *, ridge: float | None = None) -> np.ndarray:
    """Out-of-fold grades, folds split by question: no question is graded by parameters
    fitted on it, nor by a shrinkage chosen with it."""
    questions = sorted(set(obs.groups))
    if folds < 2 or folds > len(questions):
        raise ValueError(f"--group-cv needs 2 to {len(questions)} folds for {len(questions)} questions")
    assignment = _assign_folds(obs.groups, folds)
    out = np.zeros(len(obs.items))
    for k in range(folds):
        test = assignment == k
        out[test] = predict(obs, fit_models(obs, ~test, ridge=ridge), test)
    return out


# -- metrics --------------------------------------------------------------------------------


def pearson(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 2 or a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(stats.pearsonr(a, b).statistic)


def spearman(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 2 or a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(stats.spearmanr(a, b).statistic)


def roc_auc(scores, labels) -> float:
    """Probability that a positive outranks a negative (Mann-Whitney), ties counted half."""
    scores, labels = np.asarray(scores, float), np.asarray(labels, bool)
    if labels.all() or not labels.any():
        return float("nan")
    return float(roc_auc_score(labels, scores))


def report(obs: Observations, predicted: np.ndarray) -> dict:
    human = obs.human
    per_question = {}
    for group in sorted(set(obs.groups)):
        mask = obs.groups == group
        per_question[group] = (pearson(predicted[mask], human[mask]), spearman(predicted[mask], human[mask]))
    valid = [v for v in per_question.values() if not math.isnan(v[0])]
    result = {
        "n": len(human),
        "questions": len(per_question),
        "pearson": pearson(predicted, human),
        "spearman": spearman(predicted, human),
        "pearson_per_question": float(np.mean([v[0] for v in valid])) if valid else float("nan"),
        "spearman_per_question": float(np.mean([v[1] for v in valid])) if valid else float("nan"),
        "rmse": float(np.sqrt(np.mean((predicted - human) ** 2)) * obs.scale),
        "scale": obs.scale,
    }
    if set(np.unique(human)) <= {0.0, 1.0}:
        result["roc_auc"] = roc_auc(predicted, human == 1.0)
    labels = np.array([item.label for item in obs.items])
    if (labels == "contradictory").any():
        # Wrong answers that contradict the reference, against correct ones.
        pair = np.isin(labels, ("correct", "contradictory"))
        result["auc_correct_vs_contradictory"] = roc_auc(predicted[pair], labels[pair] == "correct")
    result["flags"] = {
        name: sum(name in f for f in obs.flags) for name in flag_rules.FLAG_RULES if any(name in f for f in obs.flags)
    }
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}


def fit_examples_model(obs: Observations, weights: np.ndarray, *, ridge: float | None = None) -> LinearIsotonic:
    """The examples model, fitted on simulated example sets, each answer's base grade out of fold."""
    from quizsvc.scoring import learning

    everything = np.ones(len(obs.items), bool)
    if ridge is None:
        ridge = choose_ridge(obs, everything, weights)
    base = learning.out_of_fold_base(obs, everything, ridge, fit_models)
    return learning.fit_examples(obs, base, everything, np.random.default_rng(0), weights=weights)


def calibrate(obs_list: list[Observations], names: list[str], *, name: str, encode, ridge: float | None = None):
    """One parameter set fitted on every dataset given, each weighted equally."""
    # Each dataset's grades are on its own scale and its question ids its own: rescale
    # and prefix with the dataset's position (two files may share a name) before merging.
    merged = Observations(
        items=[
            Item(f"{k}:{i.question_id}", i.question, i.references, i.answer, i.score / o.scale, i.label)
            for k, o in enumerate(obs_list)
            for i in o.items
        ],
        signals=[s for o in obs_list for s in o.signals],
        flags=[f for o in obs_list for f in o.flags],
        anchors=[(f"{k}:{g}", s, t) for k, o in enumerate(obs_list) for g, s, t in o.anchors],
        scale=1.0,
        vectors=None,
    )
    weights = np.concatenate(
        [np.full(len(o.items), len(merged.items) / (len(obs_list) * len(o.items))) for o in obs_list]
    )
    models = fit_models(merged, ridge=ridge, weights=weights)
    if all(o.vectors is not None for o in obs_list):
        merged.vectors = np.vstack([o.vectors for o in obs_list])
        models["examples"] = fit_examples_model(merged, weights, ridge=ridge)
    return make_parameters(name, models, names, fit_cross_lingual(lambda texts: encode([clean(t) for t in texts])))

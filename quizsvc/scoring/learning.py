"""Fitting and measuring the ``examples`` model by simulating reviewed examples.

A human-graded dataset has many graded answers per question. Drawing K of them as the
question's reviewed examples and grading the others against them is what a question with
K reviewed answers looks like in the service. Every fit happens inside grouped
cross-validation: no question's examples or answers fit the weights it is graded with,
and the base grade a training answer shows the examples model is itself out of fold.
"""

import numpy as np

from quizsvc.scoring import examples as ex
from quizsvc.scoring import flags as flag_rules
from quizsvc.scoring.calibration import LinearIsotonic, fit

# Example counts simulated when fitting, so one model serves a question with 1 or 50.
TRAIN_COUNTS = (1, 2, 3, 5, 10, 20, 50)
# Shrinkage of the examples model (five inputs, thousands of simulated rows).
EXAMPLES_RIDGE = 30.0


def usable(obs) -> np.ndarray:
    """Answers that can be examples or be graded against them (not empty)."""
    return np.array(["empty" not in f for f in obs.flags])


def base_grades(obs, models: dict[str, LinearIsotonic], mask: np.ndarray) -> np.ndarray:
    """Grades before flags (no examples) for the rows in ``mask``; 0 for an empty answer."""
    out = np.zeros(len(obs.items))
    for i in np.flatnonzero(mask):
        if "empty" in obs.flags[i]:
            continue
        signals = obs.signals[i]
        model = models["semantic" if signals.cross_lingual else "full"]
        out[i] = float(model.predict(signals.vector(model.features))[0])
    return out


def draw(obs, mask: np.ndarray, count: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """``count`` example rows per question in ``mask`` (at most half of its usable answers)."""
    chosen = {}
    ok = mask & usable(obs)
    for group in sorted(set(obs.groups[mask])):
        rows = np.flatnonzero(ok & (obs.groups == group))
        k = min(count, len(rows) // 2)
        if k > 0:
            chosen[group] = rng.choice(rows, size=k, replace=False)
    return chosen


def example_rows(obs, base: np.ndarray, chosen: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(rows graded against the examples, their examples-model inputs): every usable answer
    of a question with examples, except the examples themselves."""
    human, ok = obs.human, usable(obs)
    rows, features = [], []
    for group, picked in chosen.items():
        targets = np.setdiff1d(np.flatnonzero(ok & (obs.groups == group)), picked)
        if not len(targets):
            continue
        sims = np.clip(obs.vectors[targets] @ obs.vectors[picked].T, 0.0, 1.0)
        for i, row in zip(targets, sims):
            rows.append(i)
            features.append(ex.features(row, human[picked], base[picked], base[i]))
    width = len(ex.EXAMPLE_FEATURES)
    return np.array(rows, dtype=int), np.array(features).reshape(-1, width)


def out_of_fold_base(obs, mask: np.ndarray, ridge: float, fit_models) -> np.ndarray:
    """Base grades of the rows in ``mask``, each from models fitted without its question."""
    from quizsvc.scoring.evaluate import _assign_folds

    groups = obs.groups[mask]
    out = np.zeros(len(obs.items))
    folds = min(4, len(set(groups)))
    if folds < 2:
        return base_grades(obs, fit_models(obs, mask, ridge=ridge), mask)
    assignment = np.full(len(obs.items), -1)
    assignment[mask] = _assign_folds(groups, folds)
    for k in range(folds):
        test = assignment == k
        out[test] = base_grades(obs, fit_models(obs, mask & ~test, ridge=ridge), test)[test]
    return out


def fit_examples(obs, base: np.ndarray, mask: np.ndarray, rng: np.random.Generator, weights=None) -> LinearIsotonic:
    """The examples model, from simulated example sets of every count in TRAIN_COUNTS
    on the questions in ``mask``; ``base``: out-of-fold base grades of those rows."""
    xs, ys, ws = [], [], []
    weights = np.ones(len(obs.items)) if weights is None else np.asarray(weights)
    for count in TRAIN_COUNTS:
        rows, features = example_rows(obs, base, draw(obs, mask, count, rng))
        xs.append(features)
        ys.append(obs.human[rows])
        ws.append(weights[rows])
    x, y, w = np.vstack(xs), np.concatenate(ys), np.concatenate(ws)
    return fit(x, y, ex.EXAMPLE_FEATURES, ridge=EXAMPLES_RIDGE, weights=w / w.mean())


def grade_with_examples(obs, model: LinearIsotonic, base: np.ndarray, chosen):
    """(graded rows, final grades in [0, 1] with flags' caps) for a draw of examples."""
    rows, features = example_rows(obs, base, chosen)
    grades = model.predict(features) if len(rows) else np.zeros(0)
    human = obs.human
    out = np.zeros(len(rows))
    for j, (i, grade) in enumerate(zip(rows, grades)):
        flags = obs.flags[i]
        group = obs.groups[i]
        sims = np.clip(obs.vectors[chosen[group]] @ obs.vectors[i], 0.0, 1.0)
        like = ex.like_reviewed(sims, human[chosen[group]], obs.signals[i].cosine)
        if like is not None:
            grade = ex.pulled(float(grade), float(human[chosen[group]][like]), float(sims[like]))
        out[j] = flag_rules.apply_caps(float(grade), flags)
    return rows, out


def cross_validated_examples(obs, folds: int, count: int, *, draws: int = 5, seed: int = 0, fit_models=None):
    """Out-of-fold grades with ``count`` simulated examples per question, for ``draws``
    random draws: a list of (graded rows, grades). Rows drawn as examples are not graded."""
    from quizsvc.scoring.evaluate import _assign_folds, choose_ridge
    from quizsvc.scoring.evaluate import fit_models as default_fit

    fit_models = fit_models or default_fit
    rng = np.random.default_rng(seed)
    assignment = _assign_folds(obs.groups, folds)
    fitted = []
    for k in range(folds):
        train = assignment != k
        ridge = choose_ridge(obs, train, np.ones(len(obs.items)))
        stage_one = fit_models(obs, train, ridge=ridge)
        base_train = out_of_fold_base(obs, train, ridge, fit_models)
        model = fit_examples(obs, base_train, train, rng)
        fitted.append((~train, base_grades(obs, stage_one, ~train), model))
    results = []
    for _ in range(draws):
        rows_all, grades_all = [], []
        for test, base, model in fitted:
            rows, grades = grade_with_examples(obs, model, base, draw(obs, test, count, rng))
            rows_all.append(rows)
            grades_all.append(grades)
        results.append((np.concatenate(rows_all), np.concatenate(grades_all)))
    return results


def with_parameters(obs, models: dict, count: int, *, draws: int = 5, seed: int = 0):
    """Like :func:`cross_validated_examples`, graded by fitted parameters (no refit)."""
    rng = np.random.default_rng(seed)
    everything = np.ones(len(obs.items), bool)
    base = base_grades(obs, models, everything)
    return [grade_with_examples(obs, models["examples"], base, draw(obs, everything, count, rng)) for _ in range(draws)]


def mean_report(obs, draws, report) -> dict:
    """The figures of each draw (on the answers graded, not the examples), averaged."""
    from dataclasses import replace

    figures = []
    for rows, grades in draws:
        subset = replace(
            obs,
            items=[obs.items[i] for i in rows],
            signals=[obs.signals[i] for i in rows],
            flags=[obs.flags[i] for i in rows],
            vectors=obs.vectors[rows],
        )
        figures.append(report(subset, grades))
    out = dict(figures[0])
    for key, value in out.items():
        if isinstance(value, float):
            out[key] = round(float(np.mean([f[key] for f in figures])), 4)
    out["draws"] = len(figures)
    return out

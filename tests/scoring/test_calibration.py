"""quizsvc.scoring.calibration: signals -> a monotone 0-1 grade, and the parameter file."""

import hashlib
import json

import numpy as np
import pytest

from quizsvc.scoring.calibration import (
    DEFAULT_PARAMS,
    LinearIsotonic,
    _isotonic,
    fit,
    load_parameters,
    make_parameters,
    parse_parameters,
)
from quizsvc.scoring.signals import Signals

FEATURES = ("recall", "precision")  # any two signals the grader computes


def synthetic(n=200, seed=1):
    """Two signals in [0, 1]; the human grade rises with both (plus a little noise)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, size=(n, 2))
    y = np.clip(0.7 * x[:, 0] + 0.3 * x[:, 1] + rng.normal(0, 0.05, n), 0, 1)
    return x, y


@pytest.fixture(scope="module")
def model():
    x, y = synthetic()
    return fit(x, y, FEATURES)


# -- fit ----------------------------------------------------------------------------------


def test_fit_returns_a_model_over_the_named_features(model):
    assert isinstance(model, LinearIsotonic)
    assert model.features == FEATURES
    assert len(model.mean) == len(model.scale) == 2
    assert len(model.weights) == 4  # each signal and its square
    assert len(model.knots_x) == len(model.knots_y)


def test_fit_recovers_a_monotone_relation(model):
    x, y = synthetic()
    predicted = model.predict(x)
    order = np.argsort(np.argsort(predicted))
    truth = np.argsort(np.argsort(0.7 * x[:, 0] + 0.3 * x[:, 1]))
    assert np.corrcoef(order, truth)[0, 1] > 0.95
    low, mid, high = model.predict(np.array([[0.1, 0.1], [0.5, 0.5], [0.9, 0.9]]))
    assert low < mid < high


def test_higher_signals_never_give_a_lower_prediction_along_the_diagonal(model):
    grid = np.linspace(0, 1, 41)
    predicted = model.predict(np.column_stack([grid, grid]))
    assert np.all(np.diff(predicted) >= 0)
    assert predicted[-1] - predicted[0] > 0.6


def test_predict_accepts_one_row_or_many(model):
    assert model.predict(np.array([0.5, 0.5])).shape == (1,)
    assert model.predict(np.array([[0.5, 0.5], [0.2, 0.2]])).shape == (2,)


def test_predictions_are_clipped_to_the_unit_interval():
    x, _ = synthetic()
    y = 3.0 * x[:, 0] - 1.0  # human grades outside [0, 1]
    stretched = fit(x, y, FEATURES)
    far = np.array([[-5.0, -5.0], [0.0, 0.0], [1.0, 1.0], [6.0, 6.0]])
    predicted = stretched.predict(np.vstack([x, far]))
    assert predicted.min() == 0.0 and predicted.max() == 1.0
    assert np.all((predicted >= 0.0) & (predicted <= 1.0))


def test_isotonic_output_is_non_decreasing_in_the_raw_score():
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, size=(150, 2))
    y = rng.uniform(0, 1, 150)  # noisy: the isotonic step has violators to pool
    noisy = fit(x, y, FEATURES)
    probe = rng.uniform(-0.5, 1.5, size=(500, 2))
    raw = noisy.raw(probe)
    predicted = noisy.predict(probe)[np.argsort(raw, kind="mergesort")]
    assert np.all(np.diff(predicted) >= 0)
    assert np.all(np.diff(noisy.knots_y) >= 0)
    assert np.all(np.diff(noisy.knots_x) >= 0)


def test_isotonic_map_rises_between_blocks_and_is_flat_at_the_ends():
    # Three blocks by hand: (0, 0.1) -> 0, (0.4, 0.5, 0.6) -> 0.5, (0.9, 1.0) -> 1.
    x = np.array([0.0, 0.1, 0.4, 0.5, 0.6, 0.9, 1.0])
    y = np.array([0.0, 0.0, 0.6, 0.4, 0.5, 1.0, 1.0])
    knots_x, knots_y = _isotonic(x, y, np.ones(len(x)))
    assert knots_x.tolist() == pytest.approx([0.0, 0.1, 0.5, 0.9, 1.0])
    assert knots_y.tolist() == pytest.approx([0.0, 0.0, 0.5, 1.0, 1.0])
    # Inside, two raw scores a little apart get different grades; the end blocks stay flat.
    grades = np.interp([0.3, 0.35, 0.05, 0.95], knots_x, knots_y)
    assert grades[0] < grades[1] and grades[2] == 0.0 and grades[3] == 1.0


def test_isotonic_map_pools_a_flat_run_into_one_block():
    knots_x, knots_y = _isotonic(np.array([0.0, 1.0, 2.0]), np.array([0.5, 0.5, 0.5]), np.ones(3))
    assert knots_x.tolist() == [0.0, 2.0] and knots_y.tolist() == [0.5, 0.5]


def test_anchors_pull_the_top_of_the_scale_to_full_marks():
    x, y = synthetic()
    y = y * 0.8  # no human ever gave full marks
    anchors = np.array([[1.0, 1.0], [0.98, 0.97]])
    without = fit(x, y, FEATURES)
    with_anchors = fit(x, y, FEATURES, anchors=(anchors, np.ones(2)))
    assert without.predict(anchors).max() <= 0.8
    assert np.all(with_anchors.predict(anchors) == 1.0)
    assert max(with_anchors.knots_y) == 1.0
    # The anchors join the isotonic step only: the regression is the same.
    assert with_anchors.weights == without.weights and with_anchors.bias == without.bias


def test_zero_anchors_pull_the_bottom_of_the_scale_to_no_marks():
    x, y = synthetic()
    y = 0.3 + y * 0.7  # no human ever gave nothing
    anchors = np.array([[0.0, 0.0], [0.02, 0.01]])
    without = fit(x, y, FEATURES)
    with_anchors = fit(x, y, FEATURES, anchors=(anchors, np.zeros(2)))
    assert without.predict(anchors).min() >= 0.25
    assert np.all(with_anchors.predict(anchors) == 0.0)
    assert with_anchors.weights == without.weights


def test_constant_signal_does_not_divide_by_zero():
    x, y = synthetic()
    x[:, 1] = 0.5
    model = fit(x, y, FEATURES)
    assert model.scale[1] == 1.0
    assert np.all(np.isfinite(model.predict(x)))


def test_row_weights_change_the_fit():
    x, y = synthetic()
    weights = np.where(x[:, 0] > 0.5, 2.0, 0.5)
    assert fit(x, y, FEATURES, weights=weights).weights != fit(x, y, FEATURES).weights


# -- parameter files ----------------------------------------------------------------------


def two_models():
    x, y = synthetic()
    return {"full": fit(x, y, FEATURES), "semantic": fit(x[:, :1], y, FEATURES[:1])}


def test_make_and_parse_parameters_round_trip_with_the_same_digest():
    made = make_parameters("unit", two_models(), ["a.csv", "b.jsonl"])
    parsed = parse_parameters(made.to_json())
    assert parsed == made
    assert parsed.digest == made.digest
    assert parsed.models["full"] == made.models["full"]
    assert parsed.trained_on == ("a.csv", "b.jsonl")
    assert made.digest == hashlib.sha256(made.to_json().encode()).hexdigest()


def test_digest_changes_with_the_content():
    models = two_models()
    assert make_parameters("one", models, []).digest != make_parameters("two", models, []).digest


def test_parameter_json_is_canonical_whatever_the_model_order():
    full, semantic = two_models().values()
    one = make_parameters("p", {"full": full, "semantic": semantic}, [])
    other = make_parameters("p", {"semantic": semantic, "full": full}, [])
    assert one.to_json() == other.to_json() and one.digest == other.digest


def valid_payload() -> dict:
    return json.loads(make_parameters("p", two_models(), []).to_json())


@pytest.mark.parametrize(
    "mangle",
    [
        lambda d: "not json at all",
        lambda d: json.dumps([1, 2, 3]),
        lambda d: json.dumps({**d, "format": "something-else/2"}),
        lambda d: json.dumps({k: v for k, v in d.items() if k != "format"}),
        lambda d: json.dumps({**d, "models": {"full": d["models"]["full"]}}),
        lambda d: json.dumps({**d, "models": {**d["models"], "extra": d["models"]["full"]}}),
        lambda d: json.dumps({**d, "models": {**d["models"], "full": {**d["models"]["full"], "surprise": 1}}}),
        lambda d: json.dumps({**d, "models": {**d["models"], "full": {"features": ["recall"]}}}),
        lambda d: json.dumps({k: v for k, v in d.items() if k != "name"}),
        lambda d: json.dumps(
            {**d, "models": {**d["models"], "full": {**d["models"]["full"], "features": ["recall", "lexical_overlap"]}}}
        ),
    ],
    ids=[
        "not-json",
        "not-object",
        "wrong-format",
        "no-format",
        "one-model",
        "extra-model",
        "unknown-field",
        "missing-fields",
        "no-name",
        "unknown-signal",
    ],
)
def test_malformed_parameter_text_raises_value_error_naming_the_source(mangle):
    with pytest.raises(ValueError, match=r"^params/broken\.json: not a usable grader parameter file: "):
        parse_parameters(mangle(valid_payload()), source="params/broken.json")


def test_a_model_over_a_signal_the_grader_does_not_compute_is_refused_by_name():
    payload = valid_payload()
    payload["models"]["semantic"]["features"] = ["lexical_overlap"]
    with pytest.raises(ValueError, match="model 'semantic' uses signals this grader does not compute: lexical_overlap"):
        parse_parameters(json.dumps(payload))


def test_load_parameters_names_the_file_it_could_not_use(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "quizsvc-grader-params/1"}', encoding="utf-8")
    with pytest.raises(ValueError) as error:
        load_parameters(path)
    assert str(error.value).startswith(f"{path}: not a usable grader parameter file")


def test_load_parameters_reads_a_written_file(tmp_path):
    made = make_parameters("p", two_models(), ["x.csv"])
    path = tmp_path / "p.json"
    path.write_text(made.to_json(), encoding="utf-8")
    assert load_parameters(path) == made


# -- the shipped parameters ---------------------------------------------------------------


def test_shipped_parameters_have_full_and_semantic_models():
    shipped = load_parameters()
    assert set(shipped.models) == {"full", "semantic", "examples"}
    assert shipped.models["full"].features == Signals.FEATURES
    assert shipped.models["semantic"].features == Signals.SEMANTIC


def test_shipped_parameter_file_is_canonical_and_its_digest_is_its_sha256():
    shipped = load_parameters()
    assert shipped.to_json() == DEFAULT_PARAMS.read_text(encoding="utf-8")
    assert shipped.digest == hashlib.sha256(DEFAULT_PARAMS.read_bytes()).hexdigest()


def test_shipped_models_span_the_whole_scale_monotonically():
    for model in load_parameters().models.values():
        assert np.all(np.diff(model.knots_x) >= 0) and np.all(np.diff(model.knots_y) >= 0)
        # The top is the human grade of the answers ranked highest, anchored by references
        # graded as answers: full marks or within a few points of them.
        assert model.knots_y[0] == 0.0 and model.knots_y[-1] >= 0.95

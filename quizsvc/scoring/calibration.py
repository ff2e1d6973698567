"""The small calibrated model that turns signals into a 0-1 grade.

A ridge regression on the standardised signals and their squares (the squares let a
signal matter more at one end of its range) gives a raw score; an isotonic map (pool
adjacent violators, centred: see :func:`_isotonic`; both fitted by scikit-learn) fitted on the same data turns it into
the human scale, monotone by construction. Anchors join the isotonic step only: a
question's reference graded as an answer (full marks) and other questions' references
(no marks) pin both ends of the scale without bending the regression. Two such models
ship in one parameter file: ``full`` (every signal) and ``semantic`` (language-independent
signals only, for an answer written in another language than its reference); a third,
``examples``, grades an answer against the question's reviewed examples (see
:mod:`examples`; a file without it grades as if no question had examples).
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import Ridge

DEFAULT_PARAMS = Path(__file__).resolve().parent / "params" / "default.json"


@dataclass(frozen=True)
class LinearIsotonic:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    knots_x: tuple[float, ...]
    knots_y: tuple[float, ...]

    def raw(self, x: np.ndarray) -> np.ndarray:
        z = (np.atleast_2d(x) - np.array(self.mean)) / np.array(self.scale)
        return _terms(z) @ np.array(self.weights) + self.bias

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Grades in [0, 1] for rows of signals in ``features`` order."""
        return np.clip(np.interp(self.raw(x), self.knots_x, self.knots_y), 0.0, 1.0)


def _isotonic(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centred isotonic regression, as interpolation knots.

    Isotonic regression (pool adjacent violators) gives the non-decreasing fit of y on x
    as flat blocks. Inside the range a knot at each block's weighted mean x, joined by
    straight lines, keeps the map monotone but strictly increasing between blocks, so
    answers a little apart in raw score are not tied at one grade. The lowest and highest
    blocks stay flat over their whole span: that is where the anchors pin no marks and
    full marks.
    """
    order = np.argsort(x, kind="mergesort")
    xs, ws = x[order], w[order]
    fitted = IsotonicRegression(increasing=True).fit(x, y, sample_weight=w).predict(xs)
    # The blocks are the runs of one fitted value (neighbouring blocks differ: equal ones pool).
    starts = np.flatnonzero(np.r_[True, np.diff(fitted) != 0])
    ends = np.r_[starts[1:], len(xs)]
    centres = np.array([np.average(xs[a:b], weights=ws[a:b]) for a, b in zip(starts, ends)])
    values = fitted[starts]
    if len(starts) == 1:
        return np.array([xs[0], xs[-1]]), np.array([values[0], values[0]])
    knots_x = np.r_[xs[0], xs[ends[0] - 1], centres[1:-1], xs[starts[-1]], xs[-1]]
    knots_y = np.r_[values[0], values[0], values[1:-1], values[-1], values[-1]]
    return knots_x, knots_y


def _terms(z: np.ndarray) -> np.ndarray:
    return np.hstack([z, z**2])


# Shrinkage when there are too few questions to choose one by cross-validation
# (evaluate.choose_ridge does otherwise): the weights must carry over to new questions.
DEFAULT_RIDGE = 30.0


def fit(
    x: np.ndarray,
    y: np.ndarray,
    features: tuple[str, ...],
    *,
    ridge: float = DEFAULT_RIDGE,
    anchors=None,
    weights=None,
) -> LinearIsotonic:
    """Fit on rows of signals ``x`` and human grades ``y`` scaled to [0, 1].

    ``anchors``: (rows of signals, the grades they deserve), e.g. references graded as answers.
    ``weights``: per-row weights (mean 1), e.g. to let each dataset count equally.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    mean = np.average(x, axis=0, weights=w)
    scale = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=w))
    scale[scale < 1e-9] = 1.0
    # Weighted ridge, the intercept unpenalised.
    regression = Ridge(alpha=ridge, solver="cholesky").fit(_terms((x - mean) / scale), y, sample_weight=w)
    raw = regression.predict(_terms((x - mean) / scale))
    if anchors is not None and len(anchors[0]):
        rows, targets = np.asarray(anchors[0], dtype=np.float64), np.asarray(anchors[1], dtype=np.float64)
        anchor_raw = regression.predict(_terms((rows - mean) / scale))
        raw, y = np.concatenate([raw, anchor_raw]), np.concatenate([y, targets])
        w = np.concatenate([w, np.ones(len(rows))])
    knots_x, knots_y = _isotonic(raw, y, w)
    return LinearIsotonic(
        features=tuple(features),
        mean=tuple(mean.tolist()),
        scale=tuple(scale.tolist()),
        weights=tuple(regression.coef_.tolist()),
        bias=float(regression.intercept_),
        knots_x=tuple(knots_x.tolist()),
        knots_y=tuple(knots_y.tolist()),
    )


PARALLEL_ZH_EN = Path(__file__).resolve().parent / "params" / "parallel_zh_en.tsv"


@dataclass(frozen=True)
class CrossLingual:
    """How an answer in another language than its reference is compared with it.

    ``slope`` and ``intercept`` map a cross-language similarity to the within-language
    similarity it stands for; ``length_ratio`` is how many characters of English say what
    one of Chinese says. Both are fitted on a parallel set of sentences (:func:`fit_cross_lingual`).
    """

    slope: float = 1.0
    intercept: float = 0.0
    length_ratio: float = 1.0

    def similarity(self, values):
        return np.clip(np.asarray(values) * self.slope + self.intercept, 0.0, 1.0)

    def length(self, chars: int, answer_language: str, reference_language: str) -> float:
        """An answer's length in the reference language's characters."""
        if answer_language == reference_language:
            return float(chars)
        return chars / self.length_ratio if answer_language == "en" else chars * self.length_ratio


@dataclass(frozen=True)
class Parameters:
    name: str
    models: dict  # "full" and "semantic" (and "examples") -> LinearIsotonic
    trained_on: tuple[str, ...]
    # What the semantic model needs to read an answer in another language like one in the
    # reference's (within-language similarities and lengths).
    cross_lingual: CrossLingual
    digest: str  # sha256 of the file's canonical JSON: stored with every grade

    def to_json(self) -> str:
        return _canonical(self.name, self.models, self.trained_on, self.cross_lingual)


def _canonical(name: str, models: dict, trained_on, cross_lingual: CrossLingual) -> str:
    payload = {
        "format": "quizsvc-grader-params/1",
        "name": name,
        "trained_on": list(trained_on),
        "cross_lingual": {key: round(float(value), 6) for key, value in asdict(cross_lingual).items()},
        "models": {key: asdict(model) for key, model in sorted(models.items())},
    }
    return json.dumps(payload, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def make_parameters(name: str, models: dict, trained_on, cross_lingual: CrossLingual | None = None) -> Parameters:
    cross_lingual = CrossLingual(**{k: round(float(v), 6) for k, v in asdict(cross_lingual or CrossLingual()).items()})
    text = _canonical(name, models, trained_on, cross_lingual)
    return Parameters(name, dict(models), tuple(trained_on), cross_lingual, hashlib.sha256(text.encode()).hexdigest())


def fit_cross_lingual(encode, path: Path = PARALLEL_ZH_EN) -> CrossLingual:
    """Fitted on a parallel set of Chinese sentences and their English translations.

    The similarity map is the least-squares line from the similarity of each English
    sentence to each Chinese one onto the similarity of the two Chinese sentences (every
    pair, translations included, each weighted by that within-language similarity): on the
    bundled encoder within = 1.19 x cross + 0.03. Unweighted, the unrelated pairs set the
    line (1.00 x + 0.05) and English answers lost 8.5 points on translated pairs; dividing
    by the translations' median similarity (0.71), as grader 1.4 did, stretched
    related-but-different texts too, and English answers gained 14.8.
    The length ratio is the median of English over Chinese characters (3.4).
    """
    import csv

    from quizsvc.scoring.text import clean

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    chinese, english = encode([r["zh"] for r in rows]), encode([r["en"] for r in rows])
    cross, within = (english @ chinese.T).ravel(), (chinese @ chinese.T).ravel()
    ratio = float(np.median([len(clean(r["en"])) / max(len(clean(r["zh"])), 1) for r in rows]))
    if cross.std() < 1e-6:  # an encoder that does not tell the sentences apart: no map
        return CrossLingual(length_ratio=ratio)
    # An answer is related to its reference: each pair counts by how related its two
    # Chinese sentences are (unrelated pairs, most of the n^2, would otherwise set the line).
    weights = np.clip(within, 0.01, 1.0)
    covariance = np.cov(cross, within, aweights=weights)
    slope = float(np.clip(covariance[0, 1] / covariance[0, 0], 0.2, 5.0))
    intercept = np.average(within, weights=weights) - slope * np.average(cross, weights=weights)
    return CrossLingual(slope, float(np.clip(intercept, -0.9, 0.9)), ratio)


def parse_parameters(text: str, *, source: str = "<parameters>") -> Parameters:
    try:
        data = json.loads(text)
        if data.get("format") != "quizsvc-grader-params/1":
            raise ValueError("missing 'format: quizsvc-grader-params/1'")
        models = {
            key: LinearIsotonic(**{k: tuple(v) if isinstance(v, list) else v for k, v in model.items()})
            for key, model in data["models"].items()
        }
        if set(models) - {"examples"} != {"full", "semantic"}:
            raise ValueError("needs exactly the models 'full' and 'semantic' (and optionally 'examples')")
        from quizsvc.scoring.examples import EXAMPLE_FEATURES
        from quizsvc.scoring.signals import Signals

        if "examples" in models and models["examples"].features != EXAMPLE_FEATURES:
            raise ValueError(f"model 'examples' must use the signals {', '.join(EXAMPLE_FEATURES)}")
        for key, model in sorted(models.items()):
            if key == "examples":
                continue
            unknown = [f for f in model.features if f not in Signals.NUMERIC]
            if unknown:
                # A file fitted by another grader version: refit it (quizsvc grader calibrate).
                raise ValueError(f"model '{key}' uses signals this grader does not compute: {', '.join(unknown)}")
        if "cross_lingual" in data:
            cross_lingual = CrossLingual(**{k: float(v) for k, v in data["cross_lingual"].items()})
        else:
            # A file from grader 1.4 or earlier: similarities divided by one scale.
            scale = float(data.get("cross_lingual_scale", 1.0))
            if not 0.0 < scale <= 1.0:
                raise ValueError("cross_lingual_scale must be in (0, 1]")
            cross_lingual = CrossLingual(slope=1.0 / scale)
        if not (0.0 < cross_lingual.slope <= 5.0 and -1.0 < cross_lingual.intercept < 1.0):
            raise ValueError("cross_lingual: slope must be in (0, 5] and intercept in (-1, 1)")
        if not 0.1 <= cross_lingual.length_ratio <= 10.0:
            raise ValueError("cross_lingual: length_ratio must be in [0.1, 10]")
        return make_parameters(data["name"], models, data.get("trained_on", []), cross_lingual)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise ValueError(f"{source}: not a usable grader parameter file: {error}") from None


def load_parameters(path: str | Path = DEFAULT_PARAMS) -> Parameters:
    return parse_parameters(Path(path).read_text(encoding="utf-8"), source=str(path))

"""The small calibrated model that turns signals into a 0-1 grade.

A ridge regression on the standardised signals and their squares (the squares let a
signal matter more at one end of its range) gives a raw score; an isotonic map (pool
adjacent violators) fitted on the same data turns it into the human scale, monotone by
construction. Reference answers graded as answers join the isotonic step only, as full
marks: they pin the top of the scale without bending the regression. Two such models ship in one parameter file: ``full`` (every signal) and
``semantic`` (language-independent signals only, for an answer written in another
language than its reference).
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

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
    """Pool adjacent violators: the non-decreasing fit of y on x, as interpolation knots."""
    order = np.argsort(x, kind="mergesort")
    xs, ys, ws = x[order], y[order], w[order]
    blocks: list[list[float]] = []  # [weighted mean y, weight, min x, max x]
    for xi, yi, wi in zip(xs, ys, ws):
        blocks.append([yi, wi, xi, xi])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            y2, w2, lo2, hi2 = blocks.pop()
            y1, w1, lo1, _ = blocks.pop()
            blocks.append([(y1 * w1 + y2 * w2) / (w1 + w2), w1 + w2, lo1, hi2])
    knots_x, knots_y = [], []
    for mean_y, _, lo, hi in blocks:
        knots_x += [lo, hi]
        knots_y += [mean_y, mean_y]
    return np.array(knots_x), np.array(knots_y)


def _terms(z: np.ndarray) -> np.ndarray:
    return np.hstack([z, z**2])


# Strong shrinkage: the weights must carry over to questions the fit never saw.
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

    ``anchors``: rows of signals that deserve full marks (references graded as answers).
    ``weights``: per-row weights (mean 1), e.g. to let each dataset count equally.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    mean = np.average(x, axis=0, weights=w)
    scale = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=w))
    scale[scale < 1e-9] = 1.0
    design = np.hstack([_terms((x - mean) / scale), np.ones((len(x), 1))])
    # Weighted ridge in closed form, intercept unpenalised.
    penalty = ridge * np.eye(design.shape[1])
    penalty[-1, -1] = 0.0
    coef = np.linalg.solve(design.T @ (design * w[:, None]) + penalty, design.T @ (w * y))
    raw = design @ coef
    if anchors is not None and len(anchors):
        anchors = np.asarray(anchors, dtype=np.float64)
        anchor_raw = np.hstack([_terms((anchors - mean) / scale), np.ones((len(anchors), 1))]) @ coef
        raw, y = np.concatenate([raw, anchor_raw]), np.concatenate([y, np.ones(len(anchors))])
        w = np.concatenate([w, np.ones(len(anchors))])
    knots_x, knots_y = _isotonic(raw, y, w)
    return LinearIsotonic(
        features=tuple(features),
        mean=tuple(mean.tolist()),
        scale=tuple(scale.tolist()),
        weights=tuple(coef[:-1].tolist()),
        bias=float(coef[-1]),
        knots_x=tuple(knots_x.tolist()),
        knots_y=tuple(knots_y.tolist()),
    )


@dataclass(frozen=True)
class Parameters:
    name: str
    models: dict  # "full" and "semantic" -> LinearIsotonic
    trained_on: tuple[str, ...]
    digest: str  # sha256 of the file's canonical JSON: stored with every grade

    def to_json(self) -> str:
        return _canonical(self.name, self.models, self.trained_on)


def _canonical(name: str, models: dict, trained_on) -> str:
    payload = {
        "format": "quizsvc-grader-params/1",
        "name": name,
        "trained_on": list(trained_on),
        "models": {key: asdict(model) for key, model in sorted(models.items())},
    }
    return json.dumps(payload, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def make_parameters(name: str, models: dict, trained_on) -> Parameters:
    text = _canonical(name, models, trained_on)
    return Parameters(name, dict(models), tuple(trained_on), hashlib.sha256(text.encode()).hexdigest())


def parse_parameters(text: str, *, source: str = "<parameters>") -> Parameters:
    try:
        data = json.loads(text)
        if data.get("format") != "quizsvc-grader-params/1":
            raise ValueError("missing 'format: quizsvc-grader-params/1'")
        models = {
            key: LinearIsotonic(**{k: tuple(v) if isinstance(v, list) else v for k, v in model.items()})
            for key, model in data["models"].items()
        }
        if set(models) != {"full", "semantic"}:
            raise ValueError("needs exactly the models 'full' and 'semantic'")
        return make_parameters(data["name"], models, data.get("trained_on", []))
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise ValueError(f"{source}: not a usable grader parameter file: {error}") from None


def load_parameters(path: str | Path = DEFAULT_PARAMS) -> Parameters:
    return parse_parameters(Path(path).read_text(encoding="utf-8"), source=str(path))

"""Reviewed examples: answers to a question that a person graded, and what they say about a new answer.

An answer close to answers a person already graded leans toward their grades. The
signals are the similarity-weighted grade of the examples, the nearest example's grade
and similarity, and how many there are; the calibrated ``examples`` model combines them
with the grade the answer gets without examples (``base``). With no examples the grade
is exactly the base grade.
"""

import hashlib
import json
from dataclasses import dataclass

import numpy as np

# Inputs of the ``examples`` model, in this order.
EXAMPLE_FEATURES = (
    "base",
    "example_grade",
    "nearest_grade",
    "nearest_similarity",
    "example_count",
    "example_residual",
    "mean_residual",
)
# Softmax sharpness of the similarity weighting: at 10, an example 0.1 closer counts e
# (2.7) times as much. Chosen by grouped cross-validation with 10 simulated examples per
# question (ADS Pearson / SciEntsBank AUC): 10: 0.691 / 0.857; 20: 0.689 / 0.856;
# 40: 0.676 / 0.853.
SHARPNESS = 10.0
# The count signal saturates here: past 50 examples more of them say little new.
MOST_EXAMPLES = 50
# An answer whose nearest example was graded at most LOW_GRADE, that is at least
# LIKE_SIMILARITY close to it and closer to it than to the reference by LIKE_MARGIN,
# restates that reviewed answer: it is flagged ``like_reviewed_answer`` and the feedback
# quotes the reviewer's note (on the human-graded sets two answers to one question 0.8
# apart differ by 0.11-0.13 of the scale on average: worth a reviewer's look). From
# PULL_SIMILARITY on its grade is also drawn toward that example's (``pulled``). The pull
# was measured with 10 simulated examples per question (ADS Pearson / SciEntsBank AUC, 5
# draws): none 0.707 / 0.857; the whole way from 0.85 (any close low example, margin 0.2)
# 0.685 / 0.855; nearest only, the whole way from 0.85: 0.685 / 0.857, from 0.90: 0.689 /
# 0.859; in proportion from 0.90 to 1.0 (kept): 0.704 / 0.859; from 0.80 to 1.0: 0.697 /
# 0.860; 0.85 to 1.0: 0.701 / 0.859; 0.85 to 0.95: 0.698 / 0.859; 0.80 to 0.95: 0.694 /
# 0.860. ADS has many near-identical answers graded apart ("链式" for "顺序"), so every
# pull costs there.
LIKE_SIMILARITY = 0.80
PULL_SIMILARITY = 0.90
LOW_GRADE = 0.4
LIKE_MARGIN = 0.2


@dataclass(frozen=True)
class Example:
    text: str
    score: float  # 0-100, as a reviewer gives it
    note: str = ""


def digest_of(examples) -> str:
    """What identifies an example set in a grade's provenance: "" for none, else sha256."""
    if not examples:
        return ""
    canonical = sorted([e.text, round(float(e.score), 4), e.note] for e in examples)
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode()).hexdigest()


@dataclass
class ExampleSet:
    """A question's examples, embedded (vectors cached like the references')."""

    examples: tuple[Example, ...]
    vectors: np.ndarray  # (n, d) unit vectors
    grades: np.ndarray  # (n,) in [0, 1]
    cross: np.ndarray  # (n,) bool: written in another language than the reference
    digest: str

    def __len__(self) -> int:
        return len(self.examples)


def features(similarities: np.ndarray, grades: np.ndarray, bases: np.ndarray, base: float) -> np.ndarray:
    """The examples model's inputs for one answer, given its similarity to each example.

    ``bases``: the grade each example gets without examples. The residuals (reviewer's
    grade minus that) say how far the grader is off on this question, overall and near
    this answer: a question-level offset no reference shows."""
    weights = np.exp(SHARPNESS * (similarities - similarities.max()))
    weights /= weights.sum()
    nearest = int(np.argmax(similarities))
    residuals = grades - bases
    return np.array(
        [
            base,
            float(weights @ grades),
            float(grades[nearest]),
            float(similarities[nearest]),
            np.log1p(min(len(grades), MOST_EXAMPLES)) / np.log1p(MOST_EXAMPLES),
            float(weights @ residuals),
            float(residuals.mean()),
        ]
    )


def similarities(vector: np.ndarray, examples: ExampleSet, cross: bool, cross_lingual) -> np.ndarray:
    """Cosine to each example; across languages mapped to the within-language similarity
    it stands for (calibration.CrossLingual, as for references)."""
    sims = np.clip(examples.vectors @ vector, 0.0, 1.0)
    other = examples.cross != cross
    sims[other] = cross_lingual.similarity(sims[other])
    return sims


def pulled(grade: float, example_grade: float, similarity: float) -> float:
    """The grade of an answer that restates a low-graded example (see like_reviewed): drawn
    toward the example's grade from PULL_SIMILARITY on, the more the closer, all the way at
    an identical answer. A near-identical answer is graded like the reviewed one; one that
    only resembles it keeps part of its own grade, as two answers graded apart by people
    often read alike to the encoder."""
    share = min(1.0, max(0.0, (similarity - PULL_SIMILARITY) / (1.0 - PULL_SIMILARITY)))
    return grade + share * (example_grade - grade)


def like_reviewed(sims: np.ndarray, grades: np.ndarray, reference_cosine: float) -> int | None:
    """The low-graded example the answer restates (its nearest example), or None."""
    nearest = int(np.argmax(sims))
    close = sims[nearest] >= LIKE_SIMILARITY and sims[nearest] >= reference_cosine + LIKE_MARGIN
    return nearest if close and grades[nearest] <= LOW_GRADE else None

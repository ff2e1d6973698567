"""The signals the grade is built from, for one answer against one prepared question.

All reference-side work (splitting, embedding, content words) happens once in
:class:`PreparedQuestion`; grading an answer encodes only the answer's clauses and the
answer itself, in one call.
"""

import math
import re
from dataclasses import dataclass, field

import numpy as np

from quizsvc.scoring.embedding import Embedder, encode_with_units
from quizsvc.scoring.examples import Example, ExampleSet, digest_of
from quizsvc.scoring.keywords import Keyword
from quizsvc.scoring.text import (
    SENTENCE_CHARS,
    clean,
    content_words,
    formulas,
    language_of,
    normalise,
    readable,
    split_units,
    squash,
    without_words,
)



@dataclass(frozen=True)
class KeyPoint:
    text: str
    weight: float = 1.0


@dataclass(frozen=True)
class Misconception:
    text: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionSpec:
    """What the grader needs of a question: the stored version, or an ad-hoc reference."""

    prompt: str
    references: tuple[str, ...]
    key_points: tuple[KeyPoint, ...] = ()
    keywords: tuple[Keyword, ...] = ()
    misconceptions: tuple[Misconception, ...] = ()
    # Answers a person graded (reviewed examples); they never change the reference side.
    examples: tuple[Example, ...] = ()

    @classmethod
    def from_dict(cls, item: dict) -> "QuestionSpec":
        """From the question shape the bank file, the API and the store share
        (``prompt``, ``references``, optional ``key_points``, ``keywords``, ``misconceptions``,
        ``examples``)."""
        return cls(
            prompt=item.get("prompt", ""),
            references=tuple(item["references"]),
            key_points=tuple(KeyPoint(p["text"], p.get("weight", 1.0)) for p in item.get("key_points", ())),
            keywords=tuple(
                Keyword(k["term"], tuple(k.get("aliases", ())), k.get("weight", 1.0), k.get("required", False))
                for k in item.get("keywords", ())
            ),
            misconceptions=tuple(
                Misconception(m["text"], tuple(m.get("aliases", ()))) for m in item.get("misconceptions", ())
            ),
            examples=tuple(
                Example(e["answer"], float(e["score"]), e.get("note") or "") for e in item.get("examples", ())
            ),
        )


@dataclass
class ReferenceSide:
    """One reference answer, ready to compare: its vector, key points and content words."""

    text: str
    vector: np.ndarray
    # The reference without the question's words: what it says beyond the question.
    demoted_vector: np.ndarray
    points: tuple[KeyPoint, ...]
    point_vectors: np.ndarray
    words: frozenset[str]
    # Formulas it writes that the question does not: where the answer is a formula.
    formulas: frozenset[str]
    length: int
    verdict: int


@dataclass
class PreparedQuestion:
    spec: QuestionSpec
    language: str
    prompt_vector: np.ndarray
    prompt_words: frozenset[str]
    references: list[ReferenceSide]
    misconception_vectors: np.ndarray
    # Reference vectors of the other questions in the same bank, for the off-topic check.
    neighbour_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.float32))
    # Inverse document frequency of content words over this question and its neighbours:
    # a word every question of the bank uses says little about this one.
    idf: dict[str, float] = field(default_factory=dict)
    # A word no document of the bank uses is as rare as the rarest that one does.
    unseen_idf: float = 1.0
    neighbour_words: tuple[frozenset[str], ...] = ()
    # Content words of the rubric's keyword forms: what keyword stuffing lists.
    keyword_words: frozenset[str] = frozenset()
    examples: ExampleSet | None = None
    # Each example's grade without examples, by parameter digest (computed on first use).
    example_bases: dict = field(default_factory=dict)

    def weight(self, words) -> float:
        return sum(self.idf.get(w, self.unseen_idf) for w in words)


# A verdict opens an answer to a true/false or can/cannot question. Embeddings barely
# see the difference between "correct" and "incorrect"; the words do.
# A bare 对 / 错 / 是 / 否 counts only as the whole first word ("错。栈底元素也能删除"), not
# inside 对于, 是否 or 错位.
_ALONE = r"(?=[\s,，。.!！:：;；、]|$)"
_DENY = re.compile(
    r"不正确|错误|错的|不对|不可以|不能|不是|不会|不同意|^(?:错|否)"
    + _ALONE
    + r"|\b(false|incorrect|wrong|no|not|cannot|disagree|don't|do not)\b"
)
_AFFIRM = re.compile(r"正确|对的|是的|可以|能够|同意|^(?:对|是)" + _ALONE + r"|\b(true|correct|yes|agree)\b")
_VERDICT_CHARS = 24
# A question that asks for a verdict: true or false, can or cannot, agree or not. Only
# there does a reference's opening "可以" or "能够" state one.
_ASKS_VERDICT = re.compile(
    r"是否|能否|可否|能不能|是不是|会不会|对不对|有没有|判断|吗\s*[?？]|吗$"
    r"|(?:^|[.?!:]\s+)(?:is|are|can|could|does|do|did|will|would|should|was|were|has|have)\b"
    r"|\b(?:do you agree|true or false|yes or no|why or why not)\b"
)


def asks_verdict(prompt_norm: str) -> bool:
    return bool(_ASKS_VERDICT.search(prompt_norm))


def verdict(norm: str) -> int:
    """+1 when a normalised text opens by affirming, -1 by denying, 0 with no verdict."""
    head = norm[:_VERDICT_CHARS]
    deny, affirm = _DENY.search(head), _AFFIRM.search(head)
    if deny and (not affirm or deny.start() <= affirm.start()):
        return -1
    return 1 if affirm else 0


def key_points_of(reference: str) -> tuple[KeyPoint, ...]:
    """An ad-hoc reference's key points: its clauses, equally weighted, in the script it was written in."""
    return tuple(KeyPoint(unit) for unit in split_units(readable(reference)))


def prepare(
    spec: QuestionSpec, embedder: Embedder, *, neighbours: list[str] | tuple[str, ...] = ()
) -> PreparedQuestion:
    """Embed everything on the reference side in one batch (cached by the embedder)."""
    references = [clean(r) for r in spec.references]
    # Key points keep their own script for feedback; they are embedded in Simplified.
    point_sets = [spec.key_points or key_points_of(r) for r in spec.references]
    texts = [clean(spec.prompt), *references, *(clean(p.text) for points in point_sets for p in points)]
    texts += [clean(m.text) for m in spec.misconceptions]
    texts += [clean(n) for n in neighbours]
    examples_at = len(texts)
    texts += [clean(e.text) for e in spec.examples]
    prompt_words = frozenset(content_words(normalise(spec.prompt)))
    demoted_at = len(texts)
    texts += [_beyond(r, prompt_words) for r in references]
    vectors = embedder.encode(texts)
    demoted = vectors[demoted_at:]
    has_verdict = asks_verdict(normalise(spec.prompt))
    # An answer earns nothing for repeating the question's own formulas.
    prompt_formulas = formulas(normalise(spec.prompt))

    at = 1 + len(references)
    sides = []
    for i, (reference, points) in enumerate(zip(references, point_sets)):
        sides.append(
            ReferenceSide(
                text=reference,
                vector=vectors[1 + i],
                demoted_vector=demoted[i],
                points=points,
                point_vectors=vectors[at : at + len(points)],
                words=frozenset(content_words(normalise(reference))),
                formulas=formulas(normalise(reference)) - prompt_formulas,
                # What a complete answer must say is the key points, not a verbose
                # reference's every sentence: lengths compare against them, each point
                # counted by its weight (a light point, weight 0.5 of 2, a quarter of its
                # length: a concise answer need not spell out the peripheral ones).
                length=max(round(sum(len(clean(p.text)) * p.weight for p in points) / _heaviest(points)), 1),
                verdict=verdict(normalise(reference)) if has_verdict else 0,
            )
        )
        at += len(points)
    misconception_vectors = vectors[at : at + len(spec.misconceptions)]
    at += len(spec.misconceptions)
    language = language_of(" ".join(references))
    example_set = None
    if spec.examples:
        example_set = ExampleSet(
            examples=spec.examples,
            vectors=vectors[examples_at : examples_at + len(spec.examples)],
            grades=np.clip(np.array([e.score for e in spec.examples], dtype=np.float64) / 100.0, 0.0, 1.0),
            cross=np.array([language_of(e.text) != language for e in spec.examples]),
            digest=digest_of(spec.examples),
        )
    own_words = set().union(*(side.words for side in sides), prompt_words)
    neighbour_words = tuple(frozenset(content_words(normalise(n))) for n in neighbours)
    documents = [own_words, *neighbour_words]
    frequency: dict[str, int] = {}
    for document in documents:
        for word in document:
            frequency[word] = frequency.get(word, 0) + 1
    idf = {w: math.log((len(documents) + 1) / (n + 1)) + 1.0 for w, n in frequency.items()}
    return PreparedQuestion(
        spec=spec,
        language=language,
        prompt_vector=vectors[0],
        prompt_words=prompt_words,
        references=sides,
        misconception_vectors=misconception_vectors,
        neighbour_vectors=vectors[at:examples_at],
        idf=idf,
        unseen_idf=max(idf.values(), default=1.0),
        neighbour_words=neighbour_words,
        keyword_words=frozenset(
            w for keyword in spec.keywords for form in keyword.forms for w in content_words(normalise(form))
        ),
        examples=example_set,
    )


@dataclass
class EncodedAnswer:
    text: str  # cleaned
    norm: str
    units: list[str]
    unit_norms: list[str]
    vector: np.ndarray
    unit_vectors: np.ndarray
    words: tuple[str, ...]
    formulas: frozenset[str]
    language: str
    # The answer without the question's words; None when it says nothing else.
    demoted_vector: np.ndarray | None = None
    original: str = ""  # as submitted: evidence offsets point into it
    # Whole sentences (cut at commas only when long): what states a misconception.
    sentences: list[str] = field(default_factory=list)
    sentence_norms: list[str] = field(default_factory=list)
    sentence_vectors: np.ndarray | None = None


def _heaviest(points) -> float:
    return max((p.weight for p in points), default=1.0) or 1.0


def _beyond(reference: str, question_words: frozenset[str]) -> str:
    """A reference without the question's words; one that only restates them keeps them."""
    left = without_words(reference, question_words)
    return left if squash(left) else reference


def _runs(text: str, units: list[str], sentences: list[str]) -> list[list[int]]:
    """For each sentence, the consecutive clauses that lie in it (at least one)."""
    from quizsvc.scoring.evidence import unit_offsets

    unit_at = unit_offsets(text, units)
    runs = []
    for start, end in unit_offsets(text, sentences):
        inside = [i for i, (a, _) in enumerate(unit_at) if start <= a < end]
        if not inside:
            inside = [min(range(len(unit_at)), key=lambda i: abs(unit_at[i][0] - start))]
        runs.append(list(range(inside[0], inside[-1] + 1)))
    return runs


def encode_answers(
    answers: list[str], embedder: Embedder, question_words: list[frozenset[str]] | None = None
) -> list[EncodedAnswer]:
    """Split and embed answers: each answer and its clauses, in one pass where the model
    allows, and, given each answer's question words, the answer without them."""
    cleaned = [clean(a) for a in answers]
    norms = [normalise(c) for c in cleaned]
    units = [split_units(c) or [c] for c in cleaned]
    sentences = [split_units(c, longest=SENTENCE_CHARS) or [c] for c in cleaned]
    # Each sentence is pooled from its clauses' token features in the same pass.
    runs = [_runs(c, parts, whole) for c, parts, whole in zip(cleaned, units, sentences)]
    question_words = question_words or [frozenset()] * len(answers)
    # Words are left out only where the answer uses some. What is left keeps its function
    # words: "the bulbs are not lit", asked whether the bulbs are lit, still says "not".
    words = [content_words(norm) for norm in norms]
    skip = [asked if asked.intersection(used) else None for used, asked in zip(words, question_words)]
    vectors = encode_with_units(embedder, cleaned, units, skip, runs) if cleaned else []
    encoded = []
    for original, text, norm, parts, whole, used, left_out, (vector, pooled, demoted_vector) in zip(
        answers, cleaned, norms, units, sentences, words, skip, vectors
    ):
        unit_vectors, sentence_vectors = pooled[: len(parts)], pooled[len(parts) :]
        if left_out is None:
            demoted_vector = vector  # nothing of the question's to leave out
        encoded.append(
            EncodedAnswer(
                text=text,
                norm=norm,
                units=parts,
                unit_norms=[normalise(u) for u in parts],
                sentences=whole,
                sentence_norms=[normalise(s) for s in whole],
                sentence_vectors=sentence_vectors,
                vector=vector,
                unit_vectors=unit_vectors,
                words=used,
                formulas=formulas(norm),
                language=language_of(text),
                demoted_vector=demoted_vector,
                original=original or "",
            )
        )
    return encoded


@dataclass(frozen=True)
class Signals:
    """The fitted model's inputs, for the best-matching reference, plus per-point coverage."""

    cosine: float  # whole answer against whole reference
    # The same with the question's words left out of both: an answer earns nothing for
    # restating the question (0 when the answer says nothing else).
    demoted_cosine: float
    recall: float  # weighted key-point coverage
    precision: float  # how much of the answer is about some key point
    lexical_recall: float  # reference content words (not in the question) the answer uses, IDF-weighted
    lexical_precision: float  # answer content words (not in the question) found in the reference, IDF-weighted
    length_ratio: float  # log(answer length / key points' length), clipped to [-4, LONGEST]
    stance: float  # +1 the answer opens with the reference's verdict (true/false, can/cannot), -1 the opposite
    # The reference's formulas (those the question does not write) that the answer writes,
    # weighted by length: where the answer is a formula, "2^(n-1)" against "2^n-1".
    formula: float
    coverage: tuple[float, ...]  # per key point of the chosen reference
    reference: int  # which reference
    cross_lingual: bool

    FEATURES = (
        "demoted_cosine",
        "recall",
        "precision",
        "lexical_recall",
        "lexical_precision",
        "length_ratio",
        "stance",
        "formula",
    )
    # Across languages the question's words cannot be left out of the answer: the plain
    # cosine stands in for the demoted one.
    SEMANTIC = ("cosine", "recall", "precision", "length_ratio", "stance", "formula")
    NUMERIC = ("cosine", *FEATURES)

    @classmethod
    def of_nothing(cls) -> "Signals":
        """What an empty answer shows: no similarity, the shortest length."""
        return cls(
            **{**dict.fromkeys(cls.NUMERIC, 0.0), "length_ratio": -4.0}, coverage=(), reference=0, cross_lingual=False
        )

    def vector(self, names: tuple[str, ...]) -> np.ndarray:
        return np.array([getattr(self, n) for n in names], dtype=np.float64)


def _at_most_one(values):
    return np.minimum(values, 1.0)


# Length earns nothing beyond e (about 2.7) times the key points' length: past that an
# answer is complete or padded, and human grades do not rise with it (on ADS and
# SciEntsBank a cap here or at e^2 cross-validates alike), while a higher cap let
# padding with other questions' answers raise a grade.
LONGEST = 1.0


def signals_for(
    answer: EncodedAnswer, side: ReferenceSide, question: "PreparedQuestion", cross: bool, cross_lingual=None
) -> Signals:
    """``cross_lingual`` (calibration.CrossLingual): for an answer in another language than
    the reference, similarities and length are read as within-language ones."""
    units = answer.unit_vectors if len(answer.unit_vectors) else answer.vector[None, :]
    if cross and cross_lingual is not None:
        similar = cross_lingual.similarity
        length = cross_lingual.length(max(len(answer.text), 1), answer.language, question.language)
    else:
        similar = _at_most_one
        length = max(len(answer.text), 1)
    # A key point is covered by its best clause, or by the answer as a whole when the
    # point is spread over several clauses.
    unit_sims = similar(units @ side.point_vectors.T)  # (units, points)
    whole_sims = similar(side.point_vectors @ answer.vector)
    coverage = np.maximum(unit_sims.max(axis=0), whole_sims) if unit_sims.size else whole_sims
    weights = np.array([p.weight for p in side.points], dtype=np.float64)
    recall = float(np.clip(coverage, 0, 1) @ weights / weights.sum()) if len(weights) else 0.0
    unit_lengths = np.array([max(len(u), 1) for u in answer.units], dtype=np.float64)
    best_per_unit = unit_sims.max(axis=1) if unit_sims.size else np.zeros(len(unit_lengths))
    precision = float(np.clip(best_per_unit, 0, 1) @ unit_lengths / unit_lengths.sum()) if len(unit_lengths) else 0.0

    # The candidate gets no credit for words the question already says; rare words of
    # the bank count for more than words every question uses.
    answer_words = set(answer.words) - question.prompt_words
    reference_words = side.words - question.prompt_words
    shared = question.weight(answer_words & reference_words)
    lexical_recall = shared / question.weight(reference_words) if reference_words else 0.0
    lexical_precision = shared / question.weight(answer_words) if answer_words else 0.0
    length_ratio = float(np.clip(math.log(max(length, 1.0) / side.length), -4.0, LONGEST))
    written = side.formulas & answer.formulas
    formula = sum(map(len, written)) / sum(map(len, side.formulas)) if written else 0.0
    return Signals(
        cosine=float(np.clip(similar(answer.vector @ side.vector), 0.0, 1.0)),
        demoted_cosine=0.0
        if answer.demoted_vector is None
        else float(np.clip(similar(answer.demoted_vector @ side.demoted_vector), 0.0, 1.0)),
        recall=recall,
        precision=precision,
        lexical_recall=lexical_recall,
        lexical_precision=lexical_precision,
        length_ratio=length_ratio,
        stance=float(verdict(answer.norm) * side.verdict),
        formula=formula,
        coverage=tuple(float(c) for c in coverage),
        reference=0,
        cross_lingual=cross,
    )

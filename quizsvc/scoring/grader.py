"""The grader: (question, answer) -> a frozen, explained :class:`GradeResult`."""

import bisect
import re
import time
from dataclasses import dataclass, field

import numpy as np

from quizsvc.scoring import examples as example_rules
from quizsvc.scoring import flags as flag_rules
from quizsvc.scoring.calibration import Parameters, load_parameters
from quizsvc.scoring.embedding import CachingEmbedder, Embedder
from quizsvc.scoring.evidence import Evidence, collect_evidence
from quizsvc.scoring.feedback import (
    PARTLY,
    feedback_lines,
    like_feedback,
    said_otherwise,
    stated_points,
    status,
)
from quizsvc.scoring.keywords import asserts, denies, find_form, matched_form
from quizsvc.scoring.signals import (
    EncodedAnswer,
    PreparedQuestion,
    QuestionSpec,
    Signals,
    encode_answers,
    prepare,
    signals_for,
)
from quizsvc.scoring.text import content_word_spans, function_word_share, normalise

GRADER_VERSION = "1.5.1"

BANDS = ((0.80, "strong"), (0.60, "adequate"), (0.35, "weak"), (0.0, "insufficient"))
# Off-topic: another question of the bank must be clearly closer than this one, in meaning
# and in words, and this one must not be close. Banks are about one subject (all seed
# questions are about LLMs; a data-structures bank asks about lists three ways), so
# "closer" alone misfires: on the seed bank a good answer is 0.15-0.3 closer to its own
# reference than to any other and a good answer to another question 0.17-0.55 closer to
# that one's. On the human-graded sets (15 overlapping data-structures questions; 135
# science questions with one-sentence answers) meaning alone catches many correct
# answers; requiring the wording to agree cuts that to none of 1,107 and to 92 of the 444
# science answers it flags (mean human grade 0.21).
OFF_TOPIC_MARGIN = 0.15
OFF_TOPIC_FLOOR = 0.55
OFF_TOPIC_WORD_MARGIN = 0.5
# Question copy: nearly every content word already in the question, close to it in
# meaning, and little of the reference's own content.
QUESTION_COPY_NOVELTY = 0.15
QUESTION_COPY_COSINE = 0.85
QUESTION_COPY_MAX_RECALL = 0.3
# Keyword stuffing: a list of terms, not sentences. Terse but real answers ("采用链表，
# 插入删除不需要移动元素") have segments with words of their own.
STUFFING_MIN_SEGMENTS = 4
STUFFING_SHORT_WORDS = 3
STUFFING_BARE_SHARE = 0.75
STUFFING_FUNCTION_SHARE = 0.08
# Reference copy: near-identical meaning and wording.
COPY_COSINE = 0.95
COPY_LEXICAL = 0.85
# A clause asserts a misconception when it is this close to it, and closer to it than to
# any key point of the reference.
MISCONCEPTION_COSINE = 0.80
MISCONCEPTION_MARGIN = 0.05


_SEGMENT = re.compile(r"[,，、;；/|\n]+|\s+(?:and|or)\s+")


@dataclass(frozen=True)
class KeyPointResult:
    text: str
    weight: float
    similarity: float
    status: str  # covered, partly, missed


@dataclass(frozen=True)
class GradeResult:
    score: int  # 0-100
    band: str
    confidence: float  # 0-1
    key_points: tuple[KeyPointResult, ...]
    keywords_matched: tuple[str, ...]
    keywords_missing: tuple[str, ...]
    misconceptions: tuple[str, ...]
    flags: tuple[str, ...]
    feedback: tuple[str, ...]
    breakdown: dict = field(hash=False)
    grader_version: str = GRADER_VERSION
    model_id: str = ""
    params_digest: str = ""
    # sha256 of the reviewed examples graded against ("" for none): see examples.digest_of.
    examples_digest: str = ""
    # Where each covered key point, matched keyword and misconception is in the answer as
    # submitted (half-open code-point offsets): see evidence.Evidence.
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict:
        # What dataclasses.asdict gives, without its deep copies of every string (a third of
        # a millisecond per answer, on every request).
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values["key_points"] = tuple(
            {"text": p.text, "weight": p.weight, "similarity": p.similarity, "status": p.status}
            for p in self.key_points
        )
        values["breakdown"] = {k: dict(v) if isinstance(v, dict) else v for k, v in self.breakdown.items()}
        values["evidence"] = tuple(
            {"kind": e.kind, "index": e.index, "label": e.label, "start": e.start, "end": e.end} for e in self.evidence
        )
        return values


def band_of(grade: float) -> str:
    return next(name for floor, name in BANDS if grade >= floor)


class Grader:
    """``observer(grader, answers, seconds)``, if given, hears of every batch graded (the app's
    metrics and logs)."""

    def __init__(
        self, embedder: Embedder, parameters: Parameters | None = None, *, reference_embedder=None, observer=None
    ):
        self.embedder = embedder
        self.reference_embedder = reference_embedder or CachingEmbedder(embedder)
        self.parameters = parameters or load_parameters()
        self.observer = observer

    # -- reference side -------------------------------------------------------------------

    def prepare(self, spec: QuestionSpec, *, neighbours=()) -> PreparedQuestion:
        return prepare(spec, self.reference_embedder, neighbours=neighbours)

    # -- grading ----------------------------------------------------------------------------

    def grade(self, question: QuestionSpec | PreparedQuestion, answer: str) -> GradeResult:
        return self.grade_many(question, [answer])[0]

    def grade_many(self, question: QuestionSpec | PreparedQuestion, answers: list[str]) -> list[GradeResult]:
        return [result for result, _ in self.assess_many(question, answers)]

    def assess_many(
        self, question: QuestionSpec | PreparedQuestion, answers: list[str]
    ) -> list[tuple[GradeResult, Signals | None]]:
        """Each answer's grade and the signals it was computed from (None for an empty answer)."""
        prepared = question if isinstance(question, PreparedQuestion) else self.prepare(question)
        return self.assess_pairs([(prepared, answer) for answer in answers])

    def grade_pairs(self, pairs: list[tuple[PreparedQuestion, str]]) -> list[GradeResult]:
        """Grade answers to different questions (a whole submission), encoding them in one batch.

        An answer that nearly repeats the answer to another question of the batch is
        flagged ``repeated_answer`` (see :func:`flags.repeated_answers`)."""
        return [result for result, _ in self.assess_pairs(pairs)]

    def assess_pairs(self, pairs: list[tuple[PreparedQuestion, str]]) -> list[tuple[GradeResult, Signals | None]]:
        started = time.perf_counter()
        assessed = [(result, found) for result, found, _ in self.assess_encoded(pairs)]
        if self.observer is not None:
            self.observer(self, len(pairs), time.perf_counter() - started)
        return assessed

    def assess_encoded(
        self, pairs: list[tuple[PreparedQuestion, str]]
    ) -> list[tuple[GradeResult, Signals | None, np.ndarray | None]]:
        """Each answer's grade, signals and whole-answer vector (None for an empty answer)."""
        assessed: list = [None] * len(pairs)
        live = []
        for i, (_, answer) in enumerate(pairs):
            if flag_rules.is_noise(normalise(answer or "")):
                assessed[i] = (self._empty(), None, None)
            else:
                live.append(i)
        answers = [pairs[i][1] for i in live]
        asked = [pairs[i][0].prompt_words for i in live]
        repeated = flag_rules.repeated_answers([(pairs[i][0], normalise(pairs[i][1])) for i in live])
        for k, (i, encoded) in enumerate(zip(live, encode_answers(answers, self.embedder, asked))):
            result, found = self._grade_encoded(pairs[i][0], encoded, ("repeated_answer",) if k in repeated else ())
            assessed[i] = (result, found, encoded.vector)
        return assessed

    def signals(self, prepared: PreparedQuestion, encoded: EncodedAnswer) -> tuple[Signals, float, str]:
        """Signals against the references, the grade before flags, and the model used.

        Several references: each signal is the best over them (an answer may match one
        reference's wording and another's content); key-point coverage is reported for
        the closest reference by meaning.
        """
        cross = encoded.language != prepared.language
        model_name = "semantic" if cross else "full"
        model = self.parameters.models[model_name]
        scale = self.parameters.cross_lingual
        candidates = [signals_for(encoded, side, prepared, cross, scale) for side in prepared.references]
        closest = max(range(len(candidates)), key=lambda i: candidates[i].cosine + candidates[i].recall)
        best = Signals(
            **{
                **candidates[closest].__dict__,
                **{name: max(getattr(c, name) for c in candidates) for name in Signals.NUMERIC},
                "reference": closest,
            }
        )
        return best, float(model.predict(best.vector(model.features))[0]), model_name

    def _grade_encoded(
        self, prepared: PreparedQuestion, encoded: EncodedAnswer, extra_flags: tuple[str, ...] = ()
    ) -> tuple[GradeResult, Signals | None]:
        """``extra_flags``: what the batch found about this answer (``repeated_answer``)."""
        flags: list[str] = list(extra_flags)
        injected = [i for i, u in enumerate(encoded.sentence_norms) if flag_rules.addressed_to_grader(u)]
        if injected:
            flags.append("addressed_to_grader")
        signals, grade, model_name = self.signals(prepared, encoded)
        encoded_first = encoded
        if injected:
            # Grade the answer without the text aimed at the grader, and never let that
            # text raise the score.
            kept = " ".join(u for i, u in enumerate(encoded.sentences) if i not in injected)
            if flag_rules.is_noise(normalise(kept)):
                return self._empty(extra_flags=tuple(flags)), None
            stripped = encode_answers([kept], self.embedder, [prepared.prompt_words])[0]
            other_signals, other_grade, model_name = self.signals(prepared, stripped)
            if other_grade <= grade:
                signals, grade, encoded = other_signals, other_grade, stripped

        before_examples = grade
        grade, like = self._with_examples(prepared, encoded, grade, signals.cosine)
        if like is not None:
            flags.append("like_reviewed_answer")

        side = prepared.references[signals.reference]
        spec = prepared.spec
        matched, missing, missing_required = [], [], []
        forms = {}
        for index, keyword in enumerate(spec.keywords):
            form = matched_form(encoded.norm, keyword)
            if form:
                matched.append(keyword.term)
                forms[index] = form
            else:
                missing.append(keyword.term)
                if (
                    keyword.required
                    and keyword.has_form_in(encoded.language)
                    and not said_otherwise(keyword, side, signals)
                ):
                    missing_required.append(keyword.term)
        if missing_required:
            flags.append("missing_required_keyword")

        formulas = (sorted(side.formulas & encoded.formulas), sorted(side.formulas - encoded.formulas))
        asserted = self._misconception_units(prepared, encoded, side)
        misconceptions = [m.text for i, m in enumerate(spec.misconceptions) if i in {k for k, _ in asserted}]
        if misconceptions:
            flags.append("misconception")
        flags += self._shape_flags(prepared, encoded, signals)

        capped = flag_rules.apply_caps(grade, flags)
        score = int(round(capped * 100))
        stated = stated_points(side.points, encoded, spec, forms)
        points = tuple(
            KeyPointResult(p.text, p.weight, round(c, 3), status(c, stated.get(i)))
            for i, (p, c) in enumerate(zip(side.points, signals.coverage))
        )
        confidence = self._confidence(signals, grade, capped, flags)
        feedback = feedback_lines(points, matched, missing, missing_required, formulas, misconceptions, flags)
        if like is not None:
            feedback = like_feedback(feedback, like)
        original = encoded_first.original
        result = GradeResult(
            score=score,
            band=band_of(score / 100),
            confidence=round(confidence, 2),
            key_points=points,
            keywords_matched=tuple(matched),
            keywords_missing=tuple(missing),
            misconceptions=tuple(misconceptions),
            flags=tuple(flags),
            feedback=feedback,
            breakdown={
                "signals": {name: round(getattr(signals, name), 4) for name in Signals.NUMERIC},
                "model": model_name,
                "cross_lingual": signals.cross_lingual,
                "reference": signals.reference,
                "before_flags": round(grade * 100, 1),
                "before_examples": round(before_examples * 100, 1),
                "examples": len(prepared.examples) if prepared.examples is not None else 0,
            },
            model_id=self.embedder.model_id,
            params_digest=self.parameters.digest,
            examples_digest=prepared.examples.digest if prepared.examples is not None else "",
            evidence=collect_evidence(
                original,
                encoded_first,
                side,
                points,
                spec,
                forms,
                asserted if encoded_first is encoded else self._misconception_units(prepared, encoded_first, side),
                partly=PARTLY,
            ),
        )
        return result, signals

    def _with_examples(self, prepared: PreparedQuestion, encoded: EncodedAnswer, grade: float, cosine: float):
        """The grade with the question's reviewed examples, and the low-graded example the
        answer restates (or None). Without examples: the grade unchanged."""
        examples = prepared.examples
        if examples is None or not len(examples):
            return grade, None
        cross = encoded.language != prepared.language
        sims = example_rules.similarities(encoded.vector, examples, cross, self.parameters.cross_lingual)
        model = self.parameters.models.get("examples")
        if model is not None:
            features = example_rules.features(sims, examples.grades, self._example_bases(prepared), grade)
            grade = float(model.predict(features)[0])
        like = example_rules.like_reviewed(sims, examples.grades, cosine)
        if like is None:
            return grade, None
        grade = example_rules.pulled(grade, float(examples.grades[like]), float(sims[like]))
        return grade, examples.examples[like]

    def _example_bases(self, prepared: PreparedQuestion) -> np.ndarray:
        """Each example's grade without examples under these parameters, computed once."""
        digest = self.parameters.digest
        if digest not in prepared.example_bases:
            texts = [e.text for e in prepared.examples.examples]
            encoded = encode_answers(texts, self.embedder, [prepared.prompt_words] * len(texts))
            prepared.example_bases[digest] = np.array([self.signals(prepared, e)[1] for e in encoded])
        return prepared.example_bases[digest]

    # -- flags --------------------------------------------------------------------------------

    @staticmethod
    def _misconception_units(prepared: PreparedQuestion, encoded: EncodedAnswer, side) -> list[tuple[int, int]]:
        """(misconception index, sentence index) for each sentence that asserts a listed misconception."""
        hits = []
        vectors = prepared.misconception_vectors
        sentences = encoded.sentence_vectors if encoded.sentence_vectors is not None else encoded.unit_vectors
        norms = encoded.sentence_norms or encoded.unit_norms
        if len(sentences):
            to_claims = sentences @ vectors.T if len(vectors) else None
            to_points = (sentences @ side.point_vectors.T).max(axis=1)
        for index, item in enumerate(prepared.spec.misconceptions):
            # Look in the clauses only for the forms the answer contains at all.
            present = [form for form in (item.text, *item.aliases) if find_form(encoded.norm, form, typos=False) >= 0]
            units = [u for u, unit in enumerate(norms) if any(asserts(unit, form) for form in present)]
            if not units and len(sentences):
                for u, (unit, claim, point) in enumerate(zip(norms, to_claims[:, index], to_points)):
                    if claim >= MISCONCEPTION_COSINE and claim >= point + MISCONCEPTION_MARGIN and not denies(unit):
                        units = [u]
                        break
            hits += [(index, u) for u in units]
        return hits

    def _shape_flags(self, prepared: PreparedQuestion, encoded: EncodedAnswer, signals: Signals):
        flags = []
        words = set(encoded.words)
        novelty = len(words - prepared.prompt_words) / len(words) if words else 0.0
        if (
            novelty <= QUESTION_COPY_NOVELTY
            and float(encoded.vector @ prepared.prompt_vector) >= QUESTION_COPY_COSINE
            and signals.lexical_recall < QUESTION_COPY_MAX_RECALL
        ):
            flags.append("question_copy")
        if self._is_term_list(encoded, prepared.references[signals.reference].words | prepared.keyword_words):
            flags.append("keyword_stuffing")
        if len(prepared.neighbour_vectors) and self._is_off_topic(prepared, encoded):
            flags.append("off_topic")
        if not signals.cross_lingual and signals.cosine >= COPY_COSINE and signals.lexical_recall >= COPY_LEXICAL:
            flags.append("reference_copy")
        return flags

    @staticmethod
    def _is_off_topic(prepared: PreparedQuestion, encoded: EncodedAnswer) -> bool:
        own = max(float(encoded.vector @ side.vector) for side in prepared.references)
        other = float((prepared.neighbour_vectors @ encoded.vector).max())
        if own >= OFF_TOPIC_FLOOR or other < own + OFF_TOPIC_MARGIN:
            return False
        words = set(encoded.words) - prepared.prompt_words
        if not words:
            return True  # nothing of its own to say, and closer to another question
        own_words = max(len(words & side.words) for side in prepared.references) / len(words)
        other_words = max((len(words & n) for n in prepared.neighbour_words), default=0) / len(words)
        return other_words >= own_words + OFF_TOPIC_WORD_MARGIN

    @staticmethod
    def _is_term_list(encoded: EncodedAnswer, terms: frozenset[str]) -> bool:
        """Keyword stuffing: the answer is a list of bare terms, nearly all of them the rubric's.

        A segment is bare when its few content words are all reference or rubric terms; a
        clause that explains something brings words of its own.
        """
        # The answer's own segmentation, cut at the separators (which never fall inside a word).
        bounds = [m.end() for m in _SEGMENT.finditer(encoded.norm)]
        segments: list[list[str]] = [[] for _ in range(len(bounds) + 1)]
        for start, word in content_word_spans(encoded.norm):
            segments[bisect.bisect_right(bounds, start)].append(word)
        # Numbers and formulas ("n/2", "[2, 9, 5]") are results, not terms: leave them out.
        segments = [s for s in segments if s and not all(w[0].isdigit() or len(w) == 1 for w in s)]
        bare = sum(len(s) <= STUFFING_SHORT_WORDS and all(w in terms for w in s) for s in segments)
        if len(segments) < STUFFING_MIN_SEGMENTS or bare < STUFFING_BARE_SHARE * len(segments):
            return False
        return function_word_share(encoded.norm) < STUFFING_FUNCTION_SHARE

    def _confidence(self, signals: Signals, grade: float, capped: float, flags: list[str]) -> float:
        confidence = 1.0
        if not signals.cross_lingual:
            # The language-independent model is a second opinion: disagreement lowers trust.
            semantic = self.parameters.models["semantic"]
            second = float(semantic.predict(signals.vector(semantic.features))[0])
            confidence -= min(abs(second - grade) * 1.5, 0.5)
        else:
            confidence -= 0.25
        if any(flag_rules.FLAG_RULES[f].review for f in flags):
            confidence -= 0.25
        if any(abs(capped - floor) < 0.04 for floor, _ in BANDS[:-1]):
            confidence -= 0.15
        return max(confidence, 0.05)

    def _empty(self, extra_flags=()) -> GradeResult:
        flags = ("empty", *extra_flags)
        return GradeResult(
            score=0,
            band="insufficient",
            confidence=1.0,
            key_points=(),
            keywords_matched=(),
            keywords_missing=(),
            misconceptions=(),
            flags=flags,
            feedback=tuple(flag_rules.FLAG_RULES[f].meaning for f in flags),
            breakdown={"signals": {}, "model": None, "cross_lingual": False, "reference": None, "before_flags": 0.0},
            model_id=self.embedder.model_id,
            params_digest=self.parameters.digest,
        )

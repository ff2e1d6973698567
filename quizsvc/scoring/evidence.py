"""Evidence: where in the answer, as the candidate wrote it, each finding comes from.

The grader matches on derived forms of the answer (cleaned: NFKC, markdown and invisible
characters gone, Simplified script; normalised: also lower case, whitespace collapsed).
An :class:`Aligner` maps offsets in a derived form back to half-open code-point offsets
in the original text, so a page can highlight exactly what the candidate typed.
"""

import difflib
import unicodedata
from dataclasses import dataclass

from quizsvc.scoring.text import to_simplified


@dataclass(frozen=True)
class Evidence:
    kind: str  # key_point, keyword, misconception
    index: int  # position in key_points, in the rubric's keywords, or in misconceptions
    label: str  # the key point text, keyword term or misconception claim
    start: int  # half-open code-point offsets into the answer as submitted
    end: int


def _comparable(original: str) -> str:
    """The original, character for character, in the derived forms' terms (one character
    each, so indices stay those of the original)."""
    out = []
    for char in original:
        folded = unicodedata.normalize("NFKC", char)
        out.append(folded[:1] if folded else char)
    simplified = to_simplified("".join(out))
    return simplified.lower() if len(simplified) == len(original) else "".join(out).lower()


class Aligner:
    """Offsets in a derived form of ``original`` -> offsets in ``original``."""

    def __init__(self, original: str, derived: str):
        self.original = original
        self._length = len(derived)
        key = _comparable(original)
        self._map = list(range(len(derived)))
        if key == derived.lower():
            return
        matcher = difflib.SequenceMatcher(None, key, derived.lower(), autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            for j in range(j1, j2):
                if tag in ("equal", "replace") and i2 > i1:
                    self._map[j] = i1 + min((j - j1) * (i2 - i1) // max(j2 - j1, 1), i2 - i1 - 1)
                else:  # a character the derived form adds: it stands where the original resumes
                    self._map[j] = min(i1, max(len(original) - 1, 0))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Half-open offsets into the original of derived[start:end] (end > start)."""
        if self._length == 0 or not self.original:
            return 0, 0
        start = min(max(start, 0), self._length - 1)
        last = min(max(end - 1, start), self._length - 1)
        return self._map[start], self._map[last] + 1


def unit_offsets(text: str, units: list[str]) -> list[tuple[int, int]]:
    """Where each clause (a stripped piece of ``text``, in order) lies in ``text``."""
    spans, cursor = [], 0
    for unit in units:
        at = text.find(unit, cursor)
        if at < 0:
            at = text.find(unit)
        if at < 0:
            spans.append((0, len(text)))
            continue
        spans.append((at, at + len(unit)))
        cursor = at + len(unit)
    return spans


def collect_evidence(
    original, encoded, side, points, spec, forms: dict[int, str], misconception_units, *, partly: float
) -> tuple:
    """Evidence for a graded answer.

    ``points``: the key point results (status per point of ``side``); ``forms``: the form of
    each matched keyword, by its index in the rubric; ``misconception_units``: (misconception
    index, clause index) pairs; ``partly``: the similarity from which a clause partly covers
    a point. A covered or partly covered key point names its best clause, or, when it is
    marked by a keyword rather than by a similar clause, where that keyword is.
    """
    from quizsvc.scoring.feedback import holders
    from quizsvc.scoring.keywords import find_span

    if not original:
        return ()
    clauses = Aligner(original, encoded.text)
    words = Aligner(original, encoded.norm)
    unit_spans = [clauses.span(a, b) for a, b in unit_offsets(encoded.text, encoded.units)]
    sentence_spans = [clauses.span(a, b) for a, b in unit_offsets(encoded.text, encoded.sentences or encoded.units)]
    found: list[Evidence] = []
    keyword_spans = {}
    for index, form in forms.items():
        at = find_span(encoded.norm, form)
        if at is not None:
            keyword_spans[index] = words.span(*at)
            found.append(Evidence("keyword", index, spec.keywords[index].term, *keyword_spans[index]))
    # A keyword marks the one key point it occurs in (see feedback.stated_points).
    texts = tuple(point.text for point in points)
    owners = {}
    for k in keyword_spans:
        holding = holders(texts, forms[k])
        if len(holding) == 1:
            owners[k] = holding[0]
    if len(encoded.unit_vectors) and len(side.point_vectors):
        best = (encoded.unit_vectors @ side.point_vectors.T).argmax(axis=0)
        for index, point in enumerate(points):
            if point.status == "missed":
                continue
            marks = [span for k, span in keyword_spans.items() if owners.get(k) == index]
            if point.similarity >= partly or not marks:
                marks = [unit_spans[int(best[index])]]
            found += [Evidence("key_point", index, point.text, *span) for span in marks]
    for index, unit in misconception_units:
        found.append(Evidence("misconception", index, spec.misconceptions[index].text, *sentence_spans[unit]))
    return tuple(found)


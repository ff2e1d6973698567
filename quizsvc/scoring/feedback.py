"""What the grade says in words: key point status, required terms stated otherwise, and
the feedback lines."""

from functools import lru_cache

from quizsvc.scoring import flags as flag_rules
from quizsvc.scoring.keywords import find_form
from quizsvc.scoring.text import content_words, normalise

# Key-point status from the cosine of its best clause. On this encoder a paraphrase of
# the same claim sits around 0.7-0.9 and a different claim on the same topic around
# 0.4-0.55.
COVERED = 0.62
PARTLY = 0.48


def status(similarity: float, stated: str | None = None) -> str:
    """A point the answer states, or whose keyword it uses, is never reported missed."""
    found = "covered" if similarity >= COVERED else "partly" if similarity >= PARTLY else "missed"
    if stated == "covered" or (stated == "partly" and found == "missed"):
        return stated
    return found


@lru_cache(maxsize=8192)
def holders(point_texts: tuple[str, ...], form: str) -> tuple[int, ...]:
    """The key points (of one reference) in whose text a keyword form occurs."""
    return tuple(i for i, text in enumerate(point_texts) if find_form(normalise(text), form) >= 0)


@lru_cache(maxsize=4096)
def _point_words(text: str) -> frozenset[str]:
    return frozenset(content_words(normalise(text)))


def said_otherwise(keyword, side, signals) -> bool:
    """A required term the answer does not use but whose meaning it states: a key point
    that uses the term is covered, or, where no key point uses it, the answer covers the
    key points as a whole ("knowledge learned in one language transfers" for 跨语言迁移)."""
    texts = tuple(point.text for point in side.points)
    holding = sorted({i for form in keyword.forms for i in holders(texts, form)})
    if holding:
        return any(signals.coverage[i] >= COVERED for i in holding)
    return signals.recall >= COVERED


def stated_points(points, encoded, spec, forms: dict[int, str]) -> dict[int, str]:
    """Key points the answer states in words ("covered": every content word of the point is
    the answer's) or names by its own matched rubric keyword ("partly"): a keyword that
    occurs in this key point and in no other (BERT, in every point about BERT, marks none)."""
    words = set(encoded.words)
    texts = tuple(point.text for point in points)
    stated = {}
    for form in forms.values():
        holding = holders(texts, form)
        if len(holding) == 1:
            stated[holding[0]] = "partly"
    for index, text in enumerate(texts):
        point_words = _point_words(text)
        if point_words and point_words <= words:
            stated[index] = "covered"
    return stated


def like_feedback(feedback: tuple[str, ...], example) -> tuple[str, ...]:
    line = f"Like an answer a reviewer graded {round(example.score)}"
    line += f': "{example.note}"' if example.note else "."
    return (line, *feedback)


def feedback_lines(points, matched, missing, missing_required, formulas, misconceptions, flags) -> tuple[str, ...]:
    lines = []
    covered = [p.text for p in points if p.status == "covered"]
    partly = [p.text for p in points if p.status == "partly"]
    missed = [p.text for p in points if p.status == "missed"]
    if covered:
        lines.append("Covered: " + "; ".join(covered))
    if partly:
        lines.append("Partly covered: " + "; ".join(partly))
    if missed:
        lines.append("Missed: " + "; ".join(missed))
    if matched:
        lines.append("Key terms used: " + ", ".join(matched))
    if missing:
        lines.append("Key terms not used: " + ", ".join(missing))
    if missing_required:
        lines.append("Required terms missing: " + ", ".join(missing_required))
    written, not_written = formulas
    if written:
        lines.append("Formulas of the reference written: " + ", ".join(written))
    if not_written:
        lines.append("Formulas of the reference not written: " + ", ".join(not_written))
    for claim in misconceptions:
        lines.append(f"Asserts a known misconception: {claim}")
    for flag in flags:
        if flag != "misconception":
            lines.append(flag_rules.FLAG_RULES[flag].meaning)
    return tuple(lines)

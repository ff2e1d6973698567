"""Rubric keywords and misconception aliases, matched on normalised text.

A form matches across scripts and spellings ('Self-Attention', 'self attention',
自注意力機制 / 自注意力机制) because both sides are normalised first; Latin forms of six
letters or more also tolerate a small typo ('tranformer').
"""

import re
from dataclasses import dataclass

from quizsvc.scoring.text import CJK, normalise, squash

_HAS_CJK = re.compile(f"[{CJK}]")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
# Words just before a claim that deny it ("BERT 不是自回归", "is not autoregressive"), and
# words anywhere in the clause that report it as wrong ("a common misconception is ...").
_NEGATION_BEFORE = re.compile(r"(不是|并非|并不|不会|不能|不|非|没有|没|未|无|别|not|n't|never|no|neither|nor)\s*$")
_REPORTED_AS_WRONG = re.compile(r"误解|误区|错误|误以为|谬误|misconception|myth|wrong|incorrect|mistaken|false")
_NEGATION_WINDOW = 6


@dataclass(frozen=True)
class Keyword:
    term: str
    aliases: tuple[str, ...] = ()
    weight: float = 1.0
    required: bool = False

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.term, *self.aliases)


def _typo_budget(form: str) -> int:
    return 0 if len(form) < 6 else 1 if len(form) < 10 else 2


def _within(a: str, b: str, budget: int) -> bool:
    """Levenshtein distance of a and b is at most budget (banded, early exit)."""
    if abs(len(a) - len(b)) > budget:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
        if min(current) > budget:
            return False
        previous = current
    return previous[-1] <= budget


def find_form(text: str, form: str) -> int:
    """Where a keyword form occurs in a normalised text (index into the text), or -1."""
    form_norm = normalise(form)
    if not form_norm:
        return -1
    if _HAS_CJK.search(form_norm):
        # Chinese has no word boundaries: compare letters only, then map back.
        target = squash(form_norm)
        letters = [(i, ch) for i, ch in enumerate(text) if re.match(f"[0-9a-z{CJK}]", ch)]
        joined = "".join(ch for _, ch in letters)
        at = joined.find(target)
        return letters[at][0] if at >= 0 else -1
    words = _LATIN_WORD.findall(form_norm)
    if not words:
        return -1
    # Whole words only ('gpt' must not match inside 'chatgptx'); an English plural is fine.
    pattern = r"(?<![a-z0-9])" + r"[\s\-_/]*".join(map(re.escape, words)) + r"(?:e?s)?(?![a-z0-9])"
    found = re.search(pattern, text)
    if found:
        return found.start()
    budget = _typo_budget("".join(words))
    if budget:
        spans = [(m.start(), m.group()) for m in _LATIN_WORD.finditer(text)]
        target = "".join(words)
        for i in range(len(spans) - len(words) + 1):
            candidate = "".join(w for _, w in spans[i : i + len(words)])
            if _within(candidate, target, budget):
                return spans[i][0]
    return -1


def matched_form(text: str, keyword: Keyword) -> str | None:
    for form in keyword.forms:
        if find_form(text, form) >= 0:
            return form
    return None


def asserts(text: str, form: str) -> bool:
    """The normalised clause states this form affirmatively (not denied, not reported as wrong)."""
    at = find_form(text, form)
    if at < 0:
        return False
    before = text[max(0, at - _NEGATION_WINDOW) : at]
    return not _NEGATION_BEFORE.search(before) and not _REPORTED_AS_WRONG.search(text)

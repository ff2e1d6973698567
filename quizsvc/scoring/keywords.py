"""Rubric keywords and misconception aliases, matched on normalised text.

A form matches across scripts and spellings ('Self-Attention', 'self attention',
自注意力機制 / 自注意力机制) because both sides are normalised first; Latin forms of six
letters or more also tolerate a small typo ('tranformer').
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from quizsvc.scoring.text import CJK, normalise, squash

_HAS_CJK = re.compile(f"[{CJK}]")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_LETTER = re.compile(f"[0-9a-z{CJK}]")
# Words shortly before a claim that deny it ("BERT 不是一个自回归模型", "is not an
# autoregressive model"), and words anywhere in the clause that report it as wrong ("a
# common misconception is ..."). "不仅", "不同" and the like are not denials.
_NEGATION_BEFORE = re.compile(
    r"(不是|并非|并不|不会|不能|没有|不(?![仅但同少断管过久])|非(?!常)|没|未|无|别"
    r"|\b(not|never|no|neither|nor)\b|n't)"
)
_REPORTED_AS_WRONG = re.compile(r"误解|误区|错误|误以为|谬误|misconception|myth|wrong|incorrect|mistaken|false")
# Characters before the claim searched for a denial: about three English words or four
# Chinese characters.
_NEGATION_WINDOW_LATIN = 14
_NEGATION_WINDOW_CJK = 5


@dataclass(frozen=True)
class Keyword:
    term: str
    aliases: tuple[str, ...] = ()
    weight: float = 1.0
    required: bool = False

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.term, *self.aliases)

    def has_form_in(self, language: str) -> bool:
        """Whether a candidate answering in this language ('zh' or 'en') has a form to use."""
        chinese = [bool(_HAS_CJK.search(form)) for form in self.forms]
        return any(chinese) if language == "zh" else not all(chinese)


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


@lru_cache(maxsize=8192)
def _form(form: str) -> tuple:
    """A form ready to search for: ('cjk', letters) or ('latin', pattern, words)."""
    norm = normalise(form)
    if _HAS_CJK.search(norm):
        return ("cjk", squash(norm))
    words = tuple(_LATIN_WORD.findall(norm))
    # Whole words only ('gpt' must not match inside 'chatgptx'); an English plural is fine.
    pattern = re.compile(r"(?<![a-z0-9])" + r"[\s\-_/]*".join(map(re.escape, words)) + r"(?:e?s)?(?![a-z0-9])")
    return ("latin", pattern, words)


@lru_cache(maxsize=4096)
def _letters(text: str) -> tuple[str, tuple[int, ...]]:
    """The text's letters only, and where each sits in the text."""
    kept = [(i, ch) for i, ch in enumerate(text) if _LETTER.match(ch)]
    return "".join(ch for _, ch in kept), tuple(i for i, _ in kept)


@lru_cache(maxsize=4096)
def _latin_words(text: str) -> tuple[tuple[int, str], ...]:
    return tuple((m.start(), m.group()) for m in _LATIN_WORD.finditer(text))


def _close(word: str, target: str) -> bool:
    """A typo of a long word: same first letter ('encoder' is no typo of 'decoder')."""
    if word == target:
        return True
    budget = _typo_budget(target)
    return bool(budget) and word[:1] == target[:1] and _within(word, target, budget)


def find_form(text: str, form: str, *, typos: bool = True) -> int:
    """Where a form occurs in a normalised text (index into the text), or -1.

    ``typos``: tolerate a small typo in long words (rubric keywords); claims are matched
    exactly.
    """
    found = find_span(text, form, typos=typos)
    return found[0] if found else -1


def find_span(text: str, form: str, *, typos: bool = True) -> tuple[int, int] | None:
    """Half-open offsets of a form's first occurrence in a normalised text, or None."""
    compiled = _form(form)
    if compiled[0] == "cjk":
        # Chinese has no word boundaries: compare letters only, then map back.
        if not compiled[1]:
            return None
        joined, positions = _letters(text)
        at = joined.find(compiled[1])
        return (positions[at], positions[at + len(compiled[1]) - 1] + 1) if at >= 0 else None
    _, pattern, words = compiled
    if not words:
        return None
    found = pattern.search(text)
    if found:
        return found.start(), found.end()
    spans = _latin_words(text)

    def covering(i: int, size: int) -> tuple[int, int]:
        last_start, last_word = spans[i + size - 1]
        return spans[i][0], last_start + len(last_word)

    # Spelling variants: 'autoregressive' in "auto-regressive", 'fine tuning' in "finetuning".
    target = "".join(words)
    for size in range(1, len(words) + 3):
        for i in range(len(spans) - size + 1):
            if "".join(w for _, w in spans[i : i + size]) == target:
                return covering(i, size)
    if typos:
        for i in range(len(spans) - len(words) + 1):
            if all(_close(w, t) for (_, w), t in zip(spans[i : i + len(words)], words)):
                return covering(i, len(words))
    return None


def matched_form(text: str, keyword: Keyword) -> str | None:
    for form in keyword.forms:
        if find_form(text, form) >= 0:
            return form
    return None


# A clause that denies or disowns whatever it says ("并不是…", "it is not…", "a common
# misconception is…"): it cannot be asserting a wrong claim.
_DENIAL = re.compile(r"不是|并非|并不|\bnot\b|n't|\bnever\b")


def denies(text: str) -> bool:
    return bool(_DENIAL.search(text) or _REPORTED_AS_WRONG.search(text))


def asserts(text: str, form: str) -> bool:
    """The normalised clause states this form affirmatively (not denied, not reported as wrong)."""
    at = find_form(text, form, typos=False)
    if at < 0:
        return False
    window = _NEGATION_WINDOW_CJK if _HAS_CJK.search(text[max(0, at - 1) : at + 1]) else _NEGATION_WINDOW_LATIN
    before = text[max(0, at - window) : at]
    return not _NEGATION_BEFORE.search(before) and not _REPORTED_AS_WRONG.search(text)

"""A question read from another system's format, completed into the bank question shape.

Every reader (GIFT, Moodle XML, QTI) produces a ``Found``: what the source says, where it
says it, and the quizsvc rubric lines if it carries them. ``complete`` fills the rest the
same way for all of them:

- key points and keywords: from the rubric lines when present (even empty lists);
  otherwise by the seed bank's rule (``seed_markdown.seed_rule``), cut to the bank's limits;
- slug: the source's identifier when it is a valid slug, else one made from it or from
  the prompt's English words, numbered when taken;
- category ``general``, difficulty ``medium`` and a language guessed from the prompt
  when the source names none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from quizsvc.bank.seed_markdown import extract_keywords, placeholder_slug, seed_rule
from quizsvc.scoring.text import language_of, to_simplified

DEFAULT_CATEGORY = "general"
DEFAULT_DIFFICULTY = "medium"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_TAG = re.compile(r"^[a-z0-9][a-z0-9+.-]{0,49}$")
# The bank's limits (schemas.question), applied to what the seed rule draws so that an
# import never fails on data the file did not contain.
_MAX_KEY_POINTS, _MAX_KEY_POINT = 50, 1000
_MAX_KEYWORDS, _MAX_TERM, _MAX_ALIASES = 100, 100, 20


@dataclass
class Found:
    """One question as a reader found it."""

    location: str  # "line 12", "<question> at line 40", "items/q1.xml"
    prompt: str  # plain text
    references: list[str]  # plain text; the first is the reference answer
    # The prompt and references again with bold kept as **term** (HTML and Markdown
    # sources), for the seed rule's keywords; None when the plain text is all there is.
    marked: list[str] | None = None
    identifier: str | None = None
    category: str | None = None
    difficulty: str | None = None
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    rubric: dict | None = None  # parse_rubric_lines' result, when the source carries it
    # The source's own scoring data (a QTI rubric's list, mapped terms, accepted answers).
    key_points: list[dict] = field(default_factory=list)
    keywords: list[dict] = field(default_factory=list)
    # Where each bank field came from in the source ({"prompt": "questiontext"}), for errors.
    fields: dict[str, str] = field(default_factory=dict)


def short_answer(found: Found, answers: list[tuple[float, str]], reference: str, marked_reference: str) -> None:
    """Fill a short-answer question: its model answer, else its best answers, are the references.

    ``answers`` are (credit in percent, text); answers without credit are left out. With a
    model answer (general feedback), the credited answers become one keyword, the first
    as its term and the others as aliases.
    """
    credited = [(fraction, text) for fraction, text in answers if fraction > 0 and text]
    marked_prompt = (found.marked or [found.prompt])[0]
    if reference:
        found.references, found.marked = [reference], [marked_prompt, marked_reference]
        if credited:
            term, *aliases = [text for _, text in credited]
            found.keywords = [{"term": term, "aliases": aliases, "weight": 1.0, "required": False}]
        return
    best = [text for fraction, text in credited if fraction == max(f for f, _ in credited)] if credited else []
    found.references, found.marked = best, [marked_prompt, *best]


def guess_language(text: str) -> str:
    """zh-Hant or zh-Hans for Chinese (by whether conversion to Simplified changes it), else en."""
    if language_of(text) != "zh":
        return "en"
    return "zh-Hant" if to_simplified(text) != text else "zh-Hans"


def slug_of(identifier: str | None, prompt: str, taken: set[str]) -> str:
    if identifier and _SLUG.match(identifier):
        taken.add(identifier)
        return identifier
    made = re.sub(r"[^a-z0-9]+", "-", (identifier or "").lower()).strip("-")[:90].strip("-")
    if not made:
        return placeholder_slug(prompt, taken)
    slug, n = made, 2
    while slug in taken:
        slug, n = f"{made}-{n}", n + 1
    taken.add(slug)
    return slug


def tag_of(name: str) -> str | None:
    """A tag from another system, in the bank's spelling ("Machine Learning" -> machine-learning)."""
    tag = re.sub(r"[^a-z0-9+.-]+", "-", name.strip().lower()).strip("-")[:50]
    return tag if _TAG.match(tag) else None


def _clip_keywords(keywords: list[dict]) -> list[dict]:
    out = []
    for keyword in keywords:
        if len(keyword["term"]) > _MAX_TERM:
            continue
        aliases = [a for a in keyword["aliases"] if len(a) <= _MAX_TERM][:_MAX_ALIASES]
        out.append({**keyword, "aliases": aliases})
    return out[:_MAX_KEYWORDS]


def complete(found: Found, taken: set[str]) -> dict:
    """The bank question for ``found``; ``taken`` collects the slugs used so far."""
    prompt = found.prompt.strip()
    rubric = found.rubric
    if rubric is not None:
        references = [r.strip() for r in found.references] + rubric["references"]
        key_points, keywords = rubric["key_points"], rubric["keywords"]
        misconceptions = rubric["misconceptions"]
    else:
        marked_prompt, *marked = found.marked or [found.prompt, *found.references]
        drawn = [seed_rule(marked_prompt, text) for text in marked]
        references = [reference for reference, _, _ in drawn]
        # Key points from the first reference (the model answer), keywords from all of them.
        key_points = (
            found.key_points
            or [{**point, "text": point["text"][:_MAX_KEY_POINT]} for point in (drawn[0][1] if drawn else [])][
                :_MAX_KEY_POINTS
            ]
        )
        keywords = found.keywords or _clip_keywords(extract_keywords([marked_prompt, *marked]))
        misconceptions = []
    meta = rubric or {}
    question = {
        "slug": slug_of(found.identifier, prompt, taken),
        "prompt": prompt,
        "category": (found.category or "").strip() or DEFAULT_CATEGORY,
        "difficulty": meta.get("difficulty") or found.difficulty or DEFAULT_DIFFICULTY,
        "language": meta.get("language") or found.language or guess_language(prompt),
        "tags": list(dict.fromkeys(t for t in map(tag_of, found.tags) if t)),
        "references": [r for r in references if r],
        "key_points": key_points,
        "keywords": keywords,
        "misconceptions": misconceptions,
    }
    if "examples" in meta:
        question["examples"] = meta["examples"]
    return question

"""Parse the seed interview-question Markdown into bank question dicts.

The seed (``shared/seeds/llm_interview_zh.md``) is chatbot output, not a designed format:
numbered headings (``### N. **text**`` or ``## N. text``) start questions, a heading whose
body only lists questions names the category of the questions after it, and answers are
loose Markdown (bold labels, nested bullets, prose). This module turns it into the bank
question shape; slugs, difficulty and tags are placeholders derived by simple rules and
are meant to be reviewed by hand before a bank file is committed.

Pure: standard library and the scoring text helpers only, so it runs in any tool or test without the app.
"""

from __future__ import annotations

import re

from quizsvc.scoring.text import to_simplified

DEFAULT_CATEGORY = "LLM 技術進階"
LANGUAGE = "zh-Hant"
DEFAULT_DIFFICULTY = "medium"

_QUESTION_HEADING = re.compile(r"^(#{1,6})\s+\d+[.、]\s+(.+?)\s*#*\s*$")
_OTHER_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+(.*)$")
_BOLD_ONLY_LINE = re.compile(r"^\*\*[^*]+\*\*\s*[：:]?$")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
# A label is a short phrase ending in a colon ("優點：", "輸入嵌入（Input Embedding）：").
_LEADING_LABEL = re.compile(r"^[^：:。，,]{1,60}[：:]")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
_CLOSE_PUNCT = "。：；！？，、）」』.:;!?,)"

# Bold text that introduces a part of an answer rather than naming a concept.
GENERIC_LABELS = frozenset(
    {
        "定義",
        "應用",
        "優勢",
        "目的",
        "方法",
        "結果",
        "架構",
        "訓練方法",
        "應用場景",
        "優點",
        "缺點",
        "概念",
        "計算方式",
        "區別總結",
        "訓練目標",
        "例子",
        "總結",
    }
)
# Longest bold run still treated as a term; longer bold runs are sentences or headings.
_MAX_TERM_CHARS = 12
_MAX_TERM_WORDS = 5
# Words that end the phrase before a parenthesised term ("什麼是", "使用", "和", ...):
# the seed has no word boundaries, so the term is the part after the last of them.
_TERM_BREAKS = re.compile("什麼是|為什麼|用於|使用|解決|包括|通過|採用|引入|稱為|多種|是|的|和|與|或|及|等|像|即|如|則")
# Chatbot sign-offs, matched on Simplified text so either script is caught.
_SIGN_OFF = re.compile(r"^(希望.{0,12}(对您|对你)?有所?帮助|如果您?还有.{0,4}问题|欢迎随时)")
# A line broken mid-sentence is at least this long; shorter lines without final
# punctuation are usually unbolded sub-headings, which must not be glued to the next line.
_MIN_BROKEN_LINE = 12


def strip_emphasis(text: str) -> str:
    """Remove Markdown emphasis and code marks, keeping their content."""
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"__(.+?)__", r"\1", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    # Unbalanced markers left by sloppy input would leak into prompts and references.
    return text.replace("**", "").replace("__", "")


# --- document structure -------------------------------------------------------------


def _split_blocks(lines: list[str]) -> list[dict]:
    """Cut the document at numbered headings; text before the first one is ignored."""
    blocks: list[dict] = []
    for line in lines:
        match = _QUESTION_HEADING.match(line)
        if match:
            blocks.append({"level": len(match[1]), "title": match[2], "body": []})
        elif blocks:
            blocks[-1]["body"].append(line)
    return blocks


def _is_listing(body: list[str]) -> bool:
    """A block that only lists questions (every line a bullet ending in '?') is a category."""
    items = [line for line in body if line.strip()]
    return bool(items) and all(
        _LIST_ITEM.match(line) and strip_emphasis(line).rstrip().endswith(("？", "?")) for line in items
    )


def _drop_sign_off(body: list[str]) -> list[str]:
    """Drop trailing chatbot pleasantries; they are not part of any answer."""
    body = list(body)
    while body and (not body[-1].strip() or _SIGN_OFF.match(to_simplified(body[-1].strip()))):
        body.pop()
    return body


def _repair_broken_lines(body: list[str]) -> list[str]:
    """Join a line cut mid-word by blank lines ("…中的一" / "" / "個核心組件…")."""
    out: list[str] = []
    for line in body:
        prev = len(out) - 1
        while prev >= 0 and not out[prev].strip():
            prev -= 1
        # Only a cut followed by blank lines: adjacent lines are one paragraph anyway.
        if line.strip() and 0 <= prev < len(out) - 1 and _is_cut(out[prev], line):
            out[prev:] = [out[prev].rstrip() + line.strip()]
        else:
            out.append(line)
    return out


def _is_cut(line: str, following: str) -> bool:
    text, nxt = line.strip(), following.strip()
    return (
        len(text) >= _MIN_BROKEN_LINE
        and bool(_CJK_CHAR.fullmatch(text[-1]))
        and bool(_CJK_CHAR.fullmatch(nxt[0]))
        and not _LIST_ITEM.match(following)
        and not _OTHER_HEADING.match(text)
    )


def _parse_body(body: list[str]) -> list[dict]:
    """Classify answer lines: list items (with nesting level), labels, prose, blanks."""
    nodes: list[dict] = []
    indents: list[int] = []
    for raw in body:
        if not raw.strip():
            nodes.append({"kind": "blank"})
            continue
        item = _LIST_ITEM.match(raw)
        if item:
            indent = len(item[1].expandtabs(4))
            while indents and indent < indents[-1]:
                indents.pop()
            if not indents or indent > indents[-1]:
                indents.append(indent)
            marker = item[2] if item[2][0].isdigit() else "-"
            marker = marker.replace(")", ".")
            nodes.append(
                {"kind": "item", "level": len(indents) - 1, "marker": marker, "text": strip_emphasis(item[3]).strip()}
            )
            continue
        heading = _OTHER_HEADING.match(raw)
        if heading or _BOLD_ONLY_LINE.match(raw.strip()):
            text = heading[1] if heading else raw
            nodes.append({"kind": "label", "text": strip_emphasis(text).strip()})
            continue
        if nodes and nodes[-1]["kind"] == "prose":
            nodes[-1]["text"] = _join(nodes[-1]["text"], strip_emphasis(raw).strip())
        else:
            nodes.append({"kind": "prose", "text": strip_emphasis(raw).strip()})
    return nodes


def _join(left: str, right: str) -> str:
    # Chinese needs no space after its own punctuation; Latin words do.
    if not left:
        return right
    return left + right if left.endswith(tuple(_CLOSE_PUNCT)) else f"{left} {right}"


# --- references and key points --------------------------------------------------------


def _render_reference(nodes: list[dict]) -> str:
    lines: list[str] = []
    for node in nodes:
        if node["kind"] == "blank":
            if lines and lines[-1]:
                lines.append("")
        elif node["kind"] == "item":
            lines.append("  " * node["level"] + f"{node['marker']} {node['text']}".rstrip())
        else:
            lines.append(node["text"])
    return "\n".join(lines).strip()


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _without_lead_in(text: str) -> str:
    """Drop sentences that only announce a list ("…有以下優勢：")."""
    return "".join(s for s in _sentences(text) if not s.endswith(("：", ":")))


def _item_trees(nodes: list[dict]) -> list[dict]:
    """Group list items under their top-level item."""
    trees: list[dict] = []
    for node in nodes:
        if node["kind"] != "item":
            continue
        if node["level"] == 0 or not trees:
            trees.append({"text": node["text"], "children": []})
        elif node["level"] == 1:
            trees[-1]["children"].append({"text": node["text"], "children": []})
        else:
            # Deeper levels add detail to the nearest level-1 item.
            target = trees[-1]["children"][-1] if trees[-1]["children"] else trees[-1]
            target["text"] = _join(target["text"], node["text"])
    return trees


def _tree_points(tree: dict) -> list[str]:
    text, children = tree["text"], tree["children"]
    if children and len(text) <= 30 and text.endswith(("：", ":")):
        # A bare label ("優點：") carries no claim: its children are the points, and
        # the label stays as context for children that have no label of their own.
        return [c["text"] if _LEADING_LABEL.match(c["text"]) else text + c["text"] for c in children]
    for child in children:
        text = _join(text, child["text"])
    return [text]


def _key_points(nodes: list[dict]) -> list[str]:
    """Top-level list items, plus substantive prose that precedes the first list.

    Prose after the first list is lead-in or summary; a short answer without lists
    falls back to its sentences so that every question has coverage units.
    """
    first_item = next((i for i, n in enumerate(nodes) if n["kind"] == "item"), len(nodes))
    points = [_without_lead_in(n["text"]) for n in nodes[:first_item] if n["kind"] == "prose"]
    points = [p for p in points if p]
    for tree in _item_trees(nodes):
        points.extend(_tree_points(tree))
    if len(points) < 2:
        prose = [n["text"] for n in nodes if n["kind"] == "prose"]
        points = [s for text in prose for s in _sentences(text) if not s.endswith(("：", ":"))]
    return points


# --- keywords -----------------------------------------------------------------------


def _is_latin(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ,\-./'&+]*", text))


def _bold_terms(raw: str) -> list[str]:
    terms = []
    for match in re.finditer(r"\*\*(.+?)\*\*", raw):
        text = match[1].strip()
        if (
            match[0] == raw.strip()  # a line that is all bold is a sub-heading
            or text.endswith(("：", ":"))
            or re.search(r"[（(，。？！；,?!;]", text)  # pairs handled elsewhere; sentences
            or text in GENERIC_LABELS
            or len(text) > (60 if _is_latin(text) else _MAX_TERM_CHARS)
            or len(text.split()) > _MAX_TERM_WORDS
        ):
            continue
        terms.append(text)
    return terms


def _term_before(text: str) -> str:
    """The term a parenthesis explains: the last acronym/word, or the trimmed CJK run."""
    text = text.rstrip().rstrip('」』"”')
    latin = re.search(r"[A-Za-z0-9][A-Za-z0-9\-.]*$", text)
    if latin:
        return latin[0]
    run = re.search(f"[{_CJK}]+$", text)
    if not run:
        return ""
    parts = [part for part in _TERM_BREAKS.split(run[0]) if part]
    return parts[-1] if parts else ""


def _paren_pairs(text: str) -> list[tuple[str, list[str]]]:
    """`中文（English, ABBR）`, `ABBR（English words）` and `English（中文）` pairs."""
    pairs = []
    for match in re.finditer(r"[（(]([^（）()]+)[）)]", text):
        term = _term_before(text[: match.start()])
        inside = match[1].strip()
        if not term:
            continue
        if _is_latin(inside):
            aliases = [a.strip() for a in re.split(r"[,，、/]", inside) if a.strip()]
        elif _is_latin(term) and _CJK_CHAR.search(inside) and not re.search(r"[，、]", inside):
            aliases = [inside]  # English term glossed in Chinese: "RNN（循環神經網絡）"
        else:
            continue  # a Chinese aside such as "（如書籍、網站文章等）"
        pairs.append((term, aliases))
    return pairs


def _with_simplified(term: str, aliases: list[str]) -> list[str]:
    out: list[str] = []
    for name in [term, *aliases]:
        for variant in (name, to_simplified(name)):
            if variant != term and variant not in out:
                out.append(variant)
    # Simplified form of the term first, then the parenthesised names in source order.
    simplified = to_simplified(term)
    if simplified in out:
        out.remove(simplified)
        out.insert(0, simplified)
    return out


def extract_keywords(raw_texts: list[str]) -> list[dict]:
    """Rubric keywords from bold terms and parenthesised term pairs, merged by name."""
    found: list[tuple[str, list[str]]] = []
    for raw in raw_texts:
        plain = strip_emphasis(raw)
        for term in _bold_terms(raw):
            found.append((term, []))
        found.extend(_paren_pairs(plain))
    keywords: list[dict] = []
    for term, aliases in found:
        names = [term, *_with_simplified(term, aliases)]
        # Same term, same keyword: "BERT（…）" and a later "**BERT**" merge, while two
        # terms that merely share an alias stay distinct for the reviewer to judge.
        existing = next((k for k in keywords if k["term"].casefold() == term.casefold()), None)
        if existing is None:
            keywords.append({"term": term, "aliases": names[1:], "weight": 1.0, "required": False})
            continue
        for name in names:
            # Case-insensitive: "fine-tuning" and "Fine-tuning" are one alias.
            known = {n.casefold() for n in [existing["term"], *existing["aliases"]]}
            if name.casefold() not in known:
                existing["aliases"].append(name)
    return keywords


# --- assembly -----------------------------------------------------------------------


def _slugify(words: list[str]) -> str:
    return re.sub(r"[^a-z0-9]+", "-", " ".join(words).lower()).strip("-")


def placeholder_slug(prompt: str, taken: set[str]) -> str:
    """English names found in the prompt, else "question"; numbered when taken."""
    latin = re.findall(r"[A-Za-z][A-Za-z0-9\-]*", prompt)
    base = _slugify(list(dict.fromkeys(latin))[:4]) or "question"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _placeholder_tags(slug: str) -> list[str]:
    parts = [p for p in slug.split("-") if p.isalpha() and len(p) > 1]
    return list(dict.fromkeys(parts))[:3] or ["llm"]


def parse_seed_markdown(text: str, *, default_category: str = DEFAULT_CATEGORY) -> list[dict]:
    """Questions of a seed Markdown file, in order, in the bank question shape.

    A listing block names the category of the questions that follow it at the same
    heading level; questions at another level with no listing get `default_category`.
    """
    questions: list[dict] = []
    taken: set[str] = set()
    category, category_level = default_category, None
    for block in _split_blocks(text.splitlines()):
        if _is_listing(block["body"]):
            category, category_level = strip_emphasis(block["title"]).strip(), block["level"]
            continue
        if block["level"] != category_level:
            category, category_level = default_category, block["level"]
        prompt = strip_emphasis(block["title"]).strip()
        reference, key_points, keywords = seed_rule(block["title"], block["body"])
        slug = placeholder_slug(prompt, taken)
        questions.append(
            {
                "slug": slug,
                "prompt": prompt,
                "category": category,
                "difficulty": DEFAULT_DIFFICULTY,
                "language": LANGUAGE,
                "tags": _placeholder_tags(slug),
                "references": [reference],
                "key_points": key_points,
                "keywords": keywords,
                "misconceptions": [],
            }
        )
    return questions


def seed_rule(prompt: str, reference: str | list[str]) -> tuple[str, list[dict], list[dict]]:
    """The seed bank's rule for one question: its plain reference, key points and keywords.

    ``prompt`` and ``reference`` are Markdown: bold terms are still marked ``**term**``
    (other formats' readers keep HTML bold that way). Key points are the reference's
    top-level list items and the prose before its first list; keywords are bold terms and
    ``中文（English）`` pairs of the prompt and the reference.
    """
    lines = reference.splitlines() if isinstance(reference, str) else reference
    body = _repair_broken_lines(_drop_sign_off(lines))
    nodes = _parse_body(body)
    key_points = [{"text": point, "weight": 1.0} for point in _key_points(nodes)]
    return _render_reference(nodes), key_points, extract_keywords([prompt, *body])

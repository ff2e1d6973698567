"""GIFT, Moodle's text format: essay and short-answer questions, both ways.

Read: questions are separated by blank lines; ``//`` lines are comments; ``$CATEGORY:``
sets the category of the questions after it; ``::name::`` names a question;
``{}`` makes an essay and ``{=a =b}`` a short-answer question; ``####`` starts the
general feedback. A ``[html]``, ``[markdown]``, ``[plain]`` or ``[moodle]`` prefix gives
a text's format; HTML is read as plain text. The reference answer is the general
feedback; a short-answer question's accepted answers are its references when it has
none, and its keyword (the first answer, the others as aliases) when it has one. Other
question types (multiple choice, true/false, numerical, matching, descriptions) are
skipped and reported. Moodle's ``// [id:...] [tag:...]`` comment gives the slug and tags.

Write: one essay question per bank question, the prompt as question text and the first
reference as general feedback, both ``[plain]``; the rest (difficulty, language, further
references, key points, keywords, misconceptions, reviewed examples) as ``//`` comment
lines (``rubric_lines``), which Moodle ignores.
"""

from __future__ import annotations

import re

from quizsvc.bank.html_text import html_to_text
from quizsvc.bank.imported import Found, short_answer
from quizsvc.bank.rubric_lines import HEADER, RubricLineError, parse_rubric_lines, rubric_lines
from quizsvc.bank.seed_markdown import strip_emphasis

# Escaped characters become private-use placeholders while the structure is parsed.
_ESCAPES = {"\\": "\ue000", ":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004", "}": "\ue005", "~": "\ue006"}
_RESTORE = {v: k for k, v in _ESCAPES.items()}
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_FORMAT = re.compile(r"^\[(html|markdown|plain|moodle)\]")
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
_ID_TAGS = re.compile(r"\[(id|tag):([^\]]+)\]")


class GiftError(ValueError):
    """A question GIFT cannot read; the message names the line and the field."""


_ESCAPED = re.compile(r"\\([\\:#={}~n])")
_RESTORE_TABLE = str.maketrans(_RESTORE)


def _protect(text: str) -> str:
    """Escaped characters as placeholders, and "\\n" as a line break."""
    return _ESCAPED.sub(lambda m: "\n" if m[1] == "n" else _ESCAPES[m[1]], text)


def _restore(text: str) -> str:
    return text.translate(_RESTORE_TABLE)


def _text(raw: str, default_format: str) -> tuple[str, str, str]:
    """(plain, marked, format) of a GIFT text with its optional [format] prefix."""
    raw = raw.strip()
    match = _FORMAT.match(raw)
    fmt = match[1] if match else default_format
    if match:
        raw = raw[match.end() :]
    raw = _restore(raw).strip()
    if fmt == "html" or (fmt == "moodle" and _HTML_TAG.search(raw)):
        return html_to_text(raw), html_to_text(raw, bold=True), fmt
    if fmt == "markdown":
        return strip_emphasis(raw).strip(), raw, fmt
    return raw, raw, fmt


def _blocks(text: str):
    """(first line number, lines) of each run of non-blank lines."""
    start, lines = 0, []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not lines:
                start = number
            lines.append(line)
        elif lines:
            yield start, lines
            lines = []
    if lines:
        yield start, lines


def category_of(path: str) -> str:
    """The category a Moodle category path ends in: "$course$/top/A/B" -> "B" ("//" is a slash)."""
    parts = [p.replace("\ue007", "/").strip() for p in path.replace("//", "\ue007").split("/")]
    parts = [p for p in parts if p]
    if parts and parts[0].startswith("$") and parts[0].endswith("$"):
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "top":
        parts = parts[1:]
    return parts[-1] if parts else ""


def category_path(category: str) -> str:
    return "$course$/top/" + category.replace("/", "//")


def _answers(answer_text: str, fmt: str, line: int) -> list[tuple[float, str]]:
    """Short-answer answers as (fraction in percent, text); feedback after '#' is dropped."""
    out = []
    for piece in answer_text.split("=")[1:] if answer_text.startswith("=") else answer_text.split("="):
        piece = piece.strip()
        if not piece:
            continue
        weight = _WEIGHT.match(piece)
        fraction = float(weight[1]) if weight else 100.0
        piece = piece[weight.end() :] if weight else piece
        plain, _, _ = _text(piece.split("#", 1)[0], fmt)
        if not plain:
            raise GiftError(f"line {line}: field 'answers': an accepted answer is empty")
        out.append((fraction, plain))
    return out


def _question(start: int, lines: list[str], category: str) -> Found | str:
    """A Found question, or the type name of a question quizsvc does not keep."""
    comments = [line.strip()[2:].strip() for line in lines if line.strip().startswith("//")]
    text = _protect("\n".join(line for line in lines if not line.strip().startswith("//")).strip())
    identifier = None
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise GiftError(f"line {start}: field 'name': '::' opens a question name that is never closed")
        identifier = _restore(text[2:end]).strip()
        text = text[end + 2 :].strip()
    opening, closing = text.find("{"), text.find("}")
    if opening < 0 and closing < 0:
        return "description"
    if opening < 0 or closing < opening:
        raise GiftError(f"line {start}: field 'answers': unbalanced braces around the answers")
    if "{" in text[opening + 1 : closing] or text.find("{", closing) >= 0:
        raise GiftError(f"line {start}: field 'answers': more than one answer section (an unescaped '{{')")
    answers = text[opening + 1 : closing].strip()
    after = text[closing + 1 :].strip()
    prompt_raw = text[:opening].strip() + (" _____ " + after if after else "")
    feedback = ""
    if "####" in answers:
        answers, feedback = answers[: answers.rindex("####")].strip(), answers[answers.rindex("####") + 4 :]
    prompt, marked_prompt, fmt = _text(prompt_raw, "moodle")
    reference, marked_reference, _ = _text(feedback, fmt)
    if answers.startswith("#"):
        return "numerical"
    if "~" in answers:
        return "multiple choice"
    if "=" in answers and "->" in answers:
        return "matching"
    if answers.split("#", 1)[0].strip() in ("T", "TRUE", "F", "FALSE"):
        return "true/false"
    found = Found(location=f"line {start}", prompt=prompt, references=[], identifier=identifier, category=category)
    found.marked = [marked_prompt]
    answer_list = _answers(answers, fmt, start) if answers else []
    if answers and not any(fraction > 0 for fraction, _ in answer_list):
        raise GiftError(f"line {start}: field 'answers': no answer earns credit")
    short_answer(found, answer_list, reference, marked_reference)
    # Moodle's [id:] and [tag:] comments, not text of the rubric lines that may follow them.
    ahead = comments[: comments.index(HEADER)] if HEADER in comments else comments
    for kind, value in _ID_TAGS.findall(" ".join(ahead)):
        if kind == "id":
            found.identifier = value.strip()
        else:
            found.tags.append(value.strip())
    try:
        found.rubric = parse_rubric_lines(comments)
    except RubricLineError as error:
        raise GiftError(f"line {start}: {error}") from None
    return found


def read_gift(text: str) -> tuple[list[Found], list[str]]:
    """The questions of a GIFT file, and what was skipped ("line 12: multiple choice")."""
    found, skipped, category = [], [], ""
    for start, lines in _blocks(text.lstrip("\ufeff")):
        body = [line for line in lines if not line.strip().startswith("//")]
        if not body:
            continue
        if body[0].strip().startswith("$CATEGORY:"):
            category = category_of(_restore(_protect(body[0].strip()[len("$CATEGORY:") :])))
            if len(body) > 1:
                raise GiftError(f"line {start}: field 'category': a $CATEGORY line stands alone, before a blank line")
            continue
        question = _question(start, lines, category)
        if isinstance(question, str):
            skipped.append(f"line {start}: {question}")
        else:
            found.append(question)
    return found, skipped


def _escape(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for char in "#=~{}:":
        out = out.replace(char, "\\" + char)
    return out.replace("\r", "").replace("\n", "\\n")


def write_gift(name: str, questions: list[dict]) -> str:
    out = [
        f"// Question bank {name!r}, exported from quizsvc: essay questions, the reference answer",
        "// as general feedback, the grading rubric in comment lines.",
        "",
    ]
    category = None
    for question in questions:
        if question["category"] != category:
            category = question["category"]
            out += [f"$CATEGORY: {category_path(category)}", ""]
        ids = " ".join([f"[id:{question['slug']}]", *(f"[tag:{tag}]" for tag in question.get("tags", []))])
        out.append(f"// {ids}")
        out += [f"// {line}" for line in rubric_lines(question)]
        out.append(f"::{_escape(question['slug'])}::[plain]{_escape(question['prompt'])}{{")
        out.append(f"####[plain]{_escape(question['references'][0])}")
        out += ["}", ""]
    return "\n".join(out)

"""What quizsvc keeps beyond a prompt and a reference, as lines other formats can carry.

GIFT writes these lines as comments, Moodle XML in a section of ``graderinfo``, QTI in a
scorer's rubric block. One line per item, readable by a grader::

    quizsvc rubric
    difficulty: medium
    language: zh-Hant
    reference: a second reference answer
    key point (weight 2): every token attends to every other token
    keyword (weight 2, required): self-attention | 自注意力 | 自注意力机制
    misconception: attention reads the tokens one by one | processes tokens sequentially
    example (score 30): the answer a reviewer graded | the reviewer's note

Texts are escaped so that one item stays one line: backslash as ``\\\\``, a line break as
``\\n`` and a bar as ``\\|``; cells are separated by " | ". The first line marks the
rubric as present, so an empty list stays empty on import instead of being drawn from the
reference by the seed rule.
"""

from __future__ import annotations

import re

HEADER = "quizsvc rubric"
META = ("difficulty", "language")
_LINE = re.compile(r"^(?P<kind>[a-z][a-z ]*?)(?: \((?P<attrs>[^()]*)\))?: ?(?P<rest>.*)$", re.S)


class RubricLineError(ValueError):
    """A rubric line that cannot be read; the message names the field."""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "\\r").replace("\n", "\\n")


_TOKEN = re.compile(r"\\(.)|(\|)", re.S)
_UNESCAPE = {"n": "\n", "r": "\r"}


def _cells(rest: str) -> list[str]:
    """Split at unescaped bars and undo the escapes; the separator is " | "."""
    cells, current, last = [], [], 0
    for match in _TOKEN.finditer(rest):
        current.append(rest[last : match.start()])
        if match[2]:
            cells.append("".join(current))
            current = []
        else:
            current.append(_UNESCAPE.get(match[1], match[1]))
        last = match.end()
    current.append(rest[last:])
    cells.append("".join(current))
    # The separator's own spaces belong to it, not to the texts either side.
    last_index = len(cells) - 1
    return [
        cell[1 if n > 0 and cell.startswith(" ") else 0 : -1 if n < last_index and cell.endswith(" ") else None]
        for n, cell in enumerate(cells)
    ]


def _number(value: float) -> str:
    text = f"{value:g}"
    return text if float(text) == value else repr(float(value))


def _line(kind: str, attrs: list[str], cells: list[str]) -> str:
    head = f"{kind} ({', '.join(attrs)})" if attrs else kind
    return f"{head}: " + " | ".join(_escape(cell) for cell in cells)


def rubric_lines(question: dict, *, meta: tuple[str, ...] = META, first_reference: int = 1) -> list[str]:
    """The lines for one question: ``meta`` fields, references from ``first_reference`` on, rubric, examples."""
    lines = [HEADER]
    lines += [f"{name}: {_escape(str(question[name]))}" for name in meta if question.get(name) is not None]
    lines += [_line("reference", [], [text]) for text in question.get("references", [])[first_reference:]]
    for point in question.get("key_points", []):
        lines.append(_line("key point", [f"weight {_number(point.get('weight', 1.0))}"], [point["text"]]))
    for keyword in question.get("keywords", []):
        attrs = [f"weight {_number(keyword.get('weight', 1.0))}"] + (["required"] if keyword.get("required") else [])
        lines.append(_line("keyword", attrs, [keyword["term"], *keyword.get("aliases", [])]))
    for item in question.get("misconceptions", []):
        lines.append(_line("misconception", [], [item["text"], *item.get("aliases", [])]))
    for example in question.get("examples", []):
        note = example.get("note")
        cells = [example["answer"]] + ([note] if note else [])
        lines.append(_line("example", [f"score {_number(example['score'])}"], cells))
    return lines


def _attrs(text: str | None, field: str) -> dict:
    out: dict = {}
    for attr in filter(None, (a.strip() for a in (text or "").split(","))):
        name, _, value = attr.partition(" ")
        if name == "required" and not value:
            out["required"] = True
        elif name in ("weight", "score") and value:
            try:
                out[name] = float(value)
            except ValueError:
                raise RubricLineError(f"field '{field}': {name} {value!r} is not a number") from None
        else:
            raise RubricLineError(f"field '{field}': unknown attribute {attr!r}")
    return out


def parse_rubric_lines(lines: list[str]) -> dict | None:
    """The fields the lines carry, or None when they hold no rubric (no header line).

    Returns ``references`` (the extra ones), ``key_points``, ``keywords``,
    ``misconceptions``, ``examples`` when any was written, and the meta fields present.
    """
    lines = [line.strip() for line in lines if line.strip()]
    if HEADER not in lines:
        return None
    found: dict = {"references": [], "key_points": [], "keywords": [], "misconceptions": []}
    for line in lines[lines.index(HEADER) + 1 :]:
        match = _LINE.match(line)
        if match is None:
            raise RubricLineError(f"rubric line {line[:60]!r} is not 'kind: text'")
        kind, rest = match["kind"], match["rest"]
        if kind in META:
            found[kind] = "".join(_cells(rest))
            continue
        field = {"key point": "key_points", "reference": "references"}.get(kind, kind + "s")
        attrs = _attrs(match["attrs"], field)
        cells = _cells(rest)
        if kind == "reference":
            found["references"].append(cells[0])
        elif kind == "key point":
            found["key_points"].append({"text": cells[0], "weight": attrs.get("weight", 1.0)})
        elif kind == "keyword":
            found["keywords"].append(
                {
                    "term": cells[0],
                    "aliases": cells[1:],
                    "weight": attrs.get("weight", 1.0),
                    "required": attrs.get("required", False),
                }
            )
        elif kind == "misconception":
            found["misconceptions"].append({"text": cells[0], "aliases": cells[1:]})
        elif kind == "example":
            if "score" not in attrs:
                raise RubricLineError("field 'examples': an example needs '(score N)'")
            example = {"answer": cells[0], "score": attrs["score"]}
            if len(cells) > 1:
                example["note"] = " | ".join(cells[1:])
            found.setdefault("examples", []).append(example)
        else:
            raise RubricLineError(f"unknown rubric line kind {kind!r}")
    return found

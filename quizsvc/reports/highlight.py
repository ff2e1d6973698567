"""The grader's evidence shown in the answer itself: the clause behind each key point, the
matched keywords, any misconception, as ``<mark>`` elements around the exact text.

A grade result may carry ``evidence``: a flat list of
``{"kind": "key_point" | "keyword" | "misconception", "index": int, "label": str, "start": int, "end": int}``,
``start``/``end`` being half-open code-point offsets into the answer exactly as submitted.
Spans may overlap (a keyword inside a key point's clause): the answer is cut at every span
boundary and each piece is marked with every kind that covers it. Grades stored without
evidence (older graders), and spans that do not fit the answer, simply mark nothing.
"""

from markupsafe import Markup, escape

KINDS = ("key_point", "keyword", "misconception")


def spans(answer: str, evidence: list[dict] | None) -> list[dict]:
    """The evidence items that fit the answer, each with a ``number`` (1, 2, ... in answer order)
    and the ``quote`` it points at."""
    found = []
    for item in evidence or []:
        try:
            kind, start, end = item["kind"], int(item["start"]), int(item["end"])
        except (KeyError, TypeError, ValueError):
            continue
        if kind not in KINDS or not 0 <= start < end <= len(answer):
            continue
        found.append({**item, "start": start, "end": end, "quote": answer[start:end]})
    found.sort(key=lambda item: (item["start"], -item["end"], KINDS.index(item["kind"])))
    return [{**item, "number": number} for number, item in enumerate(found, 1)]


def pieces(answer: str, marked: list[dict]) -> list[tuple[str, list[dict]]]:
    """The answer cut at every span boundary: (text, the spans covering it)."""
    cuts = sorted({0, len(answer), *(s["start"] for s in marked), *(s["end"] for s in marked)})
    return [
        (answer[a:b], [s for s in marked if s["start"] <= a and b <= s["end"]]) for a, b in zip(cuts, cuts[1:]) if b > a
    ]


def highlight(answer: str | None, evidence: list[dict] | None) -> Markup:
    """The answer as HTML, its evidence in ``<mark class="ev <kinds>">`` with the labels as a title."""
    if not answer:
        return Markup("")
    out = []
    for text, covering in pieces(answer, spans(answer, evidence)):
        if not covering:
            out.append(escape(text))
            continue
        kinds = " ".join(kind for kind in KINDS if any(s["kind"] == kind for s in covering))
        numbers = " ".join(f"ev{s['number']}" for s in covering)
        title = "; ".join(f"{s['number']}. {s.get('label', '')}" for s in covering)
        out.append(
            Markup('<mark class="ev {}" data-ev="{}" title="{}">{}</mark>').format(kinds, numbers, title, text)
        )
    return Markup("").join(out)

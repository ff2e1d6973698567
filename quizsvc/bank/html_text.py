"""Question text between HTML (Moodle XML, QTI) and the plain text quizsvc stores.

``html_to_text`` reads rich text as a person sees it: paragraphs, line breaks, list items
as "- " lines (nested lists indented two spaces a level, ordered lists numbered), entities
decoded, images replaced by "[image: alt text]" (the image files are not imported). With
``bold=True`` bold runs come back as ``**bold**``, so the seed rule can draw keywords from
them. ``text_to_html`` writes plain text so that ``html_to_text`` returns it unchanged:
paragraphs at blank lines, ``<br>`` at line breaks, no-break spaces where HTML would
collapse spaces.
"""

from __future__ import annotations

import re
from html import escape

from lxml import etree, html

_BLOCKS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 blockquote pre table thead tbody tfoot tr ul ol dl dt dd "
    "section article header footer figure figcaption hr address".split()
)
_CELLS = frozenset({"td", "th"})
_SKIP = frozenset({"script", "style", "head", "title", "template"})
_BOLD = frozenset({"b", "strong"})
_NBSP = "\u00a0"
_SPACES = re.compile(r"[ \t\r\n\f]+")
# A paragraph break is at most one blank line; a line break inside a paragraph is "\n".
_PARAGRAPH = "\x00P\x00"
_LINE = "\x00L\x00"


class _Writer:
    def __init__(self, bold: bool, skip: frozenset[str] = frozenset()):
        self.bold = bold
        self.skip = _SKIP | skip
        self.parts: list[str] = []

    def text(self, value: str | None) -> None:
        if value:
            self.parts.append(_SPACES.sub(" ", value))

    def children(self, element, depth: int) -> None:
        self.text(element.text)
        for child in element:
            self.walk(child, depth)

    def walk(self, element, depth: int = 0) -> None:
        tag = _local(element)
        if not tag or tag in self.skip:  # comments, processing instructions, scripts
            self.text(element.tail)
            return
        if tag == "br":
            self.parts.append(_LINE)
        elif tag == "img":
            # The image file is not imported; its description says what was there.
            alt = (element.get("alt") or "").strip()
            self.text(f"[image: {alt}]" if alt else "[image]")
        elif tag in ("ul", "ol"):
            self._list(element, tag, depth)
        else:
            block = tag in _BLOCKS
            if block:
                self.parts.append(_PARAGRAPH)
            if tag in _CELLS:
                self.parts.append(_LINE)
            marker = "**" if self.bold and tag in _BOLD else ""
            self.parts.append(marker)
            self.children(element, depth)
            self.parts.append(marker)
            if block:
                self.parts.append(_PARAGRAPH)
        self.text(element.tail)

    def _list(self, element, tag: str, depth: int) -> None:
        self.parts.append(_PARAGRAPH if depth == 0 else _LINE)
        start = element.get("start") or "1"
        number = int(start) if start.isdigit() else 1
        for child in element:
            if _local(child) != "li":
                self.walk(child, depth)
                continue
            # An item's own paragraphs are lines of the item; nested lists indent further.
            item = _Writer(self.bold, self.skip)
            item.children(child, depth + 1)
            pieces = [piece for piece in "".join(item.parts).split(_PARAGRAPH) if piece.strip()]
            marker = f"{number}." if tag == "ol" else "-"
            number += 1
            self.parts.append(_LINE + _NBSP * (2 * depth) + marker + " " + _LINE.join(pieces))
            self.text(child.tail)
        self.parts.append(_PARAGRAPH if depth == 0 else _LINE)


def _local(element) -> str:
    """The tag without its namespace, lower-case; "" for comments and the like."""
    return element.tag.rsplit("}", 1)[-1].lower() if isinstance(element.tag, str) else ""


def element_text(element, *, bold: bool = False, skip: frozenset[str] = frozenset()) -> str:
    """The text of an element's content (HTML, or XHTML inside a QTI or other XML document).

    Elements named in ``skip`` (local names, e.g. "qti-rubric-block") are left out, their tails kept.
    """
    writer = _Writer(bold, skip)
    writer.children(element, 0)
    flat = "".join(writer.parts)
    paragraphs = []
    for paragraph in flat.split(_PARAGRAPH):
        lines = [_tidy_line(line) for line in paragraph.split(_LINE)]
        lines = [line for line in lines if line.strip()]
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def html_to_text(markup: str, *, bold: bool = False) -> str:
    """The text of an HTML fragment, one line per line a browser would show."""
    if not markup or not markup.strip():
        return ""
    try:
        root = html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    return element_text(root, bold=bold)


def _tidy_line(line: str) -> str:
    # Collapsible spaces go at the ends; no-break spaces were written on purpose and stay.
    line = re.sub(" {2,}", " ", line).strip(" ")
    line = line.replace("****", "")  # adjacent bold runs, or a bold run with no text
    return line.replace(_NBSP, " ")


def text_to_html(text: str) -> str:
    """Plain text as HTML that ``html_to_text`` turns back into the same text."""
    paragraphs = [p for p in re.split(r"\n{2,}", text.strip("\n")) if p.strip()]
    return "".join("<p>" + "<br/>".join(_line_html(line) for line in p.split("\n")) + "</p>" for p in paragraphs)


def _line_html(line: str) -> str:
    out = escape(line, quote=False)
    # A space HTML would drop (leading, trailing or doubled) is written as a no-break space.
    out = re.sub(r"^ +| +$", lambda m: _NBSP * len(m[0]), out)
    return re.sub(r" {2,}", lambda m: " " + _NBSP * (len(m[0]) - 1), out).replace(_NBSP, "&#160;")

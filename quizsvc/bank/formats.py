"""Every bank format in one place: read any of them, write the exportable ones.

| name | extensions | import | export |
|---|---|---|---|
| yaml | .yaml .yml | yes | yes |
| json | .json | yes | yes |
| gift | .gift .txt | yes | yes |
| moodle | .xml (root <quiz>) | yes | yes |
| qti | .zip (content package), .xml (one item) | yes | yes |
| markdown | .md .markdown (the seed's layout) | yes | no |

``read`` guesses the format from the file name, then from the content, when it is not
given; checks the size limit; validates every question with the API's schema; and
returns a ``Bank``, or raises BankError naming the file, the place and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from quizsvc.bank import EXPORT_FORMATS, IMPORT_FORMATS, gift, moodle_xml, qti
from quizsvc.bank.bank_file import BankError, dump_bank, dump_bank_json, parse_bank, validate_questions
from quizsvc.bank.imported import complete
from quizsvc.bank.seed_markdown import parse_seed_markdown
from quizsvc.bank.xml_safe import xml_chars

__all__ = ["EXPORT_FORMATS", "IMPORT_FORMATS", "Bank", "read", "write"]
EXTENSIONS = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".gift": "gift",
    ".txt": "gift",
    ".zip": "qti",
    ".md": "markdown",
    ".markdown": "markdown",
}
MEDIA_TYPES = {
    "yaml": "application/yaml",
    "json": "application/json",
    "gift": "text/plain; charset=utf-8",
    "moodle": "application/xml",
    "qti": "application/zip",
}
FILE_EXTENSIONS = {"yaml": "yaml", "json": "json", "gift": "gift.txt", "moodle": "moodle.xml", "qti": "qti.zip"}
# QUIZSVC_MAX_BANK_BYTES's default: 5,000 seed-sized questions (the most a file holds) take
# 26-31 MB in YAML, GIFT, Moodle XML or JSON.
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
_READERS_ERRORS = (gift.GiftError, moodle_xml.MoodleError, qti.QtiError)


@dataclass
class Bank:
    name: str
    format: str
    questions: list[dict]
    skipped: list[str] = field(default_factory=list)  # questions of kinds quizsvc does not keep


def _xml_kind(data: bytes) -> str | None:
    head = data[:4096].decode("utf-8", "ignore")
    head = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^[>]*(\[.*?\])?\s*>", "", head, flags=re.S)
    head = head.lstrip("\ufeff \t\r\n")
    if re.match(r"<quiz[\s/>]", head):
        return "moodle"
    # QTI 2's assessmentItem too, so that the reader can say it is not QTI 3.0.
    if re.match(r"<([\w-]+:)?(qti-assessment-item|assessmentItem|manifest)[\s/>]", head):
        return "qti"
    return None


def guess_format(filename: str, data: bytes) -> str | None:
    """The format a file is in, by its extension and then by its first bytes; None when unclear."""
    suffix = PurePath(filename or "").suffix.lower()
    if data[:4] == b"PK\x03\x04":
        return "qti"
    if suffix == ".xml" or data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        return _xml_kind(data)
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    text = data[:4096].decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")
    if text[:1] in "{[":
        return "json"
    if re.search(r"^format:\s*quizsvc-bank/", text, re.M):
        return "yaml"
    if re.search(r"^#{1,6}\s+\d+[.、]\s", text, re.M):
        return "markdown"
    if re.search(r"^\s*(::|\$CATEGORY:)", text, re.M) or re.search(r"\{[^{}]*\}", text):
        return "gift"
    return None


def export_format_for(filename: str) -> str:
    """The export format a file name asks for (".xml" is Moodle XML), else yaml."""
    fmt = {**EXTENSIONS, ".xml": "moodle"}.get(PurePath(filename).suffix.lower(), "yaml")
    return fmt if fmt in EXPORT_FORMATS else "yaml"


def _text(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8").lstrip("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise BankError(f"{source}: line {line}: not UTF-8 text") from None


def read(data: bytes, *, source: str, format: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Bank:
    """The validated bank in ``data`` (all or nothing: any error raises BankError)."""
    if len(data) > max_bytes:
        raise BankError(f"{source}: {len(data):,} bytes; a bank file is at most {max_bytes:,} bytes")
    fmt = format or guess_format(source, data)
    if fmt is None:
        raise BankError(f"{source}: cannot tell the format; name one of {', '.join(IMPORT_FORMATS)}")
    if fmt not in IMPORT_FORMATS:
        raise BankError(f"{source}: unknown format {fmt!r}; use one of {', '.join(IMPORT_FORMATS)}")
    stem = PurePath(source).name.split(".")[0] or "bank"
    if fmt in ("yaml", "json"):
        name, questions = parse_bank(_text(data, source), source=source)
        return Bank(name, fmt, questions)
    if fmt == "markdown":
        items = parse_seed_markdown(_text(data, source))
        if not items:
            raise BankError(f"{source}: no numbered question headings ('## 1. ...') found")
        return Bank(stem, fmt, validate_questions(items, source=source))
    title = None
    try:
        if fmt == "gift":
            found, skipped = gift.read_gift(_text(data, source))
        elif fmt == "moodle":
            found, skipped = moodle_xml.read_moodle(data)
        else:
            found, skipped, title = qti.read_qti(data)
    except _READERS_ERRORS as error:
        raise BankError(f"{source}: {error}") from None
    if not found:
        detail = f" ({len(skipped)} of other kinds skipped)" if skipped else ""
        raise BankError(f"{source}: no essay or short-answer question found{detail}")
    taken: set[str] = set()
    items = [complete(f, taken) for f in found]
    questions = validate_questions(
        items, source=source, locations=[f.location for f in found], fields=[f.fields for f in found]
    )
    return Bank(title or stem, fmt, questions, skipped)


def write(fmt: str, name: str, questions: list[dict]) -> bytes:
    """The bank as a file in ``fmt`` (one of EXPORT_FORMATS)."""
    if fmt == "yaml":
        return dump_bank(name, questions, header=f"Exported from quizsvc, bank {name!r}.").encode()
    if fmt == "json":
        return dump_bank_json(name, questions).encode()
    if fmt == "gift":
        return gift.write_gift(name, questions).encode()
    if fmt == "moodle":
        return moodle_xml.write_moodle(xml_chars(name), xml_chars(questions))
    if fmt == "qti":
        return qti.write_qti(xml_chars(name), xml_chars(questions))
    raise ValueError(f"cannot export {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")


def filename(name: str, fmt: str) -> str:
    """A download name: the bank's name made safe, and the format's extension."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "bank"
    return f"{safe}.{FILE_EXTENSIONS[fmt]}"

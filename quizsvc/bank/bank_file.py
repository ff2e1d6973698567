"""The bank file: YAML (or JSON, a subset of YAML) with a format tag and a question list.

    format: quizsvc-bank/1
    name: llm_interview_zh
    questions:
      - slug: ...
        prompt: ...            # and the other fields of schemas.question.QuestionCreateSchema

Loading validates every question with the API's own schema, so a bank file and a POST
body obey the same limits; the first error names file, question and field.
"""

from pathlib import Path

import yaml
from marshmallow import ValidationError

from quizsvc.errors import Invalid
from quizsvc.schemas.question import QuestionContentSchema, QuestionCreateSchema

FORMAT = "quizsvc-bank/1"
# The schema declares the content fields in the order a person reads them.
FIELD_ORDER = ("slug", *QuestionContentSchema._declared_fields, "examples")


class BankError(Invalid):
    """A bank file that cannot be imported; nothing of it has been stored."""


def _first_error(messages, path=()) -> tuple[str, str]:
    """The dotted path and message of the first leaf in marshmallow's nested errors."""
    if isinstance(messages, dict):
        key = sorted(messages, key=str)[0]
        return _first_error(messages[key], (*path, str(key)))
    if isinstance(messages, list) and messages and not isinstance(messages[0], str):
        return _first_error(messages[0], path)
    text = messages[0] if isinstance(messages, list) and messages else str(messages)
    return ".".join(path), text


def parse_bank(text: str, *, source: str = "<bank>") -> tuple[str, list[dict]]:
    """Return the bank's name and its validated questions, or raise BankError."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise BankError(f"{source}: not valid YAML or JSON: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BankError(f"{source}: expected a mapping with 'format: {FORMAT}'")
    items = document.get("questions")
    if not isinstance(items, list) or not items:
        raise BankError(f"{source}: 'questions' must be a non-empty list")
    schema = QuestionCreateSchema()
    loaded, seen = [], set()
    for number, item in enumerate(items, start=1):
        label = f"question {number}"
        if isinstance(item, dict) and isinstance(item.get("slug"), str):
            label += f" ({item['slug']})"
        try:
            question = schema.load(item)
        except ValidationError as error:
            field, message = _first_error(error.messages)
            raise BankError(f"{source}: {label}: field '{field}': {message}", errors={label: error.messages}) from None
        if question["slug"] in seen:
            raise BankError(f"{source}: {label}: field 'slug': duplicate slug {question['slug']!r}")
        seen.add(question["slug"])
        loaded.append(question)
    return str(document.get("name") or Path(source).stem), loaded


def read_bank(path: str | Path) -> tuple[str, list[dict]]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BankError(f"{path}: cannot read: {error}") from None
    return parse_bank(text, source=str(path))


def dump_bank(name: str, questions: list[dict], *, header: str = "") -> str:
    ordered = [{key: q[key] for key in FIELD_ORDER if key in q} for q in questions]
    body = yaml.safe_dump(
        {"format": FORMAT, "name": name, "questions": ordered}, allow_unicode=True, sort_keys=False, width=1000
    )
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comment + body

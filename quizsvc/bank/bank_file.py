"""The bank file: YAML (or JSON, a subset of YAML) with a format tag and a question list.

    format: quizsvc-bank/1
    name: llm_interview_zh
    questions:
      - slug: ...
        prompt: ...            # and the other fields of schemas.question.QuestionCreateSchema

Loading validates every question with the API's own schema, so a bank file and a POST
body obey the same limits; the first error names file, question and field.
"""

import json
from pathlib import Path

import yaml
from marshmallow import ValidationError

from quizsvc.errors import Invalid
from quizsvc.schemas.question import QuestionContentSchema, QuestionCreateSchema

FORMAT = "quizsvc-bank/1"
# A bank file holds at most this many questions (every format; the README says so).
MAX_QUESTIONS = 5000
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


def validate_questions(
    items: list, *, source: str, locations: list[str | None] | None = None, fields: list[dict] | None = None
) -> list[dict]:
    """Every question loaded by the API's schema, or BankError naming file, question, place and field.

    ``locations`` say where each question is in its file ("line 12"), ``fields`` what the
    source calls a bank field ({"prompt": "questiontext"}); both are optional.
    """
    if len(items) > MAX_QUESTIONS:
        raise BankError(f"{source}: {len(items):,} questions; a bank file holds at most {MAX_QUESTIONS:,}")
    schema = QuestionCreateSchema()
    loaded, seen = [], set()
    for number, item in enumerate(items, start=1):
        label = f"question {number}"
        if isinstance(item, dict) and isinstance(item.get("slug"), str):
            label += f" ({item['slug']})"
        if locations and locations[number - 1]:
            label += f", {locations[number - 1]}"
        names = fields[number - 1] if fields else {}
        try:
            question = schema.load(item)
        except ValidationError as error:
            field, message = _first_error(error.messages)
            message = f"{source}: {label}: field {_named(field, names)}: {message}"
            raise BankError(message, errors={label: error.messages}) from None
        if question["slug"] in seen:
            raise BankError(f"{source}: {label}: field 'slug': duplicate slug {question['slug']!r}")
        seen.add(question["slug"])
        loaded.append(question)
    return loaded


def _named(field: str, names: dict) -> str:
    """ "'prompt'", or "'prompt' (<questiontext>)" when the source calls it otherwise."""
    source_name = names.get(field.split(".", 1)[0])
    return f"'{field}' (<{source_name}>)" if source_name else f"'{field}'"


def _load(text: str):
    """JSON by the json module, YAML by libyaml when PyYAML has it: ten times the pure-Python loader."""
    if text.lstrip()[:1] == "{":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            pass  # YAML flow style also starts with "{"; let YAML read it and report
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def parse_bank(text: str, *, source: str = "<bank>") -> tuple[str, list[dict]]:
    """Return the bank's name and its validated questions, or raise BankError."""
    try:
        document = _load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as error:
        raise BankError(f"{source}: not valid YAML or JSON: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BankError(f"{source}: expected a mapping with 'format: {FORMAT}'")
    items = document.get("questions")
    if not isinstance(items, list) or not items:
        raise BankError(f"{source}: 'questions' must be a non-empty list")
    return str(document.get("name") or Path(source).stem), validate_questions(items, source=source)


def read_bank(path: str | Path) -> tuple[str, list[dict]]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BankError(f"{path}: cannot read: {error}") from None
    return parse_bank(text, source=str(path))


def _document(name: str, questions: list[dict]) -> dict:
    # Fields the schema does not declare (a newer bank's, e.g. reviewed examples) follow in their order.
    ordered = [{**{k: q[k] for k in FIELD_ORDER if k in q}, **q} for q in questions]
    return {"format": FORMAT, "name": name, "questions": ordered}


def dump_bank(name: str, questions: list[dict], *, header: str = "") -> str:
    body = yaml.safe_dump(_document(name, questions), allow_unicode=True, sort_keys=False, width=1000)
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comment + body


def dump_bank_json(name: str, questions: list[dict]) -> str:
    return json.dumps(_document(name, questions), ensure_ascii=False, indent=1) + "\n"

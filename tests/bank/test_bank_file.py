"""The bank file format: validation names file, question and field; dump and parse agree."""

import pytest
import yaml

from quizsvc.bank.bank_file import FORMAT, BankError, dump_bank, parse_bank, read_bank


def _bank(*questions) -> str:
    return yaml.safe_dump({"format": FORMAT, "name": "t", "questions": list(questions)}, allow_unicode=True)


def test_round_trip(question_in):
    name, items = parse_bank(dump_bank("t", [question_in], header="A header.\nTwo lines."))
    assert (name, items) == ("t", [question_in])


def test_header_is_a_comment(question_in):
    assert dump_bank("t", [question_in], header="A header.").startswith("# A header.\nformat: quizsvc-bank/1\n")


def test_json_is_accepted(question_in):
    import json

    text = json.dumps({"format": FORMAT, "name": "j", "questions": [question_in]}, ensure_ascii=False)
    assert parse_bank(text) == ("j", [question_in])


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda q: q.pop("prompt"), "bank.yaml: question 2 (b): field 'prompt': Missing data for required field."),
        (
            lambda q: q["keywords"][1].update(weight=-1),
            "bank.yaml: question 2 (b): field 'keywords.1.weight': "
            "Must be greater than 0 and less than or equal to 10.",
        ),
        (lambda q: q.update(slug="a"), "bank.yaml: question 2 (a): field 'slug': duplicate slug 'a'"),
        (lambda q: q.update(colour="red"), "bank.yaml: question 2 (b): field 'colour': Unknown field."),
    ],
)
def test_errors_name_file_question_and_field(question_in, mutate, message):
    second = {**question_in, "slug": "b", "keywords": [dict(k) for k in question_in["keywords"]]}
    mutate(second)
    with pytest.raises(BankError) as error:
        parse_bank(_bank({**question_in, "slug": "a"}, second), source="bank.yaml")
    assert error.value.message == message


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("prompt", "a\x00b", "Must not contain NUL or unpaired surrogate characters."),
        ("category", "x\ud800", "Must not contain NUL or unpaired surrogate characters."),
        ("language", "zh-Hant-abcdefgh-abcd", "Length must be between 2 and 20."),
    ],
)
def test_text_no_database_stores_is_named_by_question_and_field(question_in, field, value, message):
    import json

    # JSON escapes (\u0000, \ud800) are how such text reaches a bank file; YAML reads them too.
    text = json.dumps(
        {"format": FORMAT, "name": "j", "questions": [question_in, {**question_in, "slug": "b", field: value}]}
    )
    with pytest.raises(BankError) as error:
        parse_bank(text, source="bank.json")
    assert error.value.message == f"bank.json: question 2 (b): field '{field}': {message}"


@pytest.mark.parametrize(
    "text, message",
    [
        ("format: [", "x.yaml: not valid YAML or JSON"),
        ("questions: []", "x.yaml: expected a mapping with 'format: quizsvc-bank/1'"),
        (f"format: {FORMAT}\nquestions: []", "x.yaml: 'questions' must be a non-empty list"),
    ],
)
def test_malformed_documents(text, message):
    with pytest.raises(BankError) as error:
        parse_bank(text, source="x.yaml")
    assert error.value.message.startswith(message)


def test_unreadable_file(tmp_path):
    with pytest.raises(BankError) as error:
        read_bank(tmp_path / "missing.yaml")
    assert error.value.message.startswith(f"{tmp_path / 'missing.yaml'}: cannot read")

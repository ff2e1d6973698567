"""Reviewed examples: list, add, delete, import, and the ones a question version grades with.

Examples are organisation data: every query is filtered by the organisation. An example
follows a question's new versions while their references and key points (the grading
basis) stay the same; a version that changes them grades without the older examples,
which are kept and listed as inactive.
"""

import hashlib
import json

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from quizsvc.errors import NotFound
from quizsvc.models import GradeOverride, Organisation, QuestionExample, QuestionVersion
from quizsvc.scoring.examples import Example
from quizsvc.services import questions

# A question grades with at most this many examples (the newest): grading cost grows with them.
MAX_EXAMPLES = 200


def basis_of(version: QuestionVersion) -> str:
    """SHA-256 of what an example's grade is relative to: the references and key points."""
    content = {
        "references": version.reference_texts,
        "key_points": [[p.text, round(float(p.weight), 4)] for p in version.key_points],
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _latest(session: Session, *, organisation_id: int, question_id: int) -> QuestionVersion:
    return questions.get(session, organisation_id=organisation_id, question_id=question_id)


def get_all(session: Session, *, organisation_id: int, question_id: int) -> list[tuple[QuestionExample, bool]]:
    """Each example of the question, newest first, with whether the latest version grades with it."""
    basis = basis_of(_latest(session, organisation_id=organisation_id, question_id=question_id))
    rows = session.scalars(
        select(QuestionExample)
        .where(QuestionExample.organisation_id == organisation_id, QuestionExample.question_id == question_id)
        .order_by(QuestionExample.id.desc())
    )
    return [(row, row.basis == basis) for row in rows]


def create(
    session: Session,
    *,
    organisation_id: int,
    question_id: int,
    example_in: dict,
    source: str = "api",
    override_id: int | None = None,
    version: QuestionVersion | None = None,
) -> QuestionExample:
    """``version``: the version the answer was graded against (default: the latest)."""
    version = version or _latest(session, organisation_id=organisation_id, question_id=question_id)
    row = QuestionExample(
        organisation_id=organisation_id,
        question_id=question_id,
        basis=basis_of(version),
        answer=example_in["answer"],
        score=float(example_in["score"]),
        note=example_in.get("note") or "",
        source=source,
        override_id=override_id,
    )
    session.add(row)
    session.flush()
    return row


def delete_one(session: Session, *, organisation_id: int, question_id: int, example_id: int) -> None:
    row = session.scalars(
        select(QuestionExample).where(
            QuestionExample.id == example_id,
            QuestionExample.organisation_id == organisation_id,
            QuestionExample.question_id == question_id,
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"Example {example_id} of question {question_id} not found.")
    session.delete(row)
    session.flush()


def for_version(session: Session, *, version: QuestionVersion) -> tuple[Example, ...]:
    """The examples a version grades with: its question's, with the same grading basis."""
    rows = session.execute(
        select(QuestionExample.answer, QuestionExample.score, QuestionExample.note)
        .where(QuestionExample.question_id == version.question_id, QuestionExample.basis == basis_of(version))
        .order_by(QuestionExample.id.desc())
        .limit(MAX_EXAMPLES)
    )
    return tuple(Example(answer, score, note) for answer, score, note in rows)


def for_versions(session: Session, *, organisation_id: int, versions) -> dict[int, tuple[Example, ...]]:
    """:func:`for_version` of many versions of the organisation in one query (bank export)."""
    wanted = {(v.question_id, basis_of(v)): v.id for v in versions}
    found: dict[int, list[Example]] = {}
    rows = session.execute(
        select(
            QuestionExample.question_id,
            QuestionExample.basis,
            QuestionExample.answer,
            QuestionExample.score,
            QuestionExample.note,
        )
        .where(QuestionExample.organisation_id == organisation_id)
        .order_by(QuestionExample.id.desc())
    )
    for question_id, basis, answer, score, note in rows:
        version_id = wanted.get((question_id, basis))
        if version_id is not None and len(found.setdefault(version_id, [])) < MAX_EXAMPLES:
            found[version_id].append(Example(answer, score, note))
    return {key: tuple(value) for key, value in found.items()}


def replace_bank_examples(session: Session, *, organisation_id: int, version: QuestionVersion, items: list[dict]):
    """A bank file's examples of a question: the file's replace the earlier bank ones; an
    example the question already has (same answer, score and note) is not added twice."""
    session.execute(
        delete(QuestionExample).where(
            QuestionExample.question_id == version.question_id, QuestionExample.source == "bank"
        )
    )
    have = {(e.text, round(e.score, 4), e.note) for e in for_version(session, version=version)}
    for item in items:
        if (item["answer"], round(float(item["score"]), 4), item.get("note") or "") in have:
            continue
        create(
            session,
            organisation_id=organisation_id,
            question_id=version.question_id,
            example_in=item,
            source="bank",
            version=version,
        )


def questions_with_bank_examples(session: Session, *, organisation_id: int) -> set[int]:
    return set(
        session.scalars(
            select(QuestionExample.question_id).where(
                QuestionExample.organisation_id == organisation_id, QuestionExample.source == "bank"
            )
        )
    )


def from_override(session: Session, *, organisation_id: int, item, override: GradeOverride) -> None:
    """A reviewer's override becomes an example of its question (unless the organisation turned it off)."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or not organisation.examples_from_overrides:
        return
    create(
        session,
        organisation_id=organisation_id,
        question_id=item.version.question_id,
        example_in={"answer": item.response.answer, "score": override.score, "note": override.reason},
        source="override",
        override_id=override.id,
        version=item.version,
    )


def question_matcher(session: Session, *, organisation_id: int):
    """A function (question id or text of a dataset row) -> the stored question's id, or None:
    by slug first, else by the latest version's prompt (normalised)."""
    from quizsvc.models import Question
    from quizsvc.scoring.text import normalise

    rows = session.execute(
        select(Question.id, Question.slug, QuestionVersion.prompt)
        .join(
            QuestionVersion,
            (QuestionVersion.question_id == Question.id) & (QuestionVersion.version == Question.latest_version),
        )
        .where(Question.organisation_id == organisation_id, Question.retired_at.is_(None))
    ).all()
    by_slug = {slug: qid for qid, slug, _ in rows}
    by_prompt = {normalise(prompt): qid for qid, _, prompt in rows}
    return lambda key, text: by_slug.get(key) or by_prompt.get(normalise(text))


def set_from_overrides(session: Session, *, organisation_id: int, enabled: bool) -> None:
    organisation = session.get(Organisation, organisation_id)
    organisation.examples_from_overrides = enabled
    session.flush()

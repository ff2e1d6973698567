"""Question use cases: list, get, create, new version, retire, upsert by slug.

``question_in`` is the loaded content (see ``schemas.question``): prompt, category,
difficulty, language, tags, references, key_points, keywords, misconceptions.
"""

import hashlib
import json

from sqlalchemy import and_, exists, func, insert, or_, select
from sqlalchemy.orm import Session, selectinload

from quizsvc.db import utcnow
from quizsvc.errors import Conflict, NotFound
from quizsvc.models import (
    KeyPoint,
    Keyword,
    Misconception,
    Question,
    QuestionTag,
    QuestionVersion,
    ReferenceAnswer,
)
from quizsvc.scoring.text import script_variants

CONTENT_FIELDS = (
    "prompt",
    "category",
    "difficulty",
    "language",
    "tags",
    "references",
    "key_points",
    "keywords",
    "misconceptions",
)

_LOAD_PARTS = (
    selectinload(QuestionVersion.question),
    selectinload(QuestionVersion.tags),
    selectinload(QuestionVersion.references),
    selectinload(QuestionVersion.key_points),
    selectinload(QuestionVersion.keywords),
    selectinload(QuestionVersion.misconceptions),
)


def content_of(question_in: dict) -> dict:
    """The canonical content of a version, as the bank format writes it."""
    return {name: question_in.get(name, []) for name in CONTENT_FIELDS}


def content_hash(question_in: dict) -> str:
    canonical = json.dumps(content_of(question_in), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def version_content(version: QuestionVersion) -> dict:
    return {
        "prompt": version.prompt,
        "category": version.category,
        "difficulty": version.difficulty,
        "language": version.language,
        "tags": version.tag_names,
        "references": version.reference_texts,
        "key_points": [{"text": k.text, "weight": k.weight} for k in version.key_points],
        "keywords": [
            {"term": k.term, "aliases": list(k.aliases), "weight": k.weight, "required": k.required}
            for k in version.keywords
        ],
        "misconceptions": [{"text": m.text, "aliases": list(m.aliases)} for m in version.misconceptions],
    }


def _latest_join():
    return and_(QuestionVersion.question_id == Question.id, QuestionVersion.version == Question.latest_version)


def get_all(
    session: Session,
    *,
    organisation_id: int,
    category: str | None = None,
    difficulty: str | None = None,
    tag: str | None = None,
    language: str | None = None,
    slug: str | None = None,
    q: str | None = None,
    include_retired: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[QuestionVersion], int]:
    """The latest version of each matching question, oldest question first, and the total."""
    query = select(QuestionVersion).join(Question, _latest_join()).where(Question.organisation_id == organisation_id)
    if not include_retired:
        query = query.where(Question.retired_at.is_(None))
    if category is not None:
        query = query.where(QuestionVersion.category == category)
    if difficulty is not None:
        query = query.where(QuestionVersion.difficulty == difficulty)
    if language is not None:
        query = query.where(QuestionVersion.language == language)
    if slug is not None:
        query = query.where(Question.slug == slug)
    if tag is not None:
        query = query.where(exists().where(QuestionTag.version_id == QuestionVersion.id, QuestionTag.tag == tag))
    if q is not None:
        # The bank is stored in whatever script it was written in; search all of them.
        matches = []
        for variant in script_variants(q):
            pattern = "%" + variant.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            matches.append(QuestionVersion.prompt.ilike(pattern, escape="\\"))
            matches.append(
                exists().where(
                    ReferenceAnswer.version_id == QuestionVersion.id, ReferenceAnswer.text.ilike(pattern, escape="\\")
                )
            )
        query = query.where(or_(*matches))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    query = query.order_by(Question.id).options(*_LOAD_PARTS).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query)), total


def _get_question(session: Session, *, organisation_id: int, question_id: int) -> Question:
    question = session.get(Question, question_id)
    # Another organisation's question is reported exactly like a missing one.
    if question is None or question.organisation_id != organisation_id:
        raise NotFound(f"Question {question_id} not found.")
    return question


def get(session: Session, *, organisation_id: int, question_id: int, version: int | None = None) -> QuestionVersion:
    question = _get_question(session, organisation_id=organisation_id, question_id=question_id)
    number = question.latest_version if version is None else version
    found = session.scalars(
        select(QuestionVersion)
        .where(QuestionVersion.question_id == question.id, QuestionVersion.version == number)
        .options(*_LOAD_PARTS)
    ).one_or_none()
    if found is None:
        raise NotFound(f"Question {question_id} has no version {number}; the latest is {question.latest_version}.")
    return found


def get_versions(session: Session, *, organisation_id: int, question_id: int) -> list[QuestionVersion]:
    question = _get_question(session, organisation_id=organisation_id, question_id=question_id)
    return list(question.versions)


def get_by_slug(session: Session, *, organisation_id: int, slug: str) -> Question | None:
    return session.scalars(
        select(Question).where(Question.organisation_id == organisation_id, Question.slug == slug)
    ).one_or_none()


# Each version's child rows: the relationship on QuestionVersion and the model behind it.
_PARTS = (
    ("tags", QuestionTag),
    ("references", ReferenceAnswer),
    ("key_points", KeyPoint),
    ("keywords", Keyword),
    ("misconceptions", Misconception),
)


def _version_fields(question_in: dict) -> dict:
    content = content_of(question_in)
    return {
        "prompt": content["prompt"],
        "category": content["category"],
        "difficulty": content["difficulty"],
        "language": content["language"],
        "content_hash": content_hash(question_in),
    }


def _part_rows(question_in: dict) -> dict[str, list[dict]]:
    """The rows of each child table of a version (without their version_id), in order."""
    content = content_of(question_in)
    return {
        "tags": [{"position": i, "tag": tag} for i, tag in enumerate(dict.fromkeys(content["tags"]))],
        "references": [{"position": i, "text": text} for i, text in enumerate(content["references"])],
        "key_points": [{"position": i, **point} for i, point in enumerate(content["key_points"])],
        "keywords": [{"position": i, **keyword} for i, keyword in enumerate(content["keywords"])],
        "misconceptions": [{"position": i, **item} for i, item in enumerate(content["misconceptions"])],
    }


def _new_version(question: Question, number: int, question_in: dict) -> QuestionVersion:
    rows = _part_rows(question_in)
    return QuestionVersion(
        question=question,
        version=number,
        **_version_fields(question_in),
        **{name: [model(**row) for row in rows[name]] for name, model in _PARTS},
    )


def add_many(session: Session, *, organisation_id: int, items: list[tuple[str, dict]]) -> None:
    """New questions, (slug, question_in) whose slugs are known to be free, stored in bulk.

    One multi-row INSERT per table instead of an ORM object per row: a 2,000-question bank
    is some 50,000 rows, which the unit of work takes seconds to build and flush.
    """
    if not items:
        return
    question_ids = session.scalars(
        insert(Question).returning(Question.id, sort_by_parameter_order=True),
        [{"organisation_id": organisation_id, "slug": slug, "latest_version": 1} for slug, _ in items],
    ).all()
    version_ids = session.scalars(
        insert(QuestionVersion).returning(QuestionVersion.id, sort_by_parameter_order=True),
        [{"question_id": qid, "version": 1, **_version_fields(q)} for qid, (_, q) in zip(question_ids, items)],
    ).all()
    parts = [_part_rows(q) for _, q in items]
    for name, model in _PARTS:
        rows = [{"version_id": vid, **row} for vid, part in zip(version_ids, parts) for row in part[name]]
        if rows:
            session.execute(insert(model), rows)


def create(session: Session, *, organisation_id: int, slug: str, question_in: dict) -> QuestionVersion:
    if get_by_slug(session, organisation_id=organisation_id, slug=slug) is not None:
        raise Conflict(f"A question with slug {slug!r} already exists.", errors={"slug": ["Already in use."]})
    question = Question(organisation_id=organisation_id, slug=slug, latest_version=1)
    session.add(question)
    version = _new_version(question, 1, question_in)
    session.add(version)
    session.flush()
    return version


def latest_hashes(session: Session, *, organisation_id: int) -> dict[str, tuple[bool, str]]:
    """Slug -> (retired, content hash of the latest version) of every question, in one query."""
    rows = session.execute(
        select(Question.slug, Question.retired_at.is_not(None), QuestionVersion.content_hash)
        .join(QuestionVersion, _latest_join())
        .where(Question.organisation_id == organisation_id)
    )
    return {slug: (retired, digest) for slug, retired, digest in rows}


def update(session: Session, *, organisation_id: int, question_id: int, question_in: dict) -> QuestionVersion:
    """Add a version when the content changed; return the latest version either way."""
    question = _get_question(session, organisation_id=organisation_id, question_id=question_id)
    latest = get(session, organisation_id=organisation_id, question_id=question_id)
    if latest.content_hash == content_hash(question_in):
        return latest
    question.latest_version += 1
    question.updated_at = utcnow()
    version = _new_version(question, question.latest_version, question_in)
    session.add(version)
    session.flush()
    return version


def retire(session: Session, *, organisation_id: int, question_id: int) -> Question:
    question = _get_question(session, organisation_id=organisation_id, question_id=question_id)
    if question.retired_at is None:
        question.retired_at = question.updated_at = utcnow()
        session.flush()
    return question


def upsert(session: Session, *, organisation_id: int, slug: str, question_in: dict) -> tuple[QuestionVersion, str]:
    """Create, version or leave alone the question with this slug.

    Returns the latest version and what happened: ``created``, ``updated`` or
    ``unchanged``. A retired question that is imported again is reinstated.
    """
    question = get_by_slug(session, organisation_id=organisation_id, slug=slug)
    if question is None:
        return create(session, organisation_id=organisation_id, slug=slug, question_in=question_in), "created"
    before = question.latest_version
    reinstated = question.retired_at is not None
    question.retired_at = None
    version = update(session, organisation_id=organisation_id, question_id=question.id, question_in=question_in)
    return version, "updated" if version.version != before or reinstated else "unchanged"

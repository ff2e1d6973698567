"""Grading use cases: turn stored questions into grader input, keep reference vectors,
pick an organisation's parameters, and score answers without storing them."""

import logging
from dataclasses import replace

import numpy as np
from sqlalchemy import func, select, true
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from quizsvc.db import SQLITE_BUSY_MS
from quizsvc.errors import Invalid
from quizsvc.models import (
    EmbeddingCache,
    GraderParameters,
    Question,
    QuestionExample,
    QuestionVersion,
    ReferenceAnswer,
)
from quizsvc.scoring.calibration import Parameters, parse_parameters
from quizsvc.scoring.flags import FLAG_RULES
from quizsvc.scoring.grader import BANDS, GRADER_VERSION, Grader, GradeResult
from quizsvc.scoring.signals import PreparedQuestion, QuestionSpec
from quizsvc.services import examples, questions

log = logging.getLogger(__name__)
STORE_WAIT_MS = 200


class SqlVectorStore:
    """Reference vectors in the database, each read and write in a short transaction of its own."""

    def __init__(self, session_factory: sessionmaker):
        self._session_factory = session_factory

    def get_many(self, model_id: str, keys) -> dict[str, np.ndarray]:
        with self._session_factory() as session:
            rows = session.execute(
                select(EmbeddingCache.text_hash, EmbeddingCache.vector).where(
                    EmbeddingCache.model_id == model_id, EmbeddingCache.text_hash.in_(list(keys))
                )
            )
            return {key: np.frombuffer(blob, dtype="<f4").copy() for key, blob in rows}

    def put_many(self, model_id: str, vectors: dict[str, np.ndarray]) -> None:
        with self._session_factory() as session:
            # The session's one connection, for as long as the transaction lasts: the busy
            # timeout is the connection's, so it is set back on this one before it returns to
            # the pool (set back after the commit, it reached whatever connection came next,
            # and an autosave that drew this one gave up on a busy database after 200 ms).
            connection = session.connection()
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # SQLite has one writer at a time, and the caller may be it (grading inside a
                # submission holds the write lock): do not wait for it. The vectors stay in
                # memory and are stored by a later call.
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {STORE_WAIT_MS}")
            session.add_all(
                EmbeddingCache(model_id=model_id, text_hash=key, vector=np.asarray(v, dtype="<f4").tobytes())
                for key, v in vectors.items()
            )
            try:
                session.flush()
                failure = None
            except (IntegrityError, OperationalError) as error:
                failure = error
            finally:
                if sqlite:
                    connection.connection.driver_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
            if failure is None:
                session.commit()
            else:
                session.rollback()
                if isinstance(failure, OperationalError):
                    log.info("reference vectors not stored: the database is busy")
                # IntegrityError: another process stored the same texts first; theirs are as good.


def spec_of(version: QuestionVersion) -> QuestionSpec:
    return QuestionSpec.from_dict(questions.version_content(version))


def _bank_state(organisation_id: int):
    # Reviewed examples belong to the state too: adding or deleting one changes what a
    # question grades with, so prepared questions keyed on this state are built again.
    examples_of = QuestionExample.organisation_id == organisation_id
    return (
        select(
            func.count(Question.id).label("questions"),
            func.max(Question.updated_at).label("updated_at"),
            func.sum(Question.latest_version).label("versions"),
            select(func.count(QuestionExample.id)).where(examples_of).scalar_subquery().label("examples"),
            select(func.max(QuestionExample.id)).where(examples_of).scalar_subquery().label("last_example"),
        )
        .where(Question.organisation_id == organisation_id, Question.retired_at.is_(None))
        .subquery()
    )


def bank_fingerprint(session: Session, *, organisation_id: int) -> tuple:
    """Changes whenever a question of the organisation is added, edited or retired."""
    return tuple(session.execute(select(_bank_state(organisation_id))).one())


def stored_version(
    session: Session, *, organisation_id: int, question_id: int, version: int | None = None
) -> tuple[questions.VersionRef, tuple]:
    """A version's ids (default: the latest) and the bank's fingerprint, in one query: all a
    request needs to find a prepared question in the cache. Missing: the 404 of questions.get."""
    bank = _bank_state(organisation_id)
    number = Question.latest_version if version is None else version
    row = session.execute(
        select(QuestionVersion.id, QuestionVersion.version, QuestionVersion.content_hash, *bank.c)
        .join(Question, QuestionVersion.question_id == Question.id)
        .join(bank, true())
        .where(Question.id == question_id, Question.organisation_id == organisation_id, QuestionVersion.version == number)
    ).one_or_none()
    if row is None:
        questions.get(session, organisation_id=organisation_id, question_id=question_id, version=version)  # raises
    ref = questions.VersionRef(id=row.id, question_id=question_id, version=row.version, content_hash=row.content_hash)
    return ref, tuple(row)[3:]


def neighbour_references(session: Session, *, organisation_id: int, question_id: int) -> list[str]:
    """Reference answers of the organisation's other live questions (latest versions)."""
    return list(
        session.scalars(
            select(ReferenceAnswer.text)
            .join(QuestionVersion, ReferenceAnswer.version_id == QuestionVersion.id)
            .join(
                Question,
                (QuestionVersion.question_id == Question.id) & (QuestionVersion.version == Question.latest_version),
            )
            .where(
                Question.organisation_id == organisation_id,
                Question.retired_at.is_(None),
                Question.id != question_id,
            )
            .order_by(Question.id, ReferenceAnswer.position)
        )
    )


def organisation_parameters(session: Session, *, organisation_id: int, known: dict | None = None) -> Parameters | None:
    """The organisation's own parameters, or None for the default.

    ``known``: parameters already parsed, by digest; the stored digest finds them without
    parsing the file again on every request.
    """
    row = session.scalars(
        select(GraderParameters).where(GraderParameters.organisation_id == organisation_id)
    ).one_or_none()
    if row is None:
        return None
    if known is not None and row.digest in known:
        return known[row.digest]
    return parse_parameters(row.body, source=row.name)


def set_organisation_parameters(session: Session, *, organisation_id: int, body: str | None, name: str = "") -> None:
    """Use these parameters (the text of a parameter file) for the organisation; None: the default."""
    row = session.scalars(
        select(GraderParameters).where(GraderParameters.organisation_id == organisation_id)
    ).one_or_none()
    if body is None:
        if row is not None:
            session.delete(row)
        session.flush()
        return
    try:
        parameters = parse_parameters(body, source=name)
    except ValueError as error:
        raise Invalid(str(error)) from None
    if row is None:
        row = GraderParameters(organisation_id=organisation_id)
        session.add(row)
    row.name, row.digest, row.body = name or parameters.name, parameters.digest, body
    session.flush()


class PreparedCache:
    """Prepared questions per (version, bank state, model): reference work happens once."""

    def __init__(self, max_items: int = 2048):
        self._items: dict = {}
        self._max_items = max_items

    def clear(self) -> None:
        self._items.clear()

    def get(self, key, build):
        if key not in self._items:
            if len(self._items) >= self._max_items:
                self._items.pop(next(iter(self._items)))
            self._items[key] = build()
        return self._items[key]


def prepare_stored(
    session: Session,
    *,
    grader: Grader,
    cache: PreparedCache,
    organisation_id: int,
    version: QuestionVersion | questions.VersionRef,
    fingerprint: tuple | None = None,
) -> PreparedQuestion:
    """``version``: the stored version, or its reference (its content is then loaded only
    when the cache does not hold it yet); ``fingerprint``: the bank's, when the caller
    prepares several questions at once."""
    fingerprint = fingerprint or bank_fingerprint(session, organisation_id=organisation_id)
    key = (version.id, version.content_hash, fingerprint, grader.embedder.model_id)

    def build() -> PreparedQuestion:
        row = version if isinstance(version, QuestionVersion) else session.get(QuestionVersion, version.id)
        neighbours = neighbour_references(session, organisation_id=organisation_id, question_id=row.question_id)
        found = examples.for_version(session, version=row)
        return grader.prepare(replace(spec_of(row), examples=found), neighbours=neighbours)

    return cache.get(key, build)


def score_stored(
    session: Session,
    *,
    grader: Grader,
    cache: PreparedCache,
    organisation_id: int,
    question_id: int,
    version: int | None,
    answer: str,
) -> tuple[questions.VersionRef, GradeResult]:
    """Grade against a stored question: once it is prepared, a request reads one row."""
    found, fingerprint = stored_version(
        session, organisation_id=organisation_id, question_id=question_id, version=version
    )
    prepared = prepare_stored(
        session, grader=grader, cache=cache, organisation_id=organisation_id, version=found, fingerprint=fingerprint
    )
    return found, grader.grade(prepared, answer)


def score_adhoc(*, grader: Grader, spec: QuestionSpec, answer: str) -> GradeResult:
    return grader.grade(spec, answer)


def describe(grader: Grader) -> dict:
    """What produced a grade, and what each flag does to it."""
    parameters = grader.parameters
    return {
        "grader_version": GRADER_VERSION,
        "model_id": grader.embedder.model_id,
        "parameters": {"name": parameters.name, "digest": parameters.digest, "trained_on": list(parameters.trained_on)},
        "bands": [{"name": name, "from_score": round(floor * 100)} for floor, name in BANDS],
        "flags": [
            {
                "name": rule.name,
                "cap": None if rule.cap is None else round(rule.cap * 100),
                "review": rule.review,
                "meaning": rule.meaning,
            }
            for rule in FLAG_RULES.values()
        ],
    }

"""Attempts: invite a candidate, start, autosave answers, submit, grade, cancel, review.

The lifecycle is enforced here and nowhere else:

    invited --start--> started --submit--> submitted --grade--> graded
    invited --(invitation expires)--> expired
    started --(time runs out)--> submitted (auto_submitted: the saved answers count)
    invited | started --cancel--> cancelled

Every transition locks the attempt row first (``SELECT ... FOR UPDATE`` on PostgreSQL;
SQLite serialises writers with BEGIN IMMEDIATE, see db.begin_write), then applies any
deadline that has passed, then checks the status: two autosaves or two submissions of
one attempt run one after the other and see each other's result.

Every transition emits its event (services.events.emit) in the same transaction.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session, selectinload

from quizsvc.db import utcnow
from quizsvc.errors import Conflict, NotFound, Unauthorized
from quizsvc.models import (
    ApiKey,
    Attempt,
    AttemptQuestion,
    EventType,
    Grade,
    GradeOverride,
    QuestionExample,
    Response,
)
from quizsvc.scoring.examples import digest_of
from quizsvc.scoring.grader import GRADER_VERSION, Grader
from quizsvc.services import candidates, examples, grading, quizzes
from quizsvc.services.events import emit

TOKEN_PREFIX = "qza_"
SEED_RANGE = 2**31 - 1

_BLOCKED = {
    "invited": "The attempt has not been started yet; start it first.",
    "submitted": "The attempt was already submitted; answers can no longer change.",
    "graded": "The attempt was already submitted and graded; answers can no longer change.",
    "expired": "The attempt expired before it was started.",
    "cancelled": "The attempt was cancelled.",
}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class SubmissionGrading(Protocol):
    """What follows a submission (``quizsvc.grading`` decides: grade now, or hand it to a worker)."""

    def submitted(self, session: Session, attempt: Attempt) -> None: ...


# -- status -------------------------------------------------------------------------------


def effective_status(attempt: Attempt, now: datetime | None = None) -> str:
    """The status with any passed deadline applied, whether or not it has been stored yet."""
    now = now or utcnow()
    if attempt.status == "invited" and now >= attempt.expires_at:
        return "expired"
    if attempt.status == "started" and attempt.deadline is not None and now >= attempt.deadline:
        return "submitted"
    return attempt.status


def status_clause(status: str, now: datetime | None = None):
    """SQL for "effective status is ``status``" (see effective_status)."""
    now = now or utcnow()
    invited_over = and_(Attempt.status == "invited", Attempt.expires_at <= now)
    started_over = and_(Attempt.status == "started", Attempt.deadline <= now)
    if status == "invited":
        return and_(Attempt.status == "invited", Attempt.expires_at > now)
    if status == "started":
        return and_(Attempt.status == "started", or_(Attempt.deadline.is_(None), Attempt.deadline > now))
    if status == "expired":
        return or_(Attempt.status == "expired", invited_over)
    if status == "submitted":
        return or_(Attempt.status == "submitted", started_over)
    return Attempt.status == status


def _settle(session: Session, attempt: Attempt, now: datetime) -> None:
    """Store the effective status (the attempt is locked)."""
    status = effective_status(attempt, now)
    if status == attempt.status:
        return
    if status == "submitted":
        attempt.submitted_at = attempt.deadline
        attempt.auto_submitted = True
        _fill_unanswered(attempt)
    attempt.status = status
    emit(session, attempt=attempt, type=EventType.SUBMITTED if status == "submitted" else EventType.EXPIRED)


def _fill_unanswered(attempt: Attempt) -> None:
    # Every drawn question gets a response row at submission, so that it is graded (an
    # unanswered question scores 0) and every report has one line per question.
    for item in attempt.questions:
        if item.response is None:
            item.response = Response(answer="", saves=0, time_spent_seconds=0)


def _refuse(attempt: Attempt, action: str) -> None:
    message = _BLOCKED.get(attempt.status, f"The attempt is {attempt.status}.")
    if attempt.status == "submitted" and attempt.auto_submitted:
        message = "Time is up: the attempt was submitted automatically with the answers saved by its deadline."
    raise Conflict(f"Cannot {action}: {message}", errors={"status": [attempt.status]})


# -- reading ------------------------------------------------------------------------------

_LOAD = (
    selectinload(Attempt.questions).selectinload(AttemptQuestion.response).selectinload(Response.grades),
    selectinload(Attempt.questions).selectinload(AttemptQuestion.response).selectinload(Response.overrides),
    selectinload(Attempt.questions).selectinload(AttemptQuestion.version),
)
# Lists need scores, not each grade's full result (key points, feedback, signals).
_LOAD_SCORES = (
    selectinload(Attempt.questions)
    .selectinload(AttemptQuestion.response)
    .selectinload(Response.grades)
    .defer(Grade.result, raiseload=True),
    *_LOAD[1:],
)


def get(session: Session, *, organisation_id: int, attempt_id: int) -> Attempt:
    attempt = session.scalars(select(Attempt).where(Attempt.id == attempt_id).options(*_LOAD)).one_or_none()
    if attempt is None or attempt.organisation_id != organisation_id:
        raise NotFound(f"Attempt {attempt_id} not found.")
    return attempt


def organisation_of(session: Session, *, attempt_id: int) -> int:
    return session.scalars(select(Attempt.organisation_id).where(Attempt.id == attempt_id)).one()


def get_by_id(session: Session, *, attempt_id: int) -> Attempt:
    """For a caller already authorised for this attempt (its candidate token)."""
    return session.scalars(
        select(Attempt).where(Attempt.id == attempt_id).options(*_LOAD).execution_options(populate_existing=True)
    ).one()


def id_for_token(session: Session, *, token: str | None) -> int:
    """The attempt a candidate token opens (authentication only: nothing else is loaded)."""
    if not token:
        raise Unauthorized("A candidate token is required: send 'Authorization: Bearer <token>'.")
    attempt_id = session.scalars(select(Attempt.id).where(Attempt.token_hash == hash_token(token))).one_or_none()
    if attempt_id is None:
        raise Unauthorized("The candidate token is unknown.")
    return attempt_id


def id_for_invitation(session: Session, *, attempt_id: int, hash_prefix: str) -> int:
    """The attempt of a verified invitation link, while its token is the one the link was made for."""
    token_hash = session.scalars(select(Attempt.token_hash).where(Attempt.id == attempt_id)).one_or_none()
    if token_hash is None or not token_hash.startswith(hash_prefix):
        raise Unauthorized("This invitation link is no longer valid.")
    return attempt_id


def get_all(
    session: Session,
    *,
    organisation_id: int,
    quiz_id: int | None = None,
    candidate_id: int | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int | None = None,
    results: bool = False,
    ids: list[int] | None = None,
) -> tuple[list[Attempt], int]:
    """``results``: also load each grade's full result (key points, flags, feedback)."""
    query = select(Attempt).where(Attempt.organisation_id == organisation_id)
    if ids is not None:
        query = query.where(Attempt.id.in_(ids))
    if quiz_id is not None:
        query = query.where(Attempt.quiz_id == quiz_id)
    if candidate_id is not None:
        query = query.where(Attempt.candidate_id == candidate_id)
    if status is not None:
        query = query.where(status_clause(status, utcnow()))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    options = _LOAD if results else _LOAD_SCORES
    items = session.scalars(query.order_by(Attempt.id).offset(offset).limit(limit).options(*options))
    return list(items), total


def changed(
    session: Session,
    *,
    organisation_id: int,
    updated_since: datetime | None = None,
    after: tuple[datetime, int] | None = None,
    limit: int,
    quiz_id: int | None = None,
    candidate_id: int | None = None,
    status: str | None = None,
) -> tuple[list[Attempt], int]:
    """Attempts in the stable order (updated_at, id), from ``updated_since`` and past the cursor
    ``after`` (the last row a client saw); returns a page and how many match in all."""
    query = select(Attempt).where(Attempt.organisation_id == organisation_id)
    if updated_since is not None:
        query = query.where(Attempt.updated_at >= updated_since)
    for column, value in ((Attempt.quiz_id, quiz_id), (Attempt.candidate_id, candidate_id)):
        if value is not None:
            query = query.where(column == value)
    if status is not None:
        query = query.where(status_clause(status, utcnow()))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    if after is not None:
        at, last_id = after
        query = query.where(or_(Attempt.updated_at > at, and_(Attempt.updated_at == at, Attempt.id > last_id)))
    items = session.scalars(query.order_by(Attempt.updated_at, Attempt.id).limit(limit).options(*_LOAD_SCORES))
    return list(items), total


def _lock(session: Session, attempt_id: int, now: datetime, *, organisation_id: int | None = None) -> Attempt:
    """The attempt, row-locked, with any passed deadline applied; ``organisation_id``: it must be theirs."""
    query = select(Attempt).where(Attempt.id == attempt_id)
    if organisation_id is not None:
        query = query.where(Attempt.organisation_id == organisation_id)
    attempt = session.scalars(
        query.with_for_update().execution_options(populate_existing=True).options(*_LOAD)
    ).one_or_none()
    if attempt is None:
        raise NotFound(f"Attempt {attempt_id} not found.")
    _settle(session, attempt, now)
    return attempt


def create(
    session: Session, *, organisation_id: int, key_id: int | None, attempt_in: dict, practice: bool = False
) -> tuple[Attempt, str]:
    """Invite a candidate; returns the attempt and its access token (shown this once).

    ``attempt_in``: quiz_id, candidate, and optionally expires_in_hours, language (of the
    emails) and callback_url (an assessment partner's, PATCHed when graded). ``practice``:
    a visitor of the quiz's open practice link (services.practice), not an invitation.
    """
    quiz = quizzes.get(session, organisation_id=organisation_id, quiz_id=attempt_in["quiz_id"])
    if quiz.archived_at is not None:
        raise Conflict(f"Quiz {quiz.id} is archived; it takes no new attempts.")
    candidate = candidates.upsert(session, organisation_id=organisation_id, candidate_in=attempt_in["candidate"])
    seed = secrets.randbelow(SEED_RANGE)
    drawn = quizzes.draw(session, quiz=quiz, seed=seed)
    token = _new_token()
    now = utcnow()
    hours = attempt_in.get("expires_in_hours") or quiz.link_valid_hours
    attempt = Attempt(
        organisation_id=organisation_id,
        quiz=quiz,
        candidate=candidate,
        status="invited",
        token_hash=hash_token(token),
        seed=seed,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
        created_by_key_id=key_id,
        updated_at=now,
        language=attempt_in.get("language") or "en",
        callback_url=attempt_in.get("callback_url"),
        practice=practice,
        questions=[AttemptQuestion(position=i, version=v) for i, v in enumerate(drawn, 1)],
    )
    session.add(attempt)
    session.flush()
    emit(session, attempt=attempt, type=EventType.INVITED)
    return attempt, token


def start(session: Session, *, attempt_id: int) -> Attempt:
    now = utcnow()
    attempt = _lock(session, attempt_id, now)
    if attempt.status != "invited":
        if attempt.status == "started":
            raise Conflict(
                f"Cannot start: the attempt was already started at {attempt.started_at.isoformat()}.",
                errors={"status": ["started"]},
            )
        _refuse(attempt, "start")
    attempt.status = "started"
    attempt.started_at = now
    limit = attempt.quiz.time_limit_minutes
    attempt.deadline = now + timedelta(minutes=limit) if limit else attempt.expires_at
    emit(session, attempt=attempt, type=EventType.STARTED)
    session.flush()
    return attempt


def question_at(attempt: Attempt, position: int) -> AttemptQuestion:
    for item in attempt.questions:
        if item.position == position:
            return item
    raise NotFound(f"The attempt has no question {position}; it has {len(attempt.questions)}.")


def save_answer(
    session: Session, *, attempt_id: int, position: int, answer: str, time_spent_seconds: int | None = None
) -> AttemptQuestion:
    """Autosave: the last write before submission wins."""
    return save_answers(session, attempt_id=attempt_id, answers={position: (answer, time_spent_seconds)})[0]


def save_answers(session: Session, *, attempt_id: int, answers: dict[int, tuple[str, int | None]]) -> list[AttemptQuestion]:
    """Several autosaves at once (the page's one form), under one lock: ``answers`` maps a
    position to (answer, time spent or None). Each counts as one save."""
    now = utcnow()
    attempt = _lock(session, attempt_id, now)
    if attempt.status != "started":
        _refuse(attempt, "save the answer")
    saved = []
    for position, (answer, time_spent_seconds) in sorted(answers.items()):
        item = question_at(attempt, position)
        if item.response is None:
            item.response = Response(answer=answer, saves=0, time_spent_seconds=0, first_saved_at=now)
        response = item.response
        response.answer = answer
        response.saves += 1
        response.updated_at = now
        if time_spent_seconds is not None:
            response.time_spent_seconds = time_spent_seconds
        saved.append(item)
    session.flush()
    return saved


def reissue_token(session: Session, *, organisation_id: int, attempt_id: int) -> tuple[Attempt, str]:
    """A new access token for an open attempt; the old one (and any page session on it) stops working."""
    attempt = _lock(session, attempt_id, utcnow(), organisation_id=organisation_id)
    if attempt.status not in ("invited", "started"):
        _refuse(attempt, "issue a new link")
    token = _new_token()
    attempt.token_hash = hash_token(token)
    session.flush()
    return attempt, token


def submit(session: Session, *, attempt_id: int, grading: SubmissionGrading) -> Attempt:
    """Make the saved answers final; grading follows as ``grading`` decides.

    Submitting is naturally idempotent: an attempt already submitted (by the candidate, a
    concurrent call or its deadline) or graded is returned as it stands, so a retry always
    confirms. One still waiting for its grade is handed to ``grading`` again; grading
    locks the attempt, so it is graded once.
    """
    now = utcnow()
    attempt = _lock(session, attempt_id, now)
    if attempt.status == "started":
        attempt.status = "submitted"
        attempt.submitted_at = now
        _fill_unanswered(attempt)
        session.flush()
        emit(session, attempt=attempt, type=EventType.SUBMITTED)
    elif attempt.status not in ("submitted", "graded"):
        _refuse(attempt, "submit")
    if attempt.status == "submitted":
        grading.submitted(session, attempt)
    return attempt


def cancel(session: Session, *, organisation_id: int, attempt_id: int) -> Attempt:
    attempt = _lock(session, attempt_id, utcnow(), organisation_id=organisation_id)
    if attempt.status not in ("invited", "started"):
        _refuse(attempt, "cancel")
    attempt.status = "cancelled"
    attempt.cancelled_at = utcnow()
    emit(session, attempt=attempt, type=EventType.CANCELLED)
    session.flush()
    return attempt


# -- grading --------------------------------------------------------------------------------


def _pairs(session: Session, *, grader: Grader, cache: grading.PreparedCache, attempt: Attempt, items=None):
    """The attempt's answered items (or ``items``), and each one's (prepared question, answer)."""
    if items is None:
        items = [item for item in attempt.questions if item.response is not None]
    fingerprint = grading.bank_fingerprint(session, organisation_id=attempt.organisation_id)
    pairs = [
        (
            grading.prepare_stored(
                session,
                grader=grader,
                cache=cache,
                organisation_id=attempt.organisation_id,
                version=item.version,
                fingerprint=fingerprint,
            ),
            item.response.answer,
        )
        for item in items
    ]
    return items, pairs


def _grade_rows(
    session: Session,
    *,
    grader: Grader,
    cache: grading.PreparedCache,
    attempt: Attempt,
    trigger: str,
    graded: dict | None = None,
) -> list[Grade]:
    """``graded``: results computed beforehand (from :func:`to_grade`), by (response id,
    answer); an answer without one (saved since, or left empty and filled at submission) is
    graded here, the rest of the batch with it."""
    items = [item for item in attempt.questions if item.response is not None]
    graded = dict(graded or {})
    todo = [item for item in items if _key(item.response) not in graded]
    if todo:
        _, pairs = _pairs(session, grader=grader, cache=cache, attempt=attempt, items=todo)
        graded.update(zip((_key(item.response) for item in todo), grader.grade_pairs(pairs)))
    results = [graded[_key(item.response)] for item in items]
    rows = []
    for item, result in zip(items, results):
        row = Grade(
            score=result.score,
            band=result.band,
            confidence=result.confidence,
            result=result.to_dict(),
            grader_version=result.grader_version,
            model_id=result.model_id,
            params_digest=result.params_digest,
            examples_digest=result.examples_digest,
            trigger=trigger,
        )
        item.response.grades.append(row)
        rows.append(row)
    return rows


def _key(response: Response) -> tuple[int, str]:
    return response.id, response.answer


def to_grade(
    session: Session,
    *,
    grader: Grader,
    cache: grading.PreparedCache,
    attempt_id: int,
    status: str | tuple[str, ...] = "submitted",
) -> tuple[list[tuple[int, str]], list] | None:
    """What grading a submitted (or ``status``, one of several) attempt needs, read without
    locking it: each saved answer's key (response id, answer) and (prepared question,
    answer) pair; None when it is not stored with that status. Grading them
    (``grader.grade_pairs``) needs no database: :func:`grade` and :func:`regrade` then store
    the grades (``graded``, by key) while they hold the lock, which SQLite's one writer and
    other writers need back soon. An answer saved again meanwhile no longer matches its key
    and is graded under the lock."""
    attempt = get_by_id(session, attempt_id=attempt_id)
    if attempt.status not in ((status,) if isinstance(status, str) else status):
        return None
    items, pairs = _pairs(session, grader=grader, cache=cache, attempt=attempt)
    return [_key(item.response) for item in items], pairs


def grade(
    session: Session, *, grader: Grader, cache: grading.PreparedCache, attempt: Attempt, graded: dict | None = None
) -> Attempt:
    """Grade a submitted attempt's answers in one batch, the caller holding its lock (or store
    ``graded``: see :func:`to_grade`). Graded already: nothing to do."""
    if attempt.status != "submitted":
        return attempt
    _grade_rows(session, grader=grader, cache=cache, attempt=attempt, trigger="submission", graded=graded)
    attempt.status = "graded"
    attempt.graded_at = utcnow()
    session.flush()
    emit(session, attempt=attempt, type=EventType.GRADED)
    return attempt


def _provenance(row: Grade) -> tuple:
    return row.grader_version, row.model_id, row.params_digest


def _graded_by(session: Session, attempt: Attempt, grader: Grader) -> bool:
    """Every answer's latest grade came from exactly this grader (version, model, parameters)
    and the reviewed examples its question grades with now: a question whose examples
    changed since is graded again."""
    current = (GRADER_VERSION, grader.embedder.model_id, grader.parameters.digest)
    graded = [item for item in attempt.questions if item.response and item.response.grades]
    return bool(graded) and all(
        _provenance(item.response.grades[-1]) == current
        and item.response.grades[-1].examples_digest == digest_of(examples.for_version(session, version=item.version))
        for item in graded
    )


def graded_by(session: Session, *, grader: Grader, attempt_id: int) -> bool:
    """Whether a regrade with ``grader`` would leave this attempt alone (without ``force``)."""
    return _graded_by(session, get_by_id(session, attempt_id=attempt_id), grader)


def regrade(
    session: Session,
    *,
    grader: Grader,
    cache: grading.PreparedCache,
    attempt_id: int,
    force: bool = False,
    organisation_id: int | None = None,
    graded: dict | None = None,
) -> int:
    """Grade a graded attempt again with the current grader; returns the number of new grades.

    Earlier grades stay. An attempt already graded by exactly this grader (version, model
    and parameters) is left alone unless ``force``.
    """
    attempt = _lock(session, attempt_id, utcnow(), organisation_id=organisation_id)
    if attempt.status != "graded" or (not force and _graded_by(session, attempt, grader)):
        return 0
    rows = _grade_rows(session, grader=grader, cache=cache, attempt=attempt, trigger="regrade", graded=graded)
    session.flush()
    emit(session, attempt=attempt, type=EventType.REGRADED, detail={"grader_version": GRADER_VERSION})
    return len(rows)


def attempts_to_regrade(
    session: Session, *, organisation_id: int | None = None, quiz_id: int | None = None, attempt_id: int | None = None
) -> list[int]:
    query = select(Attempt.id).where(Attempt.status == "graded")
    if organisation_id is not None:
        query = query.where(Attempt.organisation_id == organisation_id)
    if quiz_id is not None:
        query = query.where(Attempt.quiz_id == quiz_id)
    if attempt_id is not None:
        query = query.where(Attempt.id == attempt_id)
    return list(session.scalars(query.order_by(Attempt.id)))


def due(session: Session, *, now: datetime | None = None) -> list[int]:
    """Attempts whose deadline has passed or that wait for grading: the sweeper's work list."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(Attempt.id)
            .where(
                or_(
                    Attempt.status == "submitted",
                    and_(Attempt.status == "invited", Attempt.expires_at <= now),
                    and_(Attempt.status == "started", Attempt.deadline <= now),
                )
            )
            .order_by(Attempt.id)
        )
    )


def settle(
    session: Session, *, grader: Grader, cache: grading.PreparedCache, attempt_id: int, graded: dict | None = None
) -> str:
    """Apply a passed deadline and grade what is submitted (``graded``: see :func:`grade`);
    returns the resulting status."""
    attempt = _lock(session, attempt_id, utcnow())
    if attempt.status == "submitted":
        grade(session, grader=grader, cache=cache, attempt=attempt, graded=graded)
    session.flush()
    return attempt.status


# -- reviews --------------------------------------------------------------------------------


def override(
    session: Session,
    *,
    organisation_id: int,
    attempt_id: int,
    position: int,
    key_id: int | None,
    override_in: dict,
    reviewer: str | None = None,
) -> AttemptQuestion:
    """A reviewer's score with a reason, stored beside the machine grade. ``reviewer``: their
    name (default: the key's); a console session from a login link has no key."""
    attempt = _lock(session, attempt_id, utcnow(), organisation_id=organisation_id)
    if attempt.status != "graded":
        raise Conflict(
            f"Cannot override: the attempt is {attempt.status}; only graded answers can be reviewed.",
            errors={"status": [attempt.status]},
        )
    item = question_at(attempt, position)
    key = session.get(ApiKey, key_id) if key_id is not None else None
    row = GradeOverride(
        grade_id=item.response.grades[-1].id if item.response.grades else None,
        score=override_in["score"],
        reason=override_in["reason"],
        key_id=key_id,
        reviewer=reviewer if reviewer is not None else key.name if key is not None else "",
    )
    item.response.overrides.append(row)
    session.flush()
    examples.from_override(session, organisation_id=attempt.organisation_id, item=item, override=row)
    detail = {"override": {"position": position, "score": row.score, "reviewer": row.reviewer}}
    emit(session, attempt=attempt, type=EventType.OVERRIDDEN, detail=detail)
    return item


def revoke_override(
    session: Session, *, organisation_id: int, attempt_id: int, position: int, override_id: int
) -> AttemptQuestion:
    """Withdraw a reviewer's override: it stays in the history, no longer counts, and the
    reviewed example it made is deleted. The previous live override (or the machine grade) counts again."""
    attempt = _lock(session, attempt_id, utcnow(), organisation_id=organisation_id)
    item = question_at(attempt, position)
    row = next((o for o in (item.response.overrides if item.response else []) if o.id == override_id), None)
    if row is None:
        raise NotFound(f"Override {override_id} of answer {position} not found.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.execute(delete(QuestionExample).where(QuestionExample.override_id == row.id))
    session.flush()
    return item


def question_of(session: Session, *, organisation_id: int, attempt_id: int, position: int) -> AttemptQuestion:
    return question_at(get(session, organisation_id=organisation_id, attempt_id=attempt_id), position)

"""Candidates: the hiring platform's people, by their external id."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizsvc.errors import NotFound
from quizsvc.models import Candidate


def upsert(session: Session, *, organisation_id: int, candidate_in: dict) -> Candidate:
    """The platform's candidate by external id; name and email follow the latest invitation."""
    candidate = session.scalars(
        select(Candidate).where(
            Candidate.organisation_id == organisation_id, Candidate.external_id == candidate_in["external_id"]
        )
    ).one_or_none()
    if candidate is None:
        candidate = Candidate(organisation_id=organisation_id, external_id=candidate_in["external_id"])
        session.add(candidate)
    candidate.display_name = candidate_in["display_name"]
    if candidate_in.get("email") is not None:
        candidate.email = candidate_in["email"]
    session.flush()
    return candidate


def get(session: Session, *, organisation_id: int, candidate_id: int) -> Candidate:
    candidate = session.get(Candidate, candidate_id)
    if candidate is None or candidate.organisation_id != organisation_id:
        raise NotFound(f"Candidate {candidate_id} not found.")
    return candidate


def get_all(
    session: Session, *, organisation_id: int, external_id: str | None = None, offset: int = 0, limit: int | None = None
) -> tuple[list[Candidate], int]:
    query = select(Candidate).where(Candidate.organisation_id == organisation_id)
    if external_id is not None:
        query = query.where(Candidate.external_id == external_id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    return list(session.scalars(query.order_by(Candidate.id).offset(offset).limit(limit))), total

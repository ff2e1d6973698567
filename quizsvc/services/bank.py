"""Import and export of whole banks, in one transaction owned by the caller."""

from collections import Counter
from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

from quizsvc.services import questions


def import_bank(
    session: Session,
    *,
    organisation_id: int,
    items: Iterable[dict],
    on_progress: Callable[[], None] | None = None,
) -> Counter:
    """Upsert each question by slug; return how many were created, updated, unchanged."""
    counts = Counter(created=0, updated=0, unchanged=0)
    for item in items:
        content = {key: value for key, value in item.items() if key != "slug"}
        _, action = questions.upsert(session, organisation_id=organisation_id, slug=item["slug"], question_in=content)
        counts[action] += 1
        if on_progress is not None:
            on_progress()
    return counts


def export_bank(session: Session, *, organisation_id: int, include_retired: bool = False) -> list[dict]:
    versions, _ = questions.get_all(session, organisation_id=organisation_id, include_retired=include_retired)
    return [{"slug": v.question.slug, **questions.version_content(v)} for v in versions]


def import_seed(
    session: Session, *, organisation_id: int, items: Iterable[dict], on_progress: Callable[[], None] | None = None
) -> Counter | None:
    """Import a seed bank into an organisation that has no question at all (retired ones
    count); None when it has some: a seed never overwrites a recruiter's edit nor brings a
    retired question back."""
    if questions.count_all(session, organisation_id=organisation_id):
        return None
    return import_bank(session, organisation_id=organisation_id, items=items, on_progress=on_progress)

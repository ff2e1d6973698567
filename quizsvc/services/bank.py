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
    """Upsert each question by slug; return how many were created, updated, unchanged.

    One query reads what the organisation has; new questions are stored in bulk
    (``questions.add_many``) and unchanged ones are not touched, so a 2,000-question file
    imports in seconds. Changed and retired ones go through ``questions.upsert`` (a new
    version; reinstated).
    """
    counts = Counter(created=0, updated=0, unchanged=0)
    known = questions.latest_hashes(session, organisation_id=organisation_id)
    new: list[tuple[str, dict]] = []
    for item in items:
        slug = item["slug"]
        content = {key: value for key, value in item.items() if key != "slug"}
        if slug not in known:
            new.append((slug, content))
            counts["created"] += 1
        elif known[slug] == (False, questions.content_hash(content)):
            counts["unchanged"] += 1
        else:
            _, action = questions.upsert(session, organisation_id=organisation_id, slug=slug, question_in=content)
            counts[action] += 1
        if on_progress is not None:
            on_progress()
    questions.add_many(session, organisation_id=organisation_id, items=new)
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

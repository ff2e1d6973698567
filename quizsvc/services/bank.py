"""Import and export of whole banks, in one transaction owned by the caller."""

from collections import Counter
from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

from quizsvc.services import examples, questions


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
        content = {key: value for key, value in item.items() if key not in ("slug", "examples")}
        version, action = questions.upsert(
            session, organisation_id=organisation_id, slug=item["slug"], question_in=content
        )
        examples.replace_bank_examples(
            session, organisation_id=organisation_id, version=version, items=item.get("examples", [])
        )
        counts[action] += 1
        if on_progress is not None:
            on_progress()
    return counts


def export_bank(session: Session, *, organisation_id: int, include_retired: bool = False) -> list[dict]:
    versions, _ = questions.get_all(session, organisation_id=organisation_id, include_retired=include_retired)
    out = []
    for version in versions:
        item = {"slug": version.question.slug, **questions.version_content(version)}
        found = examples.for_version(session, version=version)
        if found:
            item["examples"] = [{"answer": e.text, "score": e.score, "note": e.note} for e in found]
        out.append(item)
    return out

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
    """Upsert each question by slug; return how many were created, updated, unchanged.

    One query reads what the organisation has; new questions are stored in bulk
    (``questions.add_many``) and unchanged ones are not touched, so a 2,000-question file
    imports in seconds. Changed and retired ones go through ``questions.upsert`` (a new
    version; reinstated).
    """
    counts = Counter(created=0, updated=0, unchanged=0)
    known = questions.latest_hashes(session, organisation_id=organisation_id)
    new: list[tuple[str, dict]] = []
    given: dict[str, list | None] = {}
    for item in items:
        slug = item["slug"]
        content = {key: value for key, value in item.items() if key not in ("slug", "examples")}
        given[slug] = item.get("examples")
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
    _bank_examples(session, organisation_id=organisation_id, given=given)
    return counts


def _bank_examples(session: Session, *, organisation_id: int, given: dict[str, list | None]) -> None:
    """The file's reviewed examples replace the ones an earlier bank file gave (a file
    without examples, into an organisation with no bank examples, costs one query)."""
    had = examples.questions_with_bank_examples(session, organisation_id=organisation_id)
    for slug, items in given.items():
        question = questions.get_by_slug(session, organisation_id=organisation_id, slug=slug) if items or had else None
        if question is None or (not items and question.id not in had):
            continue
        version = questions.get(session, organisation_id=organisation_id, question_id=question.id)
        examples.replace_bank_examples(session, organisation_id=organisation_id, version=version, items=items or [])


def export_bank(session: Session, *, organisation_id: int, include_retired: bool = False) -> list[dict]:
    versions, _ = questions.get_all(session, organisation_id=organisation_id, include_retired=include_retired)
    found = examples.for_versions(session, organisation_id=organisation_id, versions=versions)
    out = []
    for version in versions:
        item = {"slug": version.question.slug, **questions.version_content(version)}
        if found.get(version.id):
            item["examples"] = [{"answer": e.text, "score": e.score, "note": e.note} for e in found[version.id]]
        out.append(item)
    return out


def import_seed(
    session: Session, *, organisation_id: int, items: Iterable[dict], on_progress: Callable[[], None] | None = None
) -> Counter | None:
    """Import a seed bank into an organisation that has no question at all (retired ones
    count); None when it has some: a seed never overwrites a recruiter's edit nor brings a
    retired question back."""
    if questions.count_all(session, organisation_id=organisation_id):
        return None
    return import_bank(session, organisation_id=organisation_id, items=items, on_progress=on_progress)

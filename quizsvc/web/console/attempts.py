"""Console: an attempt (the report, every answer with the grader's evidence highlighted, its
scores and overrides; override, regrade, cancel), a candidate's progress, the review queue."""

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup
from marshmallow import ValidationError

from quizsvc import links
from quizsvc.api.auth import record
from quizsvc.db import db
from quizsvc.grading import grading
from quizsvc.reports.charts import category_bars, cohort_histogram, score_timeline
from quizsvc.schemas.attempt import OverrideInSchema
from quizsvc.schemas.console import PageSchema
from quizsvc.services import attempts, reports, review
from quizsvc.services.attempt_views import response_view
from quizsvc.web.console import act, back_with, bp, reviewer, signed_in

QUEUE_PAGE = 25


@bp.get("/attempts/<id:attempt_id>")
@signed_in()
def attempt_page(attempt_id: int):
    me = reviewer()
    report = reports.attempt_report(db.session, organisation_id=me.organisation_id, attempt_id=attempt_id)
    attempt = attempts.get(db.session, organisation_id=me.organisation_id, attempt_id=attempt_id)
    answers = {item.position: response_view(item) for item in attempt.questions}
    charts = {
        "categories": Markup(category_bars(report["categories"], report["quiz"]["pass_mark"])),
        "cohort": Markup(cohort_histogram(report["cohort"], report["score"])),
    }
    shared = {
        name: links.report_url(attempt_id=attempt_id, organisation_id=me.organisation_id, format=name)
        for name in ("html", "pdf")
    }
    return render_template(
        "console/attempt.html",
        report=report,
        attempt=attempt,
        answers=answers,
        charts=charts,
        shared=shared,
        status=attempts.effective_status(attempt),
        notice=request.args.get("notice"),
        error=request.args.get("error"),
    )


@bp.post("/attempts/<id:attempt_id>/answers/<id:position>/override")
@signed_in("recruiter")
def override(attempt_id: int, position: int):
    me = reviewer()
    back = url_for("console.attempt_page", attempt_id=attempt_id)
    try:
        override_in = OverrideInSchema().load(
            {"score": request.form.get("score", ""), "reason": request.form.get("reason", "")}
        )
    except ValidationError as error:
        problem = "; ".join(f"{k}: {v[0]}" for k, v in error.messages.items())
        return redirect(back_with(back + f"#a{position}", error=problem), code=303)

    def work():
        attempts.override(
            db.session,
            organisation_id=me.organisation_id,
            attempt_id=attempt_id,
            position=position,
            key_id=me.key_id,
            reviewer=me.name,
            override_in=override_in,
        )
        record("grade.override", "attempt", attempt_id, position=position, score=override_in["score"], via="console")
        return gettext("Question %(n)s now scores %(score)s.", n=position, score=override_in["score"])

    return act(work, back=back + f"#a{position}")


@bp.post("/attempts/<id:attempt_id>/regrade")
@signed_in("admin")
def regrade(attempt_id: int):
    me = reviewer()

    def work():
        added = attempts.regrade(
            db.session,
            grader=grading.grader_for(db.session, organisation_id=me.organisation_id),
            cache=grading.prepared,
            attempt_id=attempt_id,
            force=True,
            organisation_id=me.organisation_id,
        )
        record("attempt.regrade", "attempt", attempt_id, grades=added, force=True, via="console")
        return gettext("Graded again: %(n)s new grades.", n=added)

    return act(work, back=url_for("console.attempt_page", attempt_id=attempt_id))


@bp.post("/attempts/<id:attempt_id>/cancel")
@signed_in("recruiter")
def cancel(attempt_id: int):
    me = reviewer()
    back = request.form.get("back") or url_for("console.attempt_page", attempt_id=attempt_id)

    def work():
        attempts.cancel(db.session, organisation_id=me.organisation_id, attempt_id=attempt_id)
        record("attempt.cancel", "attempt", attempt_id, via="console")
        return gettext("Attempt %(id)s cancelled.", id=attempt_id)

    return act(work, back=back if back.startswith("/console/") else url_for("console.quizzes_page"))


@bp.get("/candidates/<id:candidate_id>")
@signed_in()
def progress(candidate_id: int):
    data = reports.candidate_progress(db.session, organisation_id=reviewer().organisation_id, candidate_id=candidate_id)
    graded = [a for a in data["attempts"] if a["status"] == "graded"]
    points = [{"label": f"#{a['attempt_id']}", "score": a["score"]} for a in graded]
    categories = [{"category": c["category"], "score": c["latest"], "questions": c["attempts"]} for c in data["categories"]]
    charts = {"timeline": Markup(score_timeline(points)), "categories": Markup(category_bars(categories, None))}
    return render_template("console/progress.html", progress=data, charts=charts)


@bp.get("/queue")
@signed_in()
def queue():
    page = PageSchema().load({k: v for k, v in request.args.items() if k == "page" and v.isdigit()})["page"]
    threshold = current_app.config["QUIZSVC_REVIEW_CONFIDENCE"]
    items, total = review.queue(
        db.session,
        organisation_id=reviewer().organisation_id,
        confidence_below=threshold,
        offset=(page - 1) * QUEUE_PAGE,
        limit=QUEUE_PAGE,
    )
    return render_template(
        "console/queue.html",
        items=items,
        total=total,
        page=page,
        pages=max((total + QUEUE_PAGE - 1) // QUEUE_PAGE, 1),
        threshold=threshold,
    )

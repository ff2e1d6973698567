"""Console: quizzes (list, create from the bank), a quiz's attempts (filtered, sorted, paged;
invite, cancel), its open-practice link and its cohort page."""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup
from marshmallow import ValidationError

from quizsvc import links
from quizsvc.api.auth import record
from quizsvc.db import db, unit_of_work
from quizsvc.errors import ServiceError
from quizsvc.reports.charts import cohort_histogram
from quizsvc.schemas.attempt import AttemptCreateSchema
from quizsvc.schemas.console import AttemptFilterSchema
from quizsvc.schemas.question import QuestionQuerySchema
from quizsvc.schemas.quiz import QuizCreateSchema
from quizsvc.services import attempts, practice, questions, quizzes, reports, review
from quizsvc.web.console import act, bp, reviewer, signed_in

PAGE = 25
BANK_PAGE = 200


@bp.get("/quizzes")
@signed_in()
def quizzes_page():
    items, _ = quizzes.get_all(db.session, organisation_id=reviewer().organisation_id, limit=500)
    counts = review.attempt_counts(db.session, organisation_id=reviewer().organisation_id)
    return render_template("console/quizzes.html", quizzes=items, counts=counts)


def _bank_filters() -> tuple[dict, str | None]:
    raw = {k: v for k, v in request.values.items() if k in ("category", "difficulty", "tag", "q") and v}
    try:
        return QuestionQuerySchema(only=("category", "difficulty", "tag", "q")).load(raw), None
    except ValidationError as error:
        return {}, "; ".join(f"{k}: {v[0]}" for k, v in error.messages.items())


def _quiz_in(form, filters: dict) -> dict:
    """The create-quiz form as QuizCreateSchema's input: a fixed list, or a rule from the filters."""
    quiz_in = {
        "name": form.get("name", ""),
        "description": form.get("description", ""),
        "feedback_policy": form.get("feedback_policy", "hiring"),
        "feedback_timing": form.get("feedback_timing", "at_end"),
        "time_limit_minutes": int(form["time_limit_minutes"]) if form.get("time_limit_minutes", "").isdigit() else None,
        "pass_mark": int(form["pass_mark"]) if form.get("pass_mark", "").isdigit() else 60,
    }
    if form.get("selection") == "rule":
        rule = {"count": int(form["count"]) if form.get("count", "").isdigit() else 0}
        for key, name in (("category", "categories"), ("difficulty", "difficulties"), ("tag", "tags")):
            if filters.get(key):
                rule[name] = [filters[key]]
        quiz_in["rule"] = rule
    else:
        quiz_in["question_ids"] = [int(v) for v in form.getlist("question_ids") if v.isdigit()]
    return quiz_in


@bp.route("/quizzes/new", methods=["GET", "POST"])
@signed_in("recruiter")
def new_quiz():
    organisation_id = reviewer().organisation_id
    filters, problem = _bank_filters()
    errors = {}
    if request.method == "POST":
        try:
            body = _quiz_in(request.form, filters)
            if body.get("question_ids") == []:
                raise ValidationError({"question_ids": [gettext("Tick at least one question.")]})
            quiz_in = QuizCreateSchema().load(body)
            with unit_of_work(db.session):
                quiz = quizzes.create(db.session, organisation_id=organisation_id, quiz_in=quiz_in)
                record("quiz.create", "quiz", quiz.id, name=quiz.name, via="console")
            return redirect(url_for("console.quiz_page", quiz_id=quiz.id, notice=gettext("Quiz created.")), code=303)
        except ValidationError as error:
            errors = error.messages
        except ServiceError as error:
            errors = {"_schema": [error.message]}
    found, total = questions.get_all(db.session, organisation_id=organisation_id, limit=BANK_PAGE, **filters)
    chosen = {int(v) for v in request.form.getlist("question_ids") if v.isdigit()}
    return (
        render_template(
            "console/quiz_new.html",
            questions=found,
            total=total,
            filters=filters,
            facets=questions.facets(db.session, organisation_id=organisation_id),
            chosen=chosen,
            form=request.form,
            errors=errors,
            problem=problem,
        ),
        422 if errors else 200,
    )


def _attempt_filters() -> tuple[dict, str | None]:
    raw = {k: v for k, v in request.args.items() if v != ""}
    try:
        return AttemptFilterSchema().load(raw), None
    except ValidationError as error:
        return AttemptFilterSchema().load({}), "; ".join(f"{k}: {v[0]}" for k, v in error.messages.items())


@bp.get("/quizzes/<id:quiz_id>")
@signed_in()
def quiz_page(quiz_id: int, invited: dict | None = None, status: int = 200):
    organisation_id = reviewer().organisation_id
    quiz = quizzes.get(db.session, organisation_id=organisation_id, quiz_id=quiz_id)
    filters, problem = _attempt_filters()
    rows, total = review.quiz_attempts(
        db.session,
        organisation_id=organisation_id,
        quiz_id=quiz_id,
        status=filters.get("status"),
        flagged={"flagged": True, "clean": False}.get(filters.get("flag")),
        score_min=filters.get("score_min"),
        score_max=filters.get("score_max"),
        sort=filters["sort"],
        descending=filters["order"] == "desc",
        offset=(filters["page"] - 1) * PAGE,
        limit=PAGE,
    )
    practice_url = links.external_url("practice.intro", key=quiz.practice_key) if quiz.practice_key else None
    args = {k: v for k, v in request.args.items() if k not in ("page", "notice", "error")}
    here = url_for("console.quiz_page", quiz_id=quiz_id, **args, **({"page": filters["page"]} if filters["page"] > 1 else {}))
    return (
        render_template(
            "console/quiz.html",
            quiz=quiz,
            count=practice.question_count(quiz),
            rows=rows,
            total=total,
            filters=filters,
            args=args,
            here=here,
            pages=max((total + PAGE - 1) // PAGE, 1),
            practice_url=practice_url,
            invited=invited,
            problem=problem,
            notice=request.args.get("notice"),
            error=request.args.get("error"),
        ),
        status,
    )


@bp.post("/quizzes/<id:quiz_id>/invite")
@signed_in("recruiter")
def invite(quiz_id: int):
    """Invite one candidate; the link is shown on this page, once (it is never stored)."""
    form = request.form
    body = {
        "quiz_id": quiz_id,
        "candidate": {
            "external_id": form.get("external_id", ""),
            "display_name": form.get("display_name", ""),
            **({"email": form["email"]} if form.get("email") else {}),
        },
        "language": form.get("language") or "en",
    }
    me = reviewer()
    try:
        attempt_in = AttemptCreateSchema().load(body)
        with unit_of_work(db.session):
            attempt, token = attempts.create(
                db.session, organisation_id=me.organisation_id, key_id=me.key_id, attempt_in=attempt_in
            )
            record("attempt.invite", "attempt", attempt.id, quiz_id=quiz_id, via="console")
    except ValidationError as error:
        messages = error.messages.get("candidate", error.messages)
        problem = "; ".join(f"{k}: {v[0] if isinstance(v, list) else v}" for k, v in messages.items())
        return quiz_page(quiz_id, invited={"problem": problem, "form": form}, status=422)
    except ServiceError as error:
        return quiz_page(quiz_id, invited={"problem": error.message, "form": form}, status=error.status)
    link = links.external_url("take.page", token=token)
    return quiz_page(quiz_id, invited={"link": link, "name": attempt.candidate.display_name})


@bp.post("/quizzes/<id:quiz_id>/practice")
@signed_in("recruiter")
def practice_switch(quiz_id: int):
    organisation_id = reviewer().organisation_id
    opening = request.form.get("open") == "1"

    def work():
        if opening:
            practice.open_practice(db.session, organisation_id=organisation_id, quiz_id=quiz_id)
            record("quiz.practice_open", "quiz", quiz_id, via="console")
            return gettext("Open practice is on: share the link below.")
        practice.close_practice(db.session, organisation_id=organisation_id, quiz_id=quiz_id)
        record("quiz.practice_close", "quiz", quiz_id, via="console")
        return gettext("Open practice is off: the link no longer works.")

    return act(work, back=url_for("console.quiz_page", quiz_id=quiz_id))


@bp.get("/quizzes/<id:quiz_id>/cohort")
@signed_in()
def cohort(quiz_id: int):
    report = reports.quiz_report(db.session, organisation_id=reviewer().organisation_id, quiz_id=quiz_id)
    chart = Markup(cohort_histogram(report, None))
    return render_template("console/cohort.html", report=report, chart=chart)

"""The grader as an app subsystem: one embedder per process (loaded on first use), the
reference-vector cache, the parameters each organisation grades with, and what follows a
submission."""

import logging
import threading

from flask import Flask, current_app, g

from quizsvc import metrics
from quizsvc.config import grading_mode
from quizsvc.db import db
from quizsvc.scoring.calibration import DEFAULT_PARAMS, Parameters, load_parameters
from quizsvc.scoring.embedding import CachingEmbedder, load_embedder
from quizsvc.scoring.grader import GRADER_VERSION, Grader
from quizsvc.services import attempts
from quizsvc.services.grading import PreparedCache, SqlVectorStore, organisation_parameters, prepare_stored

log = logging.getLogger(__name__)
# session.info key: submitted attempts for the queue's consumers to grade, enqueued after the commit.
GRADE_PENDING = "quizsvc.pending_gradings"
# flask.g key: grades computed before a request's submitting transaction, by attempt id.
GRADED_FIRST = "quizsvc_graded_first"


def _graded(grader: Grader, answers: int, seconds: float) -> None:
    """Every batch graded in this process: counted, timed and logged with what graded it."""
    metrics.graded(answers, seconds)
    log.info(
        "graded",
        extra={
            "answers": answers,
            "ms": round(seconds * 1000, 1),
            "grader_version": GRADER_VERSION,
            "model_id": grader.embedder.model_id,
            "params_digest": grader.parameters.digest,
        },
    )


class Grading:
    def init_app(self, app: Flask) -> None:
        # A configured embedder object (tests use a fake) wins over the model name. The
        # name is checked now, so a missing model fails start-up, not the first request.
        embedder = app.config.get("QUIZSVC_EMBEDDER") or load_embedder(
            app.config["QUIZSVC_EMBEDDING_MODEL"],
            threads=app.config["QUIZSVC_ENCODER_THREADS"],
            serial=app.config["QUIZSVC_ENCODE_SERIAL"],
        )
        app.extensions["quizsvc.grading"] = {
            "embedder": embedder,
            "reference_embedder": CachingEmbedder(embedder, SqlVectorStore(db.sessionmaker(app))),
            "default": load_parameters(app.config["QUIZSVC_GRADER_PARAMS"] or DEFAULT_PARAMS),
            "graders": {},
            "prepared": PreparedCache(),
            "loading": threading.Lock(),
            # One submission graded in a request at a time per process (see submitted).
            "inline": threading.Lock(),
            "inline_attempt": None,  # the attempt before_submit grades while it holds "inline"
        }

    @staticmethod
    def _state(app: Flask | None = None) -> dict:
        return (app or current_app).extensions["quizsvc.grading"]

    def load(self, app: Flask | None = None) -> None:
        """Load the encoder now (the first encoding loads its weights)."""
        state = self._state(app)
        with state["loading"]:
            if not getattr(state["embedder"], "loaded", True):
                state["embedder"].encode(["warm up"])

    def load_in_background(self, app: Flask | None = None) -> None:
        """Start loading the encoder in a thread of its own, unless it is loaded or loading."""
        state = self._state(app)
        if getattr(state["embedder"], "loaded", True) or state["loading"].locked():
            return

        def run():
            try:
                self.load(app)
            except Exception:  # noqa: BLE001 - a failed load is retried by the next readiness check
                log.exception("loading the grader's model failed")

        threading.Thread(target=run, name="grader-load", daemon=True).start()

    def loaded(self) -> bool:
        """Whether the encoder is loaded; when it is not, loading starts in the background."""
        app = current_app._get_current_object()
        if getattr(self._state(app)["embedder"], "loaded", True):
            return True
        self.load_in_background(app)
        return False

    def grader(self, parameters: Parameters | None = None) -> Grader:
        state = self._state()
        parameters = parameters or state["default"]
        graders = state["graders"]
        if parameters.digest not in graders:
            # Request threads race here in a fresh worker: setdefault keeps the first one made.
            graders.setdefault(
                parameters.digest,
                Grader(
                    state["embedder"], parameters, reference_embedder=state["reference_embedder"], observer=_graded
                ),
            )
        return graders[parameters.digest]

    def grader_for(self, session, *, organisation_id: int) -> Grader:
        # A copy (made in one step) to iterate: another thread may be adding a grader meanwhile.
        graders = dict(self._state()["graders"])
        known = {digest: grader.parameters for digest, grader in graders.items()}
        return self.grader(organisation_parameters(session, organisation_id=organisation_id, known=known))

    def grader_of(self, session, *, attempt_id: int) -> Grader:
        """The grader for an attempt's organisation."""
        return self.grader_for(session, organisation_id=attempts.organisation_of(session, attempt_id=attempt_id))

    def graded_first(self, app: Flask, attempt_id: int, *, status, force: bool = True) -> dict | None:
        """The attempt's grades, computed outside any writer's transaction: its answers are
        read in a session of its own, whose connection is given back before the encoder
        works; by (response id, answer), for ``attempts.grade``, ``settle`` or ``regrade``
        to store under the lock. None when the attempt is not ``status`` (one status or a
        tuple of them), or, without ``force``, already graded by this grader."""
        with app.app_context():
            with db.sessionmaker()() as session:
                grader = self.grader_of(session, attempt_id=attempt_id)
                if not force and attempts.graded_by(session, grader=grader, attempt_id=attempt_id):
                    return None
                found = attempts.to_grade(session, grader=grader, cache=self.prepared, attempt_id=attempt_id, status=status)
        if found is None:
            return None
        keys, pairs = found
        return dict(zip(keys, grader.grade_pairs(pairs)))

    def before_submit(self, attempt_id: int) -> None:
        """Inline grading's costly part, before the request's submitting transaction opens:
        the saved answers are graded here, holding no lock, so that SQLite's one writer (and
        the attempt's row lock elsewhere) is held only to store the grades. Called by the
        submitting views (the API, the /take page); what it computed waits in ``flask.g``
        for :meth:`submitted`. Queue mode, or another submission being graded in this
        process: nothing to do here (the submission goes to the queue)."""
        app = current_app._get_current_object()
        state = self._state()
        slot = state["inline"]
        if grading_mode(app.config) == "queue":
            return
        if not slot.acquire(blocking=False):
            if state["inline_attempt"] != attempt_id:
                return
            # The same attempt submitted twice at once: wait for the first, so that both
            # answer with its grades, not one of them "submitted".
            slot.acquire()
        state["inline_attempt"] = attempt_id
        try:
            graded = self.graded_first(app, attempt_id, status=("started", "submitted"))
        except Exception:  # noqa: BLE001 - then grading happens at submission, or later
            log.exception("grading attempt %s before its submission failed", attempt_id)
            return
        finally:
            state["inline_attempt"] = None
            slot.release()
        if graded is not None:
            g.setdefault(GRADED_FIRST, {})[attempt_id] = graded

    def submitted(self, session, attempt) -> None:
        """What follows a submission, decided here and nowhere else (``attempts.submit`` calls
        it, for the API and the /take page; QUIZSVC_GRADING): grade it now, inside the
        submitting transaction, so the submission and its grades commit together (the
        embedded default); or hand it to the queue's consumers once that transaction
        commits (a Redis queue: the response says ``submitted``, ``attempt.graded``
        follows). Grading that fails is rolled back alone: the submission still commits and
        the sweeper grades it later.

        Inline, the grades were mostly computed before the transaction
        (:meth:`before_submit`): only an answer saved since, and the empty answers filled at
        submission, are graded here. Without that (a caller outside a request), a process
        grades one submission at a time: one arriving while another is graded here goes to
        the queue too. A burst of submissions then waits in the queue, not in the request
        threads that autosaves and listings need (with SQLite, not for its one writer
        either)."""
        first = g.get(GRADED_FIRST, {}).pop(attempt.id, None)
        slot = self._state()["inline"]
        if first is None and (grading_mode(current_app.config) == "queue" or not slot.acquire(blocking=False)):
            session.info.setdefault(GRADE_PENDING, []).append(attempt.id)
            return
        try:
            grader = self.grader_for(session, organisation_id=attempt.organisation_id)
            with session.begin_nested():
                attempts.grade(session, grader=grader, cache=self.prepared, attempt=attempt, graded=first)
        except Exception:  # noqa: BLE001 - the submission must stand whatever grading does
            log.exception("grading attempt %s failed; it stays submitted for the sweeper", attempt.id)
        finally:
            if first is None:
                slot.release()

    def practice(self, session, *, item) -> dict:
        """The grade of one saved answer, shown and not stored (mock quizzes, feedback after each answer)."""
        return self.practice_all(session, items=[item])[0]

    def practice_all(self, session, *, items) -> list[dict]:
        """``practice`` for several saved answers of one attempt, graded in one batch."""
        if not items:
            return []
        organisation_id = items[0].attempt.organisation_id
        grader = self.grader_for(session, organisation_id=organisation_id)
        pairs = [
            (
                prepare_stored(
                    session, grader=grader, cache=self.prepared, organisation_id=organisation_id, version=item.version
                ),
                item.response.answer,
            )
            for item in items
        ]
        return [result.to_dict() for result in grader.grade_pairs(pairs)]

    @property
    def prepared(self) -> PreparedCache:
        return self._state()["prepared"]

    def clear_caches(self, app: Flask) -> None:
        """Forget in-process vectors and prepared questions (the database copy stays)."""
        state = app.extensions["quizsvc.grading"]
        state["reference_embedder"].clear()
        state["prepared"].clear()


grading = Grading()

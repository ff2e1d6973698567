"""The grader as an app subsystem: one embedder per process (loaded on first use), the
reference-vector cache, the parameters each organisation grades with, and what follows a
submission."""

import logging

from flask import Flask, current_app

from quizsvc.db import db
from quizsvc.scoring.calibration import DEFAULT_PARAMS, Parameters, load_parameters
from quizsvc.scoring.embedding import CachingEmbedder, SentenceTransformerEmbedder
from quizsvc.scoring.grader import Grader
from quizsvc.services import attempts
from quizsvc.services.grading import PreparedCache, SqlVectorStore, organisation_parameters, prepare_stored

log = logging.getLogger(__name__)


class Grading:
    def init_app(self, app: Flask) -> None:
        # A configured embedder object (tests use a fake) wins over the model name. The
        # name is checked now, so a missing model fails start-up, not the first request.
        embedder = app.config.get("QUIZSVC_EMBEDDER") or SentenceTransformerEmbedder(
            app.config["QUIZSVC_EMBEDDING_MODEL"]
        )
        app.extensions["quizsvc.grading"] = {
            "embedder": embedder,
            "reference_embedder": CachingEmbedder(embedder, SqlVectorStore(db.sessionmaker(app))),
            "default": load_parameters(app.config["QUIZSVC_GRADER_PARAMS"] or DEFAULT_PARAMS),
            "graders": {},
            "prepared": PreparedCache(),
        }

    @staticmethod
    def _state() -> dict:
        return current_app.extensions["quizsvc.grading"]

    def grader(self, parameters: Parameters | None = None) -> Grader:
        state = self._state()
        parameters = parameters or state["default"]
        graders = state["graders"]
        if parameters.digest not in graders:
            # Request threads race here in a fresh worker: setdefault keeps the first one made.
            graders.setdefault(
                parameters.digest,
                Grader(state["embedder"], parameters, reference_embedder=state["reference_embedder"]),
            )
        return graders[parameters.digest]

    def grader_for(self, session, *, organisation_id: int) -> Grader:
        # A copy (made in one step) to iterate: another thread may be adding a grader meanwhile.
        graders = dict(self._state()["graders"])
        known = {digest: grader.parameters for digest, grader in graders.items()}
        return self.grader(organisation_parameters(session, organisation_id=organisation_id, known=known))

    def submitted(self, session, attempt) -> None:
        """What follows a submission, decided here and nowhere else (``attempts.submit`` calls it).

        Today: grade now, inside the submitting transaction, so the submission and its
        grades commit together. A background worker would be handed the attempt here
        instead. Grading that fails is rolled back alone: the submission still commits
        and the sweeper grades it later.
        """
        grader = self.grader_for(session, organisation_id=attempt.organisation_id)
        try:
            with session.begin_nested():
                attempts.grade(session, grader=grader, cache=self.prepared, attempt=attempt)
        except Exception:  # noqa: BLE001 - the submission must stand whatever grading does
            log.exception("grading attempt %s failed; it stays submitted for the sweeper", attempt.id)

    def practice(self, session, *, item) -> dict:
        """The grade of one saved answer, shown and not stored (mock quizzes, feedback after each answer)."""
        organisation_id = item.attempt.organisation_id
        grader = self.grader_for(session, organisation_id=organisation_id)
        prepared = prepare_stored(
            session, grader=grader, cache=self.prepared, organisation_id=organisation_id, version=item.version
        )
        return grader.grade(prepared, item.response.answer).to_dict()

    @property
    def prepared(self) -> PreparedCache:
        return self._state()["prepared"]

    def clear_caches(self, app: Flask) -> None:
        """Forget in-process vectors and prepared questions (the database copy stays)."""
        state = app.extensions["quizsvc.grading"]
        state["reference_embedder"].clear()
        state["prepared"].clear()


grading = Grading()

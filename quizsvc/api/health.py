"""Liveness and readiness, outside /api/v1 and without a key (load balancers call them)."""

from flask.views import MethodView
from marshmallow import Schema, fields

from quizsvc.api.base import Blueprint
from quizsvc.db import db
from quizsvc.grading import grading
from quizsvc.services import health

blp = Blueprint("health", __name__, description="Process and dependency health.")


class HealthSchema(Schema):
    status = fields.String()


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self):
        """Report that the process is up"""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def get(self):
        """Report whether the database answers and the grader's model is loaded"""
        health.check_database(db.session)
        if not grading.loaded():
            raise health.Unavailable("The grader is still loading its model.", errors={"grader": ["loading"]})
        return {"status": "ready"}

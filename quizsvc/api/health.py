"""Liveness and readiness, outside /api/v1 and without a key (load balancers call them)."""

from flask.views import MethodView
from marshmallow import Schema, fields

from quizsvc.api import examples as ex
from quizsvc.api.base import Blueprint, operation
from quizsvc.db import db
from quizsvc.services import health

blp = Blueprint("health", __name__, description="Process and dependency health.")


class HealthSchema(Schema):
    status = fields.String()


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthSchema, example=ex.HEALTH)
    @operation("getHealth")
    def get(self):
        """Report that the process is up"""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.response(200, HealthSchema, example=ex.READY)
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    @operation("getReadiness")
    def get(self):
        """Report whether the database answers"""
        health.check_database(db.session)
        return {"status": "ready"}

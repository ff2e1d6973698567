"""Liveness and readiness, outside /api/v1 and without a key (load balancers call them)."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from quizsvc.db import db
from quizsvc.errors import ServiceError

blp = Blueprint("health", __name__, description="Process and dependency health.")


class Unavailable(ServiceError):
    status = 503


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
        """Report whether the database answers"""
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError as error:
            raise Unavailable("The database is not reachable.", errors={"database": [type(error).__name__]}) from None
        return {"status": "ready"}

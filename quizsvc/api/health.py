"""Liveness and readiness, outside /api/v1 and without a key (load balancers call them)."""

from flask import Response, current_app
from flask.views import MethodView
from marshmallow import Schema, fields
from prometheus_client import CONTENT_TYPE_LATEST

from quizsvc import metrics
from quizsvc.api import examples as ex
from quizsvc.api.base import Blueprint, operation
from quizsvc.db import db
from quizsvc.grading import grading
from quizsvc.queue import queue
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
        """Report whether the database and the task queue answer and the grader's model is loaded"""
        health.check_database(db.session)
        health.check_queue(queue.huey())
        if not grading.loaded():
            raise health.Unavailable("The grader is still loading its model.", errors={"grader": ["loading"]})
        return {"status": "ready"}


@blp.route("/metrics")
class Metrics(MethodView):
    @blp.doc(
        responses={
            "200": {
                "description": "Prometheus text format: every worker of this server (see quizsvc/metrics.py)",
                "content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}, "example": ex.METRICS}},
            }
        }
    )
    @operation("getMetrics")
    def get(self):
        """Prometheus metrics: requests, grading, the queue, deliveries, the database pool"""
        return Response(metrics.exposition(current_app._get_current_object()), content_type=CONTENT_TYPE_LATEST)

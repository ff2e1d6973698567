"""The audit log, for admins: who created, invited, cancelled, overrode, regraded, rotated a
secret or revoked a key, and when."""

from flask.views import MethodView

from quizsvc.api.auth import principal, requires
from quizsvc.api.base import Blueprint, operation, page_of
from quizsvc.db import db
from quizsvc.schemas.webhook import AuditEntrySchema, AuditQuerySchema
from quizsvc.services import audit

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="The audit log. Admins only.")


@blp.route("")
class AuditLog(MethodView):
    @requires("admin")
    @operation("listAuditEntries")
    @blp.arguments(AuditQuerySchema, location="query", as_kwargs=True)
    @blp.response(
        200,
        AuditEntrySchema(many=True),
        example=[
            {
                "id": 31,
                "key_id": 2,
                "actor": "ats-integration",
                "action": "attempt.cancel",
                "target_type": "attempt",
                "target_id": 12,
                "detail": {},
                "created_at": "2026-12-01T10:02:00+00:00",
            }
        ],
    )
    @blp.paginate()
    def get(self, pagination_parameters, **filters):
        """List audit entries, newest first, by action or target"""
        items = page_of(
            pagination_parameters,
            audit.get_all,
            db.session,
            organisation_id=principal().organisation_id,
            **filters,
        )
        return items

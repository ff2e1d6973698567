"""API keys of the caller's organisation, and who the caller is."""

from flask.views import MethodView

from quizsvc.api import examples as ex
from quizsvc.api.auth import principal, record, requires
from quizsvc.api.base import Blueprint, operation
from quizsvc.api.idempotency import mutation
from quizsvc.db import db
from quizsvc.schemas.account import KeyCreateSchema, KeySchema, NewKeySchema, WhoAmISchema
from quizsvc.services import accounts

blp = Blueprint("keys", __name__, url_prefix="/api/v1", description="API keys and the caller's identity.")


@blp.route("/keys")
class Keys(MethodView):
    @requires("admin")
    @blp.response(200, KeySchema(many=True), example=[ex.KEY])
    @operation("listKeys")
    def get(self):
        """List the organisation's API keys"""
        return accounts.get_all_keys(db.session, organisation_id=principal().organisation_id)

    @requires("admin")
    @mutation
    @blp.arguments(KeyCreateSchema, example=ex.KEY_IN)
    @blp.response(201, NewKeySchema, example=ex.NEW_KEY)
    @operation("createKey")
    def post(self, key_in):
        """Create an API key; the response is the only time the key is shown (a replay leaves it out)"""
        key, plaintext = accounts.create_key(
            db.session, organisation_id=principal().organisation_id, role=key_in["role"], name=key_in["name"]
        )
        record("key.create", "key", key.id, role=key.role, name=key.name)
        return {**{name: getattr(key, name) for name in KeySchema().fields}, "key": plaintext}


@blp.route("/keys/<id:key_id>")
class KeyById(MethodView):
    @requires("admin")
    @mutation
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @operation("revokeKey")
    def delete(self, key_id):
        """Revoke an API key"""
        accounts.revoke_key(db.session, organisation_id=principal().organisation_id, key_id=key_id)
        record("key.revoke", "key", key_id)


@blp.route("/me")
class WhoAmI(MethodView):
    @requires("viewer")
    @blp.response(200, WhoAmISchema, example=ex.ME)
    @operation("whoAmI")
    def get(self):
        """Tell which organisation and role the key belongs to"""
        me = principal()
        return {"organisation": me.organisation_name, "role": me.role, "key_id": me.key_id}

"""What the reviewer console's lists take from the query string."""

from marshmallow import EXCLUDE, Schema, fields, validate

from quizsvc.models import STATUSES
from quizsvc.schemas.fields import Text

FLAGS = ("flagged", "clean")


class AttemptFilterSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    status = Text(validate=validate.OneOf(STATUSES))
    flag = Text(validate=validate.OneOf(FLAGS))
    score_min = fields.Float(validate=validate.Range(min=0, max=100))
    score_max = fields.Float(validate=validate.Range(min=0, max=100))
    sort = Text(load_default="date", validate=validate.OneOf(("date", "score")))
    order = Text(load_default="desc", validate=validate.OneOf(("desc", "asc")))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))


class PageSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))

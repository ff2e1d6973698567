"""The blueprint every resource uses: list limits, JSON bodies, path ids; operation names, report formats."""

from functools import wraps

import flask_smorest
from flask import Response, current_app, request
from flask_smorest.pagination import PaginationParameters
from flask_smorest.utils import unpack_tuple_response
from marshmallow import EXCLUDE, Schema, fields, post_load, validate
from webargs.flaskparser import FlaskParser, abort
from werkzeug.routing import IntegerConverter

from quizsvc import reports as render
from quizsvc.schemas.fields import MAX_INT

PAGE_SIZE = 20
# Explicit ceiling: a larger page_size is a 422, never a silent truncation.
MAX_PAGE_SIZE = 100
# Far beyond any real list, and small enough that page x page_size stays a valid SQL offset.
MAX_PAGE = 1_000_000


class IdConverter(IntegerConverter):
    """``<id:name>``: a positive id that fits the column; anything else is no route (404)."""

    def __init__(self, map, min=1, max=MAX_INT):  # noqa: A002 - werkzeug's own names
        super().__init__(map, min=min, max=max)


class JsonParser(FlaskParser):
    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            # The decoder recurses once per level; past the interpreter's limit it gives up.
            abort(400, messages={"json": ["JSON nested too deeply."]})


class PageSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(load_default=PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))

    @post_load
    def _parameters(self, data, **kwargs):
        return PaginationParameters(**data)


class Blueprint(flask_smorest.Blueprint):
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": PAGE_SIZE, "max_page_size": MAX_PAGE_SIZE}
    ARGUMENTS_PARSER = JsonParser()
    PAGINATION_ARGUMENTS_PARSER = JsonParser()

    def paginate(self):
        """Pagination inside the view (flask-smorest's own mode), with an upper bound on ``page``."""
        error_status = self.PAGINATION_ARGUMENTS_PARSER.DEFAULT_VALIDATION_STATUS

        def decorator(func):
            @wraps(func)
            def wrapper(*args, **kwargs):
                page = self.PAGINATION_ARGUMENTS_PARSER.parse(PageSchema, request, location="query")
                result, status, headers = unpack_tuple_response(
                    current_app.ensure_sync(func)(*args, pagination_parameters=page, **kwargs)
                )
                result, headers = self._set_pagination_metadata(page, result, headers)
                return result, status, headers

            wrapper._apidoc = {
                **getattr(wrapper, "_apidoc", {}),
                "pagination": {
                    "parameters": {"in": "query", "schema": PageSchema},
                    "response": {error_status: "UNPROCESSABLE_ENTITY"},
                },
            }
            return wrapper

        return decorator


_FORMAT_SCHEMAS = {"csv": {"type": "string"}, "html": {"type": "string"}, "pdf": {"type": "string", "format": "binary"}}


def page_of(pagination_parameters: PaginationParameters, get_all, session, **filters) -> list:
    """One page of a service's ``get_all(session, offset=, limit=, **filters) -> (items, total)``;
    the total goes to the X-Pagination header."""
    items, total = get_all(
        session, offset=pagination_parameters.first_item, limit=pagination_parameters.page_size, **filters
    )
    pagination_parameters.item_count = total
    return items


def other_formats(*names: str) -> dict:
    """``blp.doc`` arguments that document a 200 response's media types beside JSON (?format=)."""
    content = {render.MEDIA_TYPES[name].split(";")[0]: {"schema": _FORMAT_SCHEMAS[name]} for name in names}
    return {"responses": {200: {"content": content}}}  # int: the key flask-smorest files responses under


def html_page(body: str) -> Response:
    """A self-contained report page: it needs nothing from anywhere, and gets nothing."""
    response = Response(body, content_type=render.MEDIA_TYPES["html"])
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def operation(operation_id: str):
    """Name the operation in the OpenAPI document (generated clients take it as the method name)."""
    return flask_smorest.Blueprint.doc(operationId=operation_id)


def accepts_upload(setting: str):
    """Mark a view that takes a multipart file upload of up to ``current_app.config[setting]`` bytes.

    The JSON-only rule and the request-size limit (api.init_app) read the mark before the
    body is parsed.
    """

    def decorator(view):
        view.upload_limit_setting = setting
        return view

    return decorator

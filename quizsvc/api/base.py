"""The blueprint every resource uses: one place for list limits."""

import flask_smorest

PAGE_SIZE = 20
# Explicit ceiling: a larger page_size is a 422, never a silent truncation.
MAX_PAGE_SIZE = 100


class Blueprint(flask_smorest.Blueprint):
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": PAGE_SIZE, "max_page_size": MAX_PAGE_SIZE}


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

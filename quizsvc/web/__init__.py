"""Server-rendered pages: the candidate's (/take), open practice (/practice/<key>) and the
reviewer console (/console).

Jinja templates, one stylesheet and a little plain JavaScript as progressive enhancement
(static/; every page works without it), all served by this app: nothing comes from a CDN,
everything works offline. Pages speak English, Traditional and Simplified Chinese (see
quizsvc.i18n); every page carries the same security headers (quizsvc.web.pages).
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from quizsvc.api.base import IdConverter
    from quizsvc.web import console, pages, practice, take

    app.url_map.converters.setdefault("id", IdConverter)
    pages.init_app(app)
    app.register_blueprint(take.bp)
    app.register_blueprint(practice.bp)
    console.init_app(app)

"""Languages (Flask-Babel): the one place that sets them up; emails use it now, the
candidate's and the reviewer's pages will too.

Catalogs live in quizsvc/translations (zh_Hant, zh_Hans, en), with the compiled .mo files
committed beside the .po files, so nothing needs compiling to run. ``make messages``
extracts, updates and compiles them; a test fails when a .mo is older than its .po.
"""

from contextlib import contextmanager

from flask import Flask, has_request_context, request
from flask_babel import Babel, force_locale

from quizsvc.models import LANGUAGES as TAGS

# The API's language tags and Babel's locale names for them.
LANGUAGES = {tag: tag.replace("-", "_") for tag in TAGS}
DEFAULT_LANGUAGE = "en"

babel = Babel()


def _locale_selector() -> str:
    if has_request_context():
        return request.accept_languages.best_match(list(LANGUAGES.values()), DEFAULT_LANGUAGE)
    return DEFAULT_LANGUAGE


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=_locale_selector,
        default_locale=DEFAULT_LANGUAGE,
        default_translation_directories="translations",
    )


@contextmanager
def language(tag: str):
    """Translate in ``tag`` (an API language tag such as zh-Hant) inside the block."""
    with force_locale(LANGUAGES.get(tag, DEFAULT_LANGUAGE)):
        yield

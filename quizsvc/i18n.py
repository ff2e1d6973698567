"""Languages (Flask-Babel): the one place that sets them up, for emails and for pages.

Catalogs live in quizsvc/translations (zh_Hant, zh_Hans, en), with the compiled .mo files
committed beside the .po files, so nothing needs compiling to run. ``make messages``
extracts (babel.cfg: Python and the page templates), updates and compiles them; a test
fails when a message has no translation or a .mo is older than its .po.

A page's language: the visitor's choice (the language switch sets the ``quizsvc_lang``
cookie), else the first language of Accept-Language that has a catalog (zh-TW, zh-HK and
zh-Hant read as Traditional; zh-CN, zh-SG, zh-Hans and plain zh as Simplified), else English.
Questions keep the language they were written in.
"""

from contextlib import contextmanager

from flask import Flask, has_request_context, request
from flask_babel import Babel, force_locale

from quizsvc.models import LANGUAGES as TAGS

# The API's language tags and Babel's locale names for them.
LANGUAGES = {tag: tag.replace("-", "_") for tag in TAGS}
DEFAULT_LANGUAGE = "en"
COOKIE = "quizsvc_lang"
# Each language named in itself, for the switch.
NATIVE_NAMES = {"en": "English", "zh-Hant": "繁體中文", "zh-Hans": "简体中文"}
_TRADITIONAL = {"hant", "tw", "hk", "mo"}

babel = Babel()


def tag_for(accept_tag: str) -> str | None:
    """The language tag of ours an Accept-Language entry asks for, or None."""
    parts = accept_tag.lower().replace("_", "-").split("-")
    if parts[0] == "zh":
        return "zh-Hant" if _TRADITIONAL & set(parts[1:]) else "zh-Hans"
    if parts[0] == "en":
        return "en"
    return None


def page_language() -> str:
    """The language tag a page is shown in (see the module's docstring)."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    for accepted, _quality in request.accept_languages:
        found = tag_for(accepted)
        if found is not None:
            return found
    return DEFAULT_LANGUAGE


def _locale_selector() -> str:
    return LANGUAGES[page_language()] if has_request_context() else LANGUAGES[DEFAULT_LANGUAGE]


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


def fill_english(path: str) -> int:
    """Give every untranslated message of the English catalog its own text (``make messages``)."""
    from babel.messages.pofile import read_po, write_po

    with open(path, "rb") as handle:
        catalog = read_po(handle)
    filled = 0
    for message in catalog:
        if message.id and not (message.string if isinstance(message.string, str) else all(message.string)):
            message.string = message.id
            filled += 1
    with open(path, "wb") as handle:
        write_po(handle, catalog, omit_header=False, no_location=True)
    return filled


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["--fill-english"]:
        print(f"{fill_english(sys.argv[2])} English messages filled")

"""Languages: every message of the emails and pages is translated in each catalog, the
compiled catalogs match their sources, and a page's language follows the visitor."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from quizsvc import i18n

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "quizsvc" / "translations"


def _key(message_id):
    return message_id if isinstance(message_id, str) else tuple(message_id)


def _catalog(locale: str, suffix: str = "po") -> dict:
    folder = TRANSLATIONS / locale / "LC_MESSAGES"
    with open(folder / f"messages.{suffix}", "rb") as handle:
        found = read_po(handle) if suffix == "po" else read_mo(handle)
    return {_key(m.id): m.string for m in found if m.id}


@pytest.mark.parametrize("locale", ["en", "zh_Hant", "zh_Hans"])
def test_compiled_catalogs_match_their_sources(locale):
    source = _catalog(locale)
    compiled = {key: tuple(value) if isinstance(value, list) else value for key, value in _catalog(locale, "mo").items()}
    assert {k: tuple(v) if isinstance(v, list) else v for k, v in source.items()} == compiled
    untranslated = [key for key, value in source.items() if not (value if isinstance(value, str) else all(value))]
    assert untranslated == [], "every message is translated"


def test_every_message_in_the_code_is_in_the_catalogs():
    """What babel.cfg extracts (the emails, the pages' views and templates) is what the catalogs hold."""
    method_map = [
        ("quizsvc/mail.py", "python"),
        ("quizsvc/web/**.py", "python"),
        ("quizsvc/web/templates/**.html", "jinja2"),
    ]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}
    wanted = {
        _key(message)
        for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map=method_map, keywords=keywords)
    }
    for locale in ("en", "zh_Hant", "zh_Hans"):
        assert set(_catalog(locale)) == wanted, locale


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("zh-TW,zh;q=0.9,en;q=0.8", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-Hant-TW", "zh-Hant"),
        ("zh-CN,zh;q=0.9", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("fr-FR,en-GB;q=0.8", "en"),
        ("de-DE", "en"),
        ("ja,zh-SG;q=0.5", "zh-Hans"),
    ],
)
def test_accept_language_picks_the_page_language(app, accept, expected):
    with app.test_request_context("/take", headers={"Accept-Language": accept}):
        assert i18n.page_language() == expected


def test_the_switch_wins_over_accept_language(client):
    switched = client.get("/lang/zh-Hans?next=/take%3Fn%3Dsaved")
    assert switched.status_code == 303 and switched.location == "/take?n=saved"
    cookie = switched.headers["Set-Cookie"]
    assert cookie.startswith(f"{i18n.COOKIE}=zh-Hans;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/take", headers={"Accept-Language": "en"})
    assert '<html lang="zh-Hans">' in page.get_data(as_text=True)
    assert "这个链接无法打开测验" in page.get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_the_switch_goes_back_on_this_site_only(client, target):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.status_code == 303 and response.location == "/take"


def test_an_unknown_language_changes_nothing(client):
    response = client.get("/lang/xx?next=/take")
    assert response.status_code == 303 and "Set-Cookie" not in response.headers

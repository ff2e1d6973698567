"""The interactive API docs at /docs render in a real browser, offline.

Swagger UI's JS and CSS come from the installed swagger-ui-bundle package (/docs/static/)
and the spec from /openapi.json: the page must need nothing but this server. The browser
is Debian's ``chromium`` (``apt-get install chromium``) driven through Playwright; a
missing browser fails the run, it is never skipped.
"""

import threading
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_app

HOST = "127.0.0.1"
# Schemes that never leave the page (inline images, generated downloads).
LOCAL_SCHEMES = {"data", "blob", "about"}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app served over real HTTP on a free port; /docs needs no migrated database."""
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('docs')}/docs.db")
    server = make_server(HOST, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="docs-live-server", daemon=True)
    thread.start()
    yield f"http://{HOST}:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.mark.browser
def test_docs_render_offline(live_server, browser, tmp_path):
    from playwright.sync_api import expect

    context = browser.new_context()
    page = context.new_page()
    requests, console_errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    # Anything leaving this server is refused at once (and still recorded above), so an
    # offline machine fails fast on it instead of waiting for a network timeout.
    context.route(
        lambda url: urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).hostname != HOST,
        lambda route: route.abort(),
    )
    try:
        response = page.goto(f"{live_server}/docs")
        assert response is not None and response.ok, response and response.status

        expect(page.locator(".swagger-ui .info .title")).to_contain_text("quizsvc")
        expect(page.locator(".opblock", has_text="/api/v1/questions").first).to_be_visible()
        page.wait_for_load_state("networkidle")

        foreign = [
            url for url in requests if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).hostname != HOST
        ]
        assert foreign == [], f"/docs reached beyond {HOST}: {foreign}"
        assert f"{live_server}/openapi.json" in requests
        assert any(url.startswith(f"{live_server}/docs/static/") for url in requests), requests
        assert console_errors == []

        screenshot = tmp_path / "docs.png"
        page.screenshot(path=screenshot, full_page=True)
        assert screenshot.stat().st_size > 0
    finally:
        context.close()

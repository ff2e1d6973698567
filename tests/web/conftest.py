"""What every browser test shares: Debian's chromium through Playwright, one live server,
screenshots at phone and desktop widths, and axe-core.

One browser and one served app (a migrated SQLite file, the fake embedder) for the whole
run: each test makes its own quizzes and attempts, so they do not see each other's data.
Screenshots go to tests/web/screenshots/ (ignored by git), written on every run.
axe-core is vendored in tests/web/assets/axe-core (see its README): injected into the page
under test through the DevTools protocol, so the page's own Content-Security-Policy, which
refuses inline scripts, stays in force.
"""

import hashlib
import os
import threading
from pathlib import Path

import pytest
from alembic import command
from werkzeug.serving import make_server

from quizsvc.cli import alembic_config
from quizsvc.db import db
from tests.conftest import AuthActions, make_app
from tests.interview import Interview, load_bank

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HOST = "127.0.0.1"
HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"
AXE = HERE / "assets" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
# Violations of these impacts fail a test; moderate and minor ones are reported, not failed.
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
            "(apt-get install -y chromium). CI installs it; install it locally too.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class Live:
    """The served app: its address, an API client on the same app, and the database."""

    def __init__(self, app, url: str):
        self.app = app
        self.url = url
        self.flow = Interview(app.test_client(), AuthActions(app))

    def path(self, absolute: str) -> str:
        """A link the app made (for host localhost) on the live server instead."""
        return self.url + absolute.split("localhost", 1)[1]


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('pages')}/pages.db", QUIZSVC_PUBLIC_URL=None)
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    load_bank(app, count=20)  # the whole seed bank: the page-weight test takes all of it
    server = make_server(HOST, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="pages-live-server", daemon=True)
    thread.start()
    yield Live(app, f"http://{HOST}:{server.server_port}")
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    db.engine(app).dispose()


@pytest.fixture(scope="session")
def axe_source() -> str:
    data = AXE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == AXE_SHA256, "tests/web/assets/axe-core/axe.min.js was changed"
    return data.decode("utf-8")


@pytest.fixture
def audit(axe_source):
    """``audit(page, name)``: axe-core on the page as it is; fails on a serious or critical violation."""

    def run(page, name: str) -> list[dict]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(axe_source)
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        blocking = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in BLOCKING
        ]
        if blocking:
            raise AssertionError(f"{name}: axe-core found serious or critical violations: " + "; ".join(blocking))
        others = sorted(f"{v['id']} ({v['impact']})" for v in result["violations"])
        print(f"\naxe-core {name}: 0 serious or critical; others: {', '.join(others) or 'none'}")
        return result["violations"]

    return run


@pytest.fixture
def shoot():
    """``shoot(page, name)``: full-page screenshots at phone and desktop widths, back to desktop after.
    ``scripts=False`` for a page without JavaScript (nothing can scroll it; it is at the top)."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def run(page, name: str, *, scripts: bool = True) -> None:
        for width, size in WIDTHS.items():
            page.set_viewport_size({"width": size[0], "height": size[1]})
            if scripts:
                page.evaluate("() => window.scrollTo(0, 0)")  # the sticky top bar where a reader first sees it
            page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
        page.set_viewport_size(dict(zip(("width", "height"), WIDTHS["desktop"])))

    return run


@pytest.fixture
def csp_errors():
    """Collects what the browser refused under the pages' Content-Security-Policy: must stay empty."""
    found = []

    def watch(page):
        page.on(
            "console",
            lambda message: found.append(message.text) if "Content Security Policy" in message.text else None,
        )
        return page

    watch.found = found
    return watch

"""A candidate takes a mock quiz in a real browser, from the invitation link to the score."""

import threading

import pytest
from alembic import command
from werkzeug.serving import make_server

from quizsvc.cli import alembic_config
from quizsvc.db import db
from tests.conftest import AuthActions, make_app
from tests.interview import Interview, load_bank

HOST = "127.0.0.1"


@pytest.fixture(scope="module")
def invitation(tmp_path_factory):
    """A served app with the seed bank's first three questions and one invitation."""
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('take')}/take.db", QUIZSVC_PUBLIC_URL=None)
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    load_bank(app, count=3)
    flow = Interview(app.test_client(), AuthActions(app))
    invited = flow.invite(flow.quiz(feedback_policy="mock", time_limit_minutes=30)["id"])
    server = make_server(HOST, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="take-live-server", daemon=True)
    thread.start()
    yield {**invited, "link": f"http://{HOST}:{server.server_port}/take?token={invited['token']}", "flow": flow}
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    db.engine(app).dispose()


@pytest.mark.browser
def test_candidate_takes_the_quiz_in_the_browser(browser, invitation, tmp_path):
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        page.goto(invitation["link"])
        expect(page.locator("#status")).to_contain_text("invited")
        assert page.url.endswith("/take")  # the token left the address bar (and the history)
        page.get_by_role("button", name="Start").click()
        expect(page.locator("#status")).to_contain_text("started")
        expect(page.locator("#q1")).to_be_visible()
        page.locator("#answer-1").fill("大型語言模型是用海量文本預訓練的 Transformer 模型，能理解和生成自然語言。")
        page.get_by_role("button", name="Save answer 1").click()
        expect(page.get_by_role("status")).to_have_text("Answer 1 saved.")
        expect(page.locator("#answer-1")).to_have_value(
            "大型語言模型是用海量文本預訓練的 Transformer 模型，能理解和生成自然語言。"
        )
        page.get_by_role("button", name="Submit all answers").click()
        expect(page.locator("#status")).to_contain_text("graded")
        assert "token" not in page.url
        expect(page.locator("#total")).to_contain_text("/ 100")
        expect(page.locator("#q1 .score")).to_contain_text("Score:")
        page.screenshot(path=tmp_path / "take.png", full_page=True)
    finally:
        page.close()
    detail = invitation["flow"].attempt(invitation["id"])
    assert detail["status"] == "graded"
    assert detail["responses"][0]["answer"].startswith("大型語言模型")

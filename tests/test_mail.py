"""Emails to candidates through a local SMTP server (aiosmtpd): invitations in the attempt's
language, sent by the queue, and reminders before an invitation expires."""

import email
import email.policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from babel.messages.extract import extract_from_file
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from quizsvc import jobs
from tests.integration import deliveries, run_queue
from tests.interview import move_clock
from tests.receiver import free_port

TRANSLATIONS = Path(__file__).resolve().parent.parent / "quizsvc" / "translations"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def inbox(app, monkeypatch):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setitem(app.config, "QUIZSVC_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    factory = app.extensions["quizsvc.db"]["sessionmaker"]
    monkeypatch.setitem(factory.kw["info"], "quizsvc.mail_enabled", True)
    yield handler
    controller.stop()


@pytest.mark.parametrize(
    "language, subject, opening",
    [
        ("zh-Hant", "您的面試測驗：LLM basics", "誠摯邀請您參加測驗「LLM basics」。"),
        ("zh-Hans", "您的面试测验：LLM basics", "诚挚邀请您参加测验「LLM basics」。"),
        ("en", "Your interview quiz: LLM basics", 'You are invited to take the quiz "LLM basics".'),
    ],
)
def test_the_invitation_is_emailed_in_its_language_and_its_link_opens_the_attempt(
    flow, app, client, inbox, language, subject, opening
):
    quiz = flow.quiz()
    invited = flow.invite(
        quiz["id"],
        candidate={"external_id": "m", "display_name": "王小明", "email": "wang@example.com"},
        language=language,
    )
    assert inbox.messages == []  # nothing is sent inside the request
    run_queue(app)
    [message] = inbox.messages
    assert (message["To"], message["Subject"]) == ("wang@example.com", subject)
    body = message.get_content()
    assert opening in body and "王小明" in body
    link = next(word for line in body.splitlines() for word in line.split() if "/take?token=qzl_" in word)
    token = link.split("token=")[1]
    assert "qza_" not in body and invited["token"] not in body  # the attempt's token never leaves in an email
    assert flow.start(token)["status"] == "started"
    [delivery] = [d for d in deliveries(app) if d.channel == "email"]
    assert delivery.status == "delivered"


def test_a_reminder_goes_once_before_the_invitation_expires(flow, app, inbox, monkeypatch):
    monkeypatch.setitem(app.config, "QUIZSVC_REMINDER_HOURS", 24)
    quiz = flow.quiz(link_valid_hours=72)
    body = {"external_id": "r", "display_name": "R", "email": "r@example.com"}
    invited = flow.invite(quiz["id"], candidate=body)
    run_queue(app)
    assert jobs.remind(app) == 0  # 72 hours left
    move_clock(app, invited["id"], hours=60)
    assert (jobs.remind(app), jobs.remind(app)) == (1, 0)
    run_queue(app)
    assert [m["Subject"] for m in inbox.messages] == [
        "Your interview quiz: LLM basics",
        "Reminder: your interview quiz LLM basics closes soon",
    ]


def test_without_smtp_no_email_is_queued(flow, app):
    flow.invite(flow.quiz()["id"], candidate={"external_id": "n", "display_name": "N", "email": "n@example.com"})
    assert [d for d in deliveries(app) if d.channel == "email"] == []


@pytest.mark.parametrize("locale", ["en", "zh_Hant", "zh_Hans"])
def test_compiled_catalogs_match_their_sources(locale, tmp_path):
    folder = TRANSLATIONS / locale / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as po, open(folder / "messages.mo", "rb") as mo:
        source, compiled = read_po(po), read_mo(mo)
    assert {m.id: m.string for m in source if m.id} == {m.id: m.string for m in compiled if m.id}
    assert all(m.string for m in source if m.id), "every message is translated"


def test_every_message_in_the_code_is_in_the_catalogs():
    wanted = {message for _, message, _, _ in extract_from_file("python", TRANSLATIONS.parent / "mail.py")}
    with open(TRANSLATIONS / "zh_Hant" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        assert wanted == {m.id for m in read_po(handle) if m.id}

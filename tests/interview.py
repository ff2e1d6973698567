"""Drive the interview flow through the API, for tests: a small bank, quizzes, attempts."""

from datetime import timedelta

from sqlalchemy import update

from quizsvc.bank.bank_file import read_bank
from quizsvc.db import db, utcnow
from quizsvc.models import Attempt
from quizsvc.services import accounts, bank

SEED = __import__("pathlib").Path(__file__).resolve().parent.parent / "seed" / "llm_interview_zh.yaml"


def load_bank(app, *, org: str = "acme", count: int = 6) -> list[dict]:
    """Import the first ``count`` seed questions into ``org``; returns them as imported."""
    _, items = read_bank(SEED)
    items = items[:count]
    with app.app_context():
        session = db.session
        organisation = accounts.get_or_create_organisation(session, name=org)
        bank.import_bank(session, organisation_id=organisation.id, items=items)
        session.commit()
    return items


class Interview:
    """API calls of the flow, asserting the status code each is expected to return."""

    def __init__(self, client, auth, org: str = "acme"):
        self.client = client
        self.auth = auth
        self.org = org

    def staff(self, role: str = "recruiter") -> dict:
        return self.auth.headers(role, org=self.org)

    @staticmethod
    def candidate(token: str) -> dict:
        return {"Authorization": f"Bearer {token}"}

    def question_ids(self) -> list[int]:
        response = self.client.get("/api/v1/questions?page_size=100", headers=self.staff("viewer"))
        assert response.status_code == 200
        return [q["id"] for q in response.get_json()]

    def quiz(self, expect: int = 201, **fields) -> dict:
        body = {"name": "LLM basics", "feedback_policy": "hiring", **fields}
        if "rule" not in body and "question_ids" not in body:
            body["question_ids"] = self.question_ids()[:3]
        response = self.client.post("/api/v1/quizzes", json=body, headers=self.staff())
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def invite(self, quiz_id: int, external_id: str = "cand-1", expect: int = 201, **fields) -> dict:
        body = {"quiz_id": quiz_id, "candidate": {"external_id": external_id, "display_name": "王小明"}, **fields}
        response = self.client.post("/api/v1/attempts", json=body, headers=self.staff())
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def start(self, token: str, expect: int = 200) -> dict:
        response = self.client.post("/api/v1/candidate/attempt/start", headers=self.candidate(token))
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def answer(self, token: str, position: int, text: str, expect: int = 200, **fields) -> dict:
        response = self.client.put(
            f"/api/v1/candidate/attempt/answers/{position}",
            json={"answer": text, **fields},
            headers=self.candidate(token),
        )
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def submit(self, token: str, expect: int = 200) -> dict:
        response = self.client.post("/api/v1/candidate/attempt/submit", headers=self.candidate(token))
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def attempt(self, attempt_id: int, role: str = "viewer") -> dict:
        response = self.client.get(f"/api/v1/attempts/{attempt_id}", headers=self.staff(role))
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def graded(self, quiz_id: int, answers: list[str], external_id: str = "cand-1") -> dict:
        """Invite, start, answer every question in order (from ``answers``), submit."""
        invited = self.invite(quiz_id, external_id=external_id)
        token = invited["token"]
        self.start(token)
        for position, text in enumerate(answers[: len(invited["questions"])], 1):
            self.answer(token, position, text)
        self.submit(token)
        return {**self.attempt(invited["id"]), "token": token}


def move_clock(app, attempt_id: int, **delta) -> None:
    """Shift an attempt's times into the past, as if ``delta`` had passed."""
    shift = timedelta(**delta)
    with app.app_context():
        session = db.session
        attempt = session.get(Attempt, attempt_id)
        values = {
            name: getattr(attempt, name) - shift
            for name in ("created_at", "expires_at", "started_at", "deadline")
            if getattr(attempt, name) is not None
        }
        session.execute(update(Attempt).where(Attempt.id == attempt_id).values(**values))
        session.commit()


def now():
    return utcnow()

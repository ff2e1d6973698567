"""The isolation matrix: every operation of the OpenAPI document, called on organisation A's data
with each of organisation B's keys (viewer, recruiter, admin) and with candidate tokens (an
attempt's token, and the token of an emailed invitation link).

An operation aimed at A's data (an id of A in the path or the body) must answer 404 or
403, whoever calls. An operation that only ever answers about the caller's own
organisation (lists, creations, who-am-I) may answer, but nothing of A may appear in it.
``MATRIX`` has one line per operation; an operation missing from it fails the test, so a
new operation is covered by adding its line.
"""

import base64
from dataclasses import dataclass

import pytest

from quizsvc import links
from tests.integration import invitation_token
from tests.interview import Interview, load_bank
from tests.spec import operations

# Strings that exist in organisation A only: any of them in B's answers is a leak.
A_QUIZ, A_CANDIDATE, A_NAME, A_ANSWER = "Acme-only quiz", "acme-only-candidate", "Acme Only", "acme only answer"


@dataclass(frozen=True)
class At:
    """Aimed at A's data: path ids are A's, and ``body(a)`` builds a body that names A's ids."""

    body: object = None
    query: object = None


@dataclass(frozen=True)
class Own:
    """Answers about the caller's own organisation only; ``body(a)`` and ``query(a)`` may name A's ids."""

    body: object = None
    query: object = None


MATRIX = {
    "getHealth": Own(),
    "getReadiness": Own(),
    "getMetrics": Own(),
    "listQuestions": Own(),
    "createQuestion": Own(body=lambda a: a["question_body"]),
    "getQuestion": At(),
    "updateQuestion": At(body=lambda a: a["question_content"]),
    "retireQuestion": At(),
    "listQuestionVersions": At(),
    "scoreAnswer": At(body=lambda a: {"question_id": a["question_id"], "answer": "x"}),
    "getGrader": Own(),
    "listQuizzes": Own(),
    "createQuiz": At(body=lambda a: {"name": "Q", "feedback_policy": "mock", "question_ids": [a["question_id"]]}),
    "getQuiz": At(),
    "archiveQuiz": At(),
    "openPractice": At(),
    "closePractice": At(),
    "getQuizReport": At(),
    "listAttempts": Own(query=lambda a: {"quiz_id": a["quiz_id"], "candidate_id": a["candidate_id"]}),
    "inviteCandidate": At(
        body=lambda a: {"quiz_id": a["quiz_id"], "candidate": {"external_id": "x", "display_name": "X"}}
    ),
    "getAttempt": At(),
    "cancelAttempt": At(),
    "reissueAttemptLink": At(),
    "regradeAttempt": At(body=lambda a: {"force": True}),
    "getAttemptResponse": At(),
    "overrideGrade": At(body=lambda a: {"score": 1, "reason": "r"}),
    "revokeOverride": At(),
    "listQuestionExamples": At(),
    "createQuestionExample": At(body=lambda a: {"answer": "b", "score": 1}),
    "deleteQuestionExample": At(),
    "getAttemptReport": At(),
    "getCandidateAttempt": Own(),
    "startCandidateAttempt": Own(),
    "saveCandidateAnswer": Own(body=lambda a: {"answer": "b"}),
    "submitCandidateAttempt": Own(),
    "listCandidates": Own(query=lambda a: {"external_id": A_CANDIDATE}),
    "getCandidate": At(),
    "getCandidateProgress": At(),
    "listKeys": Own(),
    "createKey": Own(body=lambda a: {"name": "b", "role": "viewer"}),
    "revokeKey": At(),
    "whoAmI": Own(),
    "importQuestionBank": Own(),
    "exportQuestionBank": Own(),
    "exportQuizResults": At(),
    "listWebhooks": Own(),
    "createWebhook": Own(body=lambda a: {"url": "http://127.0.0.1:9/b", "event_types": ["attempt.graded"]}),
    "getWebhook": At(),
    "updateWebhook": At(body=lambda a: {"enabled": False}),
    "deleteWebhook": At(),
    "rotateWebhookSecret": At(),
    "sendWebhookTest": At(),
    "listEvents": Own(query=lambda a: {"attempt_id": a["attempt_id"]}),
    "listDeliveries": Own(query=lambda a: {"subscription_id": a["subscription_id"]}),
    "getDelivery": At(),
    "redeliver": At(),
    "redeliverFailed": Own(body=lambda a: {"subscription_id": a["subscription_id"]}),
    "partnerListTests": Own(),
    "partnerSendTest": At(
        body=lambda a: {"partner_test_id": str(a["quiz_id"]), "candidate": {"email": "x@example.com"}}
    ),
    "partnerTestStatus": At(query=lambda a: {"partner_interview_id": str(a["attempt_id"])}),
    "listAuditEntries": Own(query=lambda a: {"target_id": a["attempt_id"]}),
    # A valid signed link opens its report for anyone who holds it (that is what it is for); a
    # link altered to point elsewhere opens nothing.
    "getSharedReport": At(),
}


@pytest.fixture
def organisations(app, client, auth, monkeypatch):
    """Organisation A with one of everything (a graded attempt too), and B's credentials."""
    monkeypatch.setitem(app.config, "QUIZSVC_WEBHOOK_ALLOW_PRIVATE", True)
    load_bank(app, org="acme", count=3)
    load_bank(app, org="globex", count=3)
    a, b = Interview(client, auth, org="acme"), Interview(client, auth, org="globex")
    subscription = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/a"}, headers=a.staff("admin"))
    quiz = a.quiz(name=A_QUIZ)
    graded = a.graded(quiz["id"], [A_ANSWER] * 3, external_id=A_CANDIDATE)
    # An open attempt too (its token is one of the credentials); the name follows the latest invitation.
    invited = client.post(
        "/api/v1/attempts",
        json={"quiz_id": quiz["id"], "candidate": {"external_id": A_CANDIDATE, "display_name": A_NAME}},
        headers=a.staff(),
    ).get_json()
    question = client.get(f"/api/v1/questions/{quiz['question_ids'][0]}", headers=a.staff("viewer")).get_json()
    content = {k: question[k] for k in ("prompt", "category", "difficulty", "language", "tags", "references")}
    # A reviewed example (its answer is A's only) and an override, which makes another.
    example = client.post(
        f"/api/v1/questions/{question['id']}/examples", json={"answer": A_ANSWER, "score": 5}, headers=a.staff()
    ).get_json()
    override = client.post(
        f"/api/v1/attempts/{graded['id']}/responses/1/overrides", json={"score": 5, "reason": "r"}, headers=a.staff()
    ).get_json()["override"]
    ids = {
        "question_id": question["id"],
        "quiz_id": quiz["id"],
        "attempt_id": graded["id"],
        "candidate_id": invited["candidate"]["id"],
        "key_id": client.get("/api/v1/me", headers=a.staff("admin")).get_json()["key_id"],
        "position": 1,
        "example_id": example["id"],
        "override_id": override["id"],
        "subscription_id": subscription.get_json()["id"],
        "delivery_id": client.get("/api/v1/deliveries", headers=a.staff("admin")).get_json()[0]["id"],
        "token": _altered(app, attempt_id=graded["id"]),
        "question_content": content,
        "question_body": {**content, "slug": "b-own-question"},
    }
    b_invited = b.invite(b.quiz()["id"], external_id="b-candidate")
    credentials = {
        "B viewer": b.auth.key("viewer", org="globex"),
        "B recruiter": b.auth.key("recruiter", org="globex"),
        "B admin": b.auth.key("admin", org="globex"),
        "B candidate token": b_invited["token"],
        "A candidate token": invited["token"],
        "A invitation link": invitation_token(app, invited["id"]),
    }
    return {"a": a, "ids": ids, "credentials": credentials, "attempt": graded}


def _altered(app, *, attempt_id: int) -> str:
    """A's signed report link with its signature's last character changed."""
    with app.test_request_context():
        token = links.report_token(attempt_id=attempt_id, organisation_id=1)
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def _headers(operation, secret: str) -> dict:
    """The credential as the operation takes it: HTTP Basic for the partner endpoints, else a bearer."""
    schemes = {name for requirement in operation.doc.get("security", []) for name in requirement}
    if "basicAuth" in schemes:
        return {"Authorization": "Basic " + base64.b64encode(f"{secret}:".encode()).decode()}
    return {"Authorization": f"Bearer {secret}"}


def test_every_operation_is_in_the_matrix(client):
    documented = {operation.id for operation in operations(client.get("/openapi.json").get_json())}
    assert documented - set(MATRIX) == set(), "operations with no line in MATRIX"
    assert set(MATRIX) - documented == set(), "MATRIX lines for operations that no longer exist"


def test_no_credential_of_another_organisation_reaches_its_data(client, organisations):
    spec = client.get("/openapi.json").get_json()
    ids = organisations["ids"]
    calls, failures = 0, []
    for operation in operations(spec):
        line = MATRIX[operation.id]
        candidate_api = operation.path.startswith("/api/v1/candidate/")
        for who, secret in organisations["credentials"].items():
            if candidate_api and who.startswith("A "):
                continue  # a token reaches its own attempt: nothing of another to aim it at
            body = line.body(ids) if line.body else None
            query = line.query(ids) if callable(line.query) else line.query
            response = client.open(
                operation.url(**{k: ids[k] for k in operation.path_parameters}),
                method=operation.method.upper(),
                json=body,
                query_string=query or None,
                headers=_headers(operation, secret),
            )
            calls += 1
            text = response.get_data(as_text=True)
            if isinstance(line, At):
                allowed = response.status_code in (403, 404)
            else:
                allowed = response.status_code < 500 and not any(
                    s in text for s in (A_QUIZ, A_CANDIDATE, A_NAME, A_ANSWER)
                )
            if not allowed:
                failures.append(f"{operation.id} with {who}: {response.status_code} {text[:200]}")
    assert failures == []
    # Every operation with 6 credentials, less the candidate API's calls with A's own tokens.
    assert calls == 6 * len(operations(spec)) - 2 * 4
    a = organisations["a"]
    detail = a.attempt(organisations["attempt"]["id"])
    # Only A's own override, still standing (nobody else overrode or revoked anything).
    overrides = [o for r in detail["responses"] for o in r["overrides"]]
    assert detail["status"] == "graded"
    assert [(o["id"], o["revoked_at"]) for o in overrides] == [(ids["override_id"], None)]
    assert a.client.get(f"/api/v1/quizzes/{ids['quiz_id']}", headers=a.staff()).get_json()["archived_at"] is None
    assert a.client.get(f"/api/v1/questions/{ids['question_id']}", headers=a.staff()).get_json()["version"] == 1
    assert a.client.get("/api/v1/me", headers=a.staff("admin")).status_code == 200

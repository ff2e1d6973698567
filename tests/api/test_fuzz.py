"""Fuzzing: schemathesis generates requests for every operation of /openapi.json, valid ones and
invalid ones, and sends them with an admin key to a live gunicorn on PostgreSQL.

Any server error, or any response off what the document says (status, media type,
headers, body schema), fails the test; every failure found is listed with the request
that reproduces it. Generation is derandomized: a run is repeatable.
"""

import base64
import collections
import time

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text

from quizsvc.db import db
from tests.conftest import AuthActions, make_app
from tests.interview import Interview, load_bank
from tests.live import gunicorn

# Cases per operation and generation mode; operations with few distinct inputs (no
# parameters) stop early, so the total is counted, not assumed.
EXAMPLES = 28
MINIMUM_CASES = 1500
# No server error, and every response as documented: status, media type, headers, body. (Not
# schemathesis's negative_data_rejection: the API ignores query parameters it does not know.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
# Far from the ids fuzzing tries first (1, 2, ... and 2^31-1): DELETE /keys/{id} must not revoke it.
ADMIN_KEY_ID = 1_900_000_000


@pytest.fixture(scope="module")
def server(empty_database):
    """gunicorn on a PostgreSQL schema with the seed bank, a quiz, attempts in every state, an admin key."""
    url = empty_database("postgresql")
    app = make_app(url)
    from alembic import command

    from quizsvc.cli import alembic_config

    with app.app_context():
        command.upgrade(alembic_config(), "head")
    load_bank(app, org="acme", count=6)
    flow = Interview(app.test_client(), AuthActions(app))
    quiz = flow.quiz()
    flow.graded(quiz["id"], ["自注意力讓每個詞關注序列中所有其他詞"] * 3, external_id="graded")
    flow.start(flow.invite(quiz["id"], external_id="started")["token"])
    flow.invite(quiz["id"], external_id="invited")
    with app.app_context():
        db.session.execute(text(f"ALTER SEQUENCE api_keys_id_seq RESTART WITH {ADMIN_KEY_ID}"))
        db.session.commit()
    key = AuthActions(app).key("admin")
    db.engine(app).dispose()
    limits = {
        "QUIZSVC_RATELIMIT_API_KEY": "100000 per minute",
        "QUIZSVC_RATELIMIT_AUTH_FAILURES": "100000 per minute",
    }
    with gunicorn(url, workers=1, env=limits) as live:
        yield live, key


def _credentials(operation, key: str) -> dict:
    """The admin key as the operation takes it: HTTP Basic for the partner endpoints, else a bearer."""
    schemes = {name for requirement in operation.definition.raw.get("security", []) for name in requirement}
    if "basicAuth" in schemes:
        return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    return {"Authorization": f"Bearer {key}"}


def _run(operation, mode, base_url, key, tally) -> list[str]:
    failures = []
    headers = _credentials(operation, key)

    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # report what was found, without shrinking
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case):
        response = case.call(base_url=base_url, headers=headers, timeout=60)
        tally[mode.value, response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except schemathesis.errors.FailureGroup as group:
            failures.append(f"{operation.label} ({mode.value}): {group}")

    try:
        fuzz()
    except hypothesis.errors.Unsatisfiable:
        pass  # no input of this kind exists (invalid input for an operation that takes none)
    return failures


def test_fuzzing_every_operation_finds_no_server_error_and_no_response_off_the_document(server):
    live, key = server
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    headers = {"Authorization": f"Bearer {key}"}
    tally = collections.Counter()
    failures = []
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in MODES:
            failures += _run(operation, mode, live.url, key, tally)
    elapsed = time.monotonic() - started
    cases = sum(tally.values())
    statuses = collections.Counter()
    for (_, status), count in tally.items():
        statuses[status] += count
    print(
        f"\nschemathesis: {cases} cases over {len(operations)} operations in {elapsed:.0f} s; "
        f"statuses {dict(sorted(statuses.items()))}"
    )
    assert failures == [], "\n".join(failures[:20])
    assert statuses[500] == 0 and "Traceback" not in live.errors()
    assert len(operations) >= 35 and cases >= MINIMUM_CASES
    # Valid requests always carried a live admin key (only invalid ones drop it on purpose):
    # fuzzing DELETE /keys/{id} did not revoke it halfway.
    assert tally["positive", 401] == 0
    assert requests.get(f"{live.url}/api/v1/me", headers=headers, timeout=10).status_code == 200


def test_the_http_server_keeps_out_of_the_apis_way(server):
    live, key = server
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "k" * 255}
    # The longest question search the document allows, every filter at its limit and
    # percent-encoded at 12 bytes a character, is served by the API, not refused by gunicorn.
    longest = {
        "q": "\U00020000" * 200,
        "category": "\U00020000" * 100,
        "tag": "t" * 50,
        "language": "zh-abcdefgh-abcdefgh",
        "slug": "s" * 100,
        "include_retired": "false",
        "page": "1000000",
        "page_size": "100",
    }
    response = requests.get(f"{live.url}/api/v1/questions", params=longest, headers=headers, timeout=30)
    assert response.status_code == 200 and response.json() == []
    # A chunked body over the limit is a 413 in the envelope (gunicorn passes it on unsized).
    chunks = (b'{"name": "' + b"x" * 65536 for _ in range(20))
    response = requests.post(
        f"{live.url}/api/v1/quizzes",
        data=chunks,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413 and response.json()["code"] == 413
    # Beyond gunicorn's own limits, gunicorn answers (documented in the API's description).
    too_long = requests.get(f"{live.url}/api/v1/questions?q={'x' * 9000}", headers=headers, timeout=30)
    assert too_long.status_code == 414
    many = {f"X-Header-{n}": "x" for n in range(101)}
    assert requests.get(f"{live.url}/healthz", headers=many, timeout=30).status_code == 431

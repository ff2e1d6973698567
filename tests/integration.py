"""Helpers for the integration tests: subscriptions, running the in-process queue."""

from sqlalchemy import select, update

from quizsvc.db import db, utcnow
from quizsvc.models import Delivery
from quizsvc.queue import queue


def subscribe(client, headers, url: str, **fields) -> dict:
    response = client.post("/api/v1/webhooks", json={"url": url, **fields}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def run_queue(app) -> int:
    """Run what the queue holds now, as a consumer would (tasks wait in memory in tests)."""
    return queue.run_pending(app)


def make_due(app) -> None:
    """Bring every pending retry forward to now, then dispatch and run them."""
    with app.app_context():
        db.session.execute(update(Delivery).where(Delivery.status == "pending").values(next_attempt_at=utcnow()))
        db.session.commit()
    app.extensions["quizsvc.queue"]["tasks"]["dispatch"].call_local()
    run_queue(app)


def deliveries(app) -> list[Delivery]:
    with app.app_context():
        return list(db.session.scalars(select(Delivery).order_by(Delivery.id)))


def invitation_token(app, attempt_id: int) -> str:
    """The token an invitation email carries for the attempt."""
    from quizsvc import links
    from quizsvc.models import Attempt

    with app.app_context():
        row = db.session.get(Attempt, attempt_id)
        return links.invitation_token(attempt_id=row.id, token_hash=row.token_hash)

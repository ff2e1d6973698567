"""The grading extension (quizsvc/grading.py): graders per parameter file, shared by request threads."""

from quizsvc.db import db
from quizsvc.grading import grading


class GrowingDict(dict):
    """A graders dict that another request thread adds to while this one iterates over it."""

    def items(self):
        for item in super().items():
            self[f"added after {item[0]}"] = item[1]
            yield item


def test_a_grader_is_found_while_another_thread_adds_one(app):
    with app.app_context():
        state = app.extensions["quizsvc.grading"]
        first = grading.grader()
        state["graders"] = GrowingDict(state["graders"])
        # Iterating the live dict would raise "dictionary changed size during iteration".
        assert grading.grader_for(db.session, organisation_id=1) is first
        assert grading.grader() is first

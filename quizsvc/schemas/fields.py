"""The fields every input schema is made of: text a database can store, numbers that fit their column.

PostgreSQL refuses NUL in text, and a lone surrogate (``"\\ud800"`` in JSON) cannot be
encoded as UTF-8 at all, so either would fail at the database. ``Text`` refuses them with
a 422 naming the field; ``Answer`` never refuses what a candidate pasted: it drops NUL and
replaces a lone surrogate with U+FFFD. Integer columns are 32-bit: ``Id`` refuses larger
values with a 422 instead of letting the database fail.
"""

import re

from marshmallow import fields, validate

# Integer columns (and ids) are 32-bit signed on PostgreSQL.
MAX_INT = 2**31 - 1
_NUL = "\x00"
_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> bool:
    return _NUL not in text and _SURROGATE.search(text) is None


def clean(text: str) -> str:
    """The text with NUL dropped and each lone surrogate replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text.replace(_NUL, ""))


class Text(fields.String):
    """A string the database can store; NUL or a lone surrogate is a validation error."""

    default_error_messages = {"unstorable": "Must not contain NUL or unpaired surrogate characters."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not storable(text):
            raise self.make_error("unstorable")
        return text


class Email(Text, fields.Email):
    """An email address the database can store."""


class Url(Text, fields.Url):
    """A URL the database can store."""


class Answer(fields.String):
    """A candidate's answer: what a paste carries is cleaned (see ``clean``), never refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        return clean(super()._deserialize(value, attr, data, **kwargs))


def Id(**kwargs) -> fields.Integer:  # noqa: N802 - used like a field class
    """A positive integer that fits an integer column: an id, a version number."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_INT), **kwargs)

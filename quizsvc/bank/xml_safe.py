"""Parsing XML from uploaded files: no DTDs, no entities from outside, no network; and the
characters XML can carry when writing it."""

from __future__ import annotations

import re

from lxml import etree

# XML 1.0 has no way to write these (C0 controls but tab and line ends, U+FFFE, U+FFFF),
# even escaped; a question may hold them (a vertical tab pasted from a word processor).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class XmlError(ValueError):
    """A document that is not well-formed XML; the message names the line."""


def parse_xml(data: bytes | str):
    """The root element of ``data``; entity declarations and external references are refused."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line = f"line {error.lineno}: " if error.lineno else ""
        raise XmlError(f"{line}not well-formed XML: {error.msg}") from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise XmlError("line 1: a DOCTYPE with declarations is not accepted")
    return root


def local(element) -> str:
    """An element's tag without its namespace ("" for comments and processing instructions)."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def xml_chars(value):
    """``value`` (text, or lists and dicts of it) without the characters XML cannot carry."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, dict):
        return {key: xml_chars(item) for key, item in value.items()}
    if isinstance(value, list):
        return [xml_chars(item) for item in value]
    return value

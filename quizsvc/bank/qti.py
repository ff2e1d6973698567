"""QTI 3.0: extended-text items in an IMS content package, both ways.

Read a package (zip with ``imsmanifest.xml``; every ``imsqti_item_xmlv3p0`` resource is
an item) or one ``qti-assessment-item`` document. An item with a
``qti-extended-text-interaction`` becomes a question; items with other interactions
are skipped and reported. The prompt is the item body's text outside rubric blocks and
interactions, with the interaction's ``qti-prompt``. Scoring data where present:
``qti-correct-response`` values are the references; a scorer's ``qti-rubric-block``
gives the reference (its text) when there is no correct response, and the key points
(its list items); ``qti-mapping`` entries are keywords (mapped value as weight). What is
missing is drawn by the seed rule. ``xml:lang`` gives the language; the manifest's LOM
gives the slug (general/identifier), tags (general/keyword), difficulty
(educational/difficulty) and category (classification), else the item identifier.

Write a package: ``imsmanifest.xml`` (an item bank, LOM metadata per item) and
``items/<identifier>.xml`` per question: the prompt in ``qti-prompt``, the first
reference as correct response and in a scorer rubric block, keywords as a mapping, and
a "quizsvc rubric" section (``rubric_lines``) in that rubric block.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from xml.sax.saxutils import escape

from lxml import etree

from quizsvc.bank.html_text import element_text, text_to_html
from quizsvc.bank.imported import Found
from quizsvc.bank.rubric_lines import RubricLineError, parse_rubric_lines, rubric_lines
from quizsvc.bank.xml_safe import XmlError, local, parse_xml

QTI = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
CP = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
LOM = "http://ltsc.ieee.org/xsd/LOM"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ITEM_XSD = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd"
CP_XSD = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd"
ITEM_TYPE = "imsqti_item_xmlv3p0"
RUBRIC_CLASS = "quizsvc-rubric"
SLUG_CATALOG = "quizsvc-slug"
CATEGORY_SOURCE = "quizsvc-category"
# LOM's difficulty vocabulary has five steps; quizsvc's three map onto its middle.
_TO_LOM = {"easy": "easy", "medium": "medium", "hard": "difficult"}
_FROM_LOM = {"very easy": "easy", "easy": "easy", "medium": "medium", "difficult": "hard", "very difficult": "hard"}
# A package is read in memory: its parts are bounded so a small zip cannot expand without end.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
_INTERACTION = re.compile(r"^qti-.*-interaction$")
_NOT_PROMPT = frozenset({"qti-rubric-block", "qti-extended-text-interaction"})


class QtiError(ValueError):
    """A QTI package or item that cannot be read; the message names the file and element."""


# -- reading ----------------------------------------------------------------------------


def _q(element, path: str):
    return element.find(path.replace("q:", f"{{{QTI}}}"))


def _all(element, path: str):
    return element.findall(path.replace("q:", f"{{{QTI}}}"))


def read_item(root, name: str, meta: dict | None = None) -> Found | str:
    """A Found question of one item, or what kind of item it is when it is not kept."""
    if local(root) != "qti-assessment-item" or etree.QName(root).namespace != QTI:
        namespace = etree.QName(root).namespace or "no namespace"
        where = f"{name}: " if name else ""
        raise QtiError(f"{where}line {root.sourceline}: <{local(root)}> in {namespace} is not a QTI 3.0 item")
    body = _q(root, "q:qti-item-body")
    interactions = [local(e) for e in (body.iter() if body is not None else []) if _INTERACTION.match(local(e))]
    if "qti-extended-text-interaction" not in interactions:
        return ", ".join(sorted(set(interactions))) or "no interaction"
    meta = meta or {}
    found = Found(
        location=f"{name + ', ' if name else ''}<qti-assessment-item> at line {root.sourceline}",
        prompt="",
        references=[],
        identifier=meta.get("slug") or root.get("identifier"),
        category=meta.get("category"),
        difficulty=meta.get("difficulty"),
        language=root.get(XML_LANG),
        tags=meta.get("tags", []),
        fields={"prompt": "qti-item-body", "references": "qti-correct-response"},
    )
    interaction = next(e for e in body.iter() if local(e) == "qti-extended-text-interaction")
    prompt_element = next((e for e in interaction if local(e) == "qti-prompt"), None)

    def prompt_text(bold: bool) -> str:
        outside = element_text(body, bold=bold, skip=_NOT_PROMPT)
        inside = element_text(prompt_element, bold=bold) if prompt_element is not None else ""
        return "\n\n".join(part for part in (outside, inside) if part)

    found.prompt = prompt_text(False)
    response_id = interaction.get("response-identifier")
    declaration = next(
        (d for d in _all(root, "q:qti-response-declaration") if d.get("identifier") == response_id), None
    )
    references = []
    if declaration is not None:
        references = [(v.text or "").strip() for v in _all(declaration, "q:qti-correct-response/q:qti-value")]
        for entry in _all(declaration, "q:qti-mapping/q:qti-map-entry"):
            try:
                weight = float(entry.get("mapped-value", "0"))
            except ValueError:
                raise QtiError(f"{found.location}: <qti-map-entry mapped-value>: not a number") from None
            if weight > 0 and (entry.get("map-key") or "").strip():
                term = entry.get("map-key").strip()
                found.keywords.append({"term": term, "aliases": [], "weight": min(weight, 10.0), "required": False})
    references = [r for r in references if r]
    marked = None
    for block in (b for b in body.iter() if local(b) == "qti-rubric-block"):
        if "scorer" not in (block.get("view") or "").split():
            continue
        lines = []
        for section in [e for e in block.iter() if RUBRIC_CLASS in (e.get("class") or "").split()]:
            lines += ["".join(node.itertext()) for node in section.iter() if local(node) in ("p", "li")]
            section.getparent().remove(section)
        if lines:
            try:
                found.rubric = parse_rubric_lines(lines)
            except RubricLineError as error:
                raise QtiError(f"{found.location}: <qti-rubric-block>: {error}") from None
        items = [e for e in block.iter() if local(e) == "li"]
        if found.rubric is None and items:
            found.key_points = [{"text": text, "weight": 1.0} for text in map(element_text, items) if text]
        if not references:
            # The rubric's prose is the reference; its list items are the key points.
            skip = frozenset({"ul", "ol"}) if items else frozenset()
            text = element_text(block, skip=skip)
            if text:
                references, marked = [text], [element_text(block, bold=True, skip=skip)]
    found.references = references
    if found.rubric is None:
        found.marked = [prompt_text(True), *(marked or references)]
    return found


def _lom_meta(resource) -> dict:
    lom = resource.find(f"{{{CP}}}metadata/{{{LOM}}}lom")
    if lom is None:
        return {}
    meta: dict = {"tags": []}
    for identifier in lom.iterfind(f"{{{LOM}}}general/{{{LOM}}}identifier"):
        if (identifier.findtext(f"{{{LOM}}}catalog") or "").strip() == SLUG_CATALOG:
            meta["slug"] = (identifier.findtext(f"{{{LOM}}}entry") or "").strip()
    for keyword in lom.iterfind(f"{{{LOM}}}general/{{{LOM}}}keyword/{{{LOM}}}string"):
        meta["tags"].append((keyword.text or "").strip())
    difficulty = (lom.findtext(f"{{{LOM}}}educational/{{{LOM}}}difficulty/{{{LOM}}}value") or "").strip()
    if difficulty in _FROM_LOM:
        meta["difficulty"] = _FROM_LOM[difficulty]
    for entry in lom.iterfind(f".//{{{LOM}}}taxonPath/{{{LOM}}}taxon/{{{LOM}}}entry/{{{LOM}}}string"):
        meta["category"] = (entry.text or "").strip()
    return meta


def _read_member(archive: zipfile.ZipFile, name: str, budget: list[int]) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise QtiError(f"imsmanifest.xml: <resource href={name!r}>: the package has no such file") from None
    budget[0] -= info.file_size
    if budget[0] < 0:
        raise QtiError(f"{name}: the package unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MiB")
    with archive.open(info) as handle:
        return handle.read(info.file_size + 1)


def read_qti(data: bytes) -> tuple[list[Found], list[str], str | None]:
    """Questions, skipped items and the bank's title of a QTI package or single item."""
    if data[:4] != b"PK\x03\x04" and not zipfile.is_zipfile(io.BytesIO(data)):
        try:
            root = parse_xml(data)
        except XmlError as error:
            raise QtiError(str(error)) from None
        if local(root) == "manifest":
            raise QtiError("imsmanifest.xml alone: upload the whole package as a zip file")
        item = read_item(root, "")
        return ([], [f"line {root.sourceline}: {item}"], None) if isinstance(item, str) else ([item], [], None)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise QtiError(f"not a readable zip file: {error}") from None
    budget = [MAX_UNPACKED_BYTES]
    with archive:
        try:
            manifest = parse_xml(_read_member(archive, "imsmanifest.xml", budget))
        except QtiError:
            raise QtiError("the package has no imsmanifest.xml at its top level") from None
        except XmlError as error:
            raise QtiError(f"imsmanifest.xml: {error}") from None
        if etree.QName(manifest).namespace != CP:
            raise QtiError(f"imsmanifest.xml: <manifest> is not in the QTI 3.0 content-package namespace {CP}")
        title = manifest.findtext(f"{{{CP}}}metadata/{{{LOM}}}lom/{{{LOM}}}general/{{{LOM}}}title/{{{LOM}}}string")
        found, skipped = [], []
        for resource in manifest.iterfind(f"{{{CP}}}resources/{{{CP}}}resource"):
            if resource.get("type") != ITEM_TYPE:
                continue
            href = posixpath.normpath(resource.get("href") or "")
            if not resource.get("href") or href.startswith(("..", "/")):
                where = f"imsmanifest.xml: line {resource.sourceline}: <resource href>"
                raise QtiError(f"{where}: missing or outside the package")
            try:
                root = parse_xml(_read_member(archive, href, budget))
            except XmlError as error:
                raise QtiError(f"{href}: {error}") from None
            item = read_item(root, href, _lom_meta(resource))
            if isinstance(item, str):
                skipped.append(f"{href}: {item}")
            else:
                found.append(item)
    return found, skipped, (title or "").strip() or None


# -- writing ----------------------------------------------------------------------------


def identifier_of(slug: str) -> str:
    """An XML identifier for a slug (an NCName cannot start with a digit or a hyphen)."""
    return slug if slug[0].isalpha() else f"q-{slug}"


def _qti(parent, tag: str, text: str | None = None, **attrs):
    element = etree.SubElement(parent, f"{{{QTI}}}{tag}", {k.replace("_", "-"): v for k, v in attrs.items()})
    element.text = text
    return element


def _html(parent, markup: str) -> None:
    """Append XHTML (in the QTI namespace, as the XSD has it) parsed from ``markup``."""
    wrapper = etree.fromstring(f'<div xmlns="{QTI}">{markup}</div>')
    for child in wrapper:
        parent.append(child)


def item_xml(question: dict) -> bytes:
    item = etree.Element(
        f"{{{QTI}}}qti-assessment-item",
        nsmap={None: QTI, "xsi": XSI},
        attrib={
            f"{{{XSI}}}schemaLocation": f"{QTI} {ITEM_XSD}",
            "identifier": identifier_of(question["slug"]),
            "title": " ".join(question["prompt"].split())[:200],
            "adaptive": "false",
            "time-dependent": "false",
            XML_LANG: question["language"],
        },
    )
    declaration = _qti(
        item, "qti-response-declaration", identifier="RESPONSE", cardinality="single", base_type="string"
    )
    _qti(_qti(declaration, "qti-correct-response"), "qti-value", question["references"][0])
    entries, seen = [], set()
    for keyword in question.get("keywords", []):
        for name in [keyword["term"], *keyword.get("aliases", [])]:
            key = " ".join(name.split())
            if key and key.casefold() not in seen:
                seen.add(key.casefold())
                entries.append((key, keyword.get("weight", 1.0)))
    if entries:
        mapping = _qti(declaration, "qti-mapping", default_value="0")
        for key, weight in entries:
            _qti(mapping, "qti-map-entry", map_key=key, mapped_value=repr(float(weight)))
    _qti(item, "qti-outcome-declaration", identifier="SCORE", cardinality="single", base_type="float")
    body = _qti(item, "qti-item-body")
    rubric = _qti(_qti(body, "qti-rubric-block", use="scoring", view="scorer"), "qti-content-body")
    lines = rubric_lines(question, meta=())
    items = "".join(f"<li>{escape(line)}</li>" for line in lines[1:])
    _html(rubric, f'<div class="quizsvc-reference">{text_to_html(question["references"][0])}</div>')
    _html(rubric, f'<div class="{RUBRIC_CLASS}"><p>{escape(lines[0])}</p><ul>{items}</ul></div>')
    interaction = _qti(body, "qti-extended-text-interaction", response_identifier="RESPONSE")
    _html(_qti(interaction, "qti-prompt"), text_to_html(question["prompt"]))
    return etree.tostring(item, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _lom(parent, question: dict | None, title: str | None = None):
    lom = etree.SubElement(parent, f"{{{LOM}}}lom")
    general = etree.SubElement(lom, f"{{{LOM}}}general")

    def sub(parent_element, tag, text=None):
        element = etree.SubElement(parent_element, f"{{{LOM}}}{tag}")
        element.text = text
        return element

    if question is None:
        sub(sub(general, "title"), "string", title)
        return lom
    identifier = sub(general, "identifier")
    sub(identifier, "catalog", SLUG_CATALOG)
    sub(identifier, "entry", question["slug"])
    for tag in question.get("tags", []):
        sub(sub(general, "keyword"), "string", tag)
    difficulty = sub(sub(lom, "educational"), "difficulty")
    sub(difficulty, "source", "LOMv1.0")
    sub(difficulty, "value", _TO_LOM[question["difficulty"]])
    classification = sub(lom, "classification")
    purpose = sub(classification, "purpose")
    sub(purpose, "source", "LOMv1.0")
    sub(purpose, "value", "discipline")
    path = sub(classification, "taxonPath")
    sub(sub(path, "source"), "string", CATEGORY_SOURCE)
    sub(sub(sub(path, "taxon"), "entry"), "string", question["category"])
    return lom


def manifest_xml(name: str, questions: list[dict], hrefs: list[str]) -> bytes:
    manifest = etree.Element(
        f"{{{CP}}}manifest",
        nsmap={None: CP, "lom": LOM, "xsi": XSI},
        attrib={f"{{{XSI}}}schemaLocation": f"{CP} {CP_XSD}", "identifier": "quizsvc-bank"},
    )
    metadata = etree.SubElement(manifest, f"{{{CP}}}metadata")
    etree.SubElement(metadata, f"{{{CP}}}schema").text = "QTI Item Bank"
    etree.SubElement(metadata, f"{{{CP}}}schemaversion").text = "3.0.0"
    _lom(metadata, None, title=name)
    etree.SubElement(manifest, f"{{{CP}}}organizations")
    resources = etree.SubElement(manifest, f"{{{CP}}}resources")
    for question, href in zip(questions, hrefs):
        resource = etree.SubElement(
            resources, f"{{{CP}}}resource", identifier=identifier_of(question["slug"]), type=ITEM_TYPE, href=href
        )
        _lom(etree.SubElement(resource, f"{{{CP}}}metadata"), question)
        etree.SubElement(resource, f"{{{CP}}}file", href=href)
    return etree.tostring(manifest, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_qti(name: str, questions: list[dict]) -> bytes:
    hrefs = [f"items/{identifier_of(q['slug'])}.xml" for q in questions]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest_xml(name, questions, hrefs))
        for question, href in zip(questions, hrefs):
            archive.writestr(href, item_xml(question))
    return out.getvalue()

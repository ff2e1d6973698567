"""Bank-format fixtures: the hand-written sample files and the vendored QTI 3.0 schemas."""

import io
import zipfile
from pathlib import Path

import pytest

FILES = Path(__file__).resolve().parent / "files"
XSD = Path(__file__).resolve().parent / "xsd"


def zip_folder(folder: Path) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return out.getvalue()


@pytest.fixture(scope="session")
def qti_package() -> bytes:
    """The hand-written QTI 3.0 package (manifest, two essays, a choice item, an absent image)."""
    return zip_folder(FILES / "qti_package")


@pytest.fixture(scope="session")
def qti_schemas():
    """(item schema, manifest schema), compiled once: the item schema takes a few seconds."""
    from lxml import etree

    parser = etree.XMLParser(no_network=True)
    return tuple(
        etree.XMLSchema(etree.parse(str(XSD / name), parser))
        for name in ("imsqti_asiv3p0p1_v1p0.xsd", "imsqtiv3p0_imscpv1p2_v1p0.xsd")
    )

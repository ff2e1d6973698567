"""Who may import whom (STYLE.md section 2), read from the source with ast."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "quizsvc"

# Pure libraries take plain data and never reach back into the app.
APP = {
    "flask",
    "flask_smorest",
    "sqlalchemy",
    "marshmallow",
    "webargs",
    "quizsvc.models",
    "quizsvc.services",
    "quizsvc.schemas",
    "quizsvc.api",
    "quizsvc.db",
    "quizsvc.bank",
}

# package -> top-level modules (or quizsvc subpackages) it must never import
FORBIDDEN = {
    "scoring": APP,
    # Report rendering takes a report dict; the grader is not its business either.
    "reports": APP | {"quizsvc.scoring"},
    "models": {"flask", "flask_smorest", "marshmallow", "quizsvc.services", "quizsvc.api", "quizsvc.schemas"},
    "services": {"flask", "flask_smorest", "marshmallow", "webargs", "quizsvc.api", "quizsvc.schemas"},
    "schemas": {"flask", "sqlalchemy", "quizsvc.services", "quizsvc.api", "quizsvc.db"},
    "bank": {"flask", "sqlalchemy", "quizsvc.services", "quizsvc.api", "quizsvc.db"},
}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _violates(name: str, forbidden: set[str]) -> bool:
    return any(name == f or name.startswith(f + ".") for f in forbidden)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_forbidden_imports(package):
    offences = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in sorted((PACKAGE / package).rglob("*.py"))
        for name in sorted(_imports(path))
        if _violates(name, FORBIDDEN[package])
    ]
    assert offences == []


def test_views_do_not_query():
    # api/errors.py may name IntegrityError to map it to 409; nothing in api or web builds a query.
    offences = [
        f"{path.name} imports {name}"
        for package in ("api", "web")
        for path in sorted((PACKAGE / package).rglob("*.py"))
        for name in sorted(_imports(path))
        if _violates(name, {"sqlalchemy"}) and name != "sqlalchemy.exc"
    ]
    assert offences == []


def test_the_checker_catches_an_offence(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import flask\nfrom sqlalchemy.orm import Session\n")
    assert {n for n in _imports(bad) if _violates(n, FORBIDDEN["scoring"])} == {"flask", "sqlalchemy.orm"}

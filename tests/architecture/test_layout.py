"""The layout's rules, checked on the source (DESIGN.md "Layout"; the
import-linter contracts in pyproject.toml check the same layers with
transitive imports on every `make lint`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 300
MAX_VIEW_LINES = 25


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", _modules("credit"), ids=_rel)
def test_credit_imports_no_framework_database_stripe_or_shop(path: Path) -> None:
    assert not _imports(path) & {"flask", "flask_login", "sqlalchemy", "werkzeug", "stripe", "shop", "app"}


@pytest.mark.parametrize("path", _modules("shop/services") + _modules("shop/models"), ids=_rel)
def test_services_and_models_import_nothing_from_flask(path: Path) -> None:
    assert not _imports(path) & {"flask", "flask_login", "flask_wtf"}


@pytest.mark.parametrize("path", _modules("shop/services"), ids=_rel)
def test_services_never_commit_or_roll_back(path: Path) -> None:
    text = path.read_text()
    assert ".commit(" not in text and ".rollback(" not in text


@pytest.mark.parametrize("path", _modules("migrations/versions"), ids=_rel)
def test_migrations_import_no_live_code(path: Path) -> None:
    assert not _imports(path) & {"shop", "credit", "app", "seed"}


@pytest.mark.parametrize("path", _modules("shop"), ids=_rel)
def test_no_shop_module_is_longer_than_300_lines(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES


def _route_methods(fn: ast.FunctionDef) -> set[str] | None:
    """The HTTP methods of a view function (None when it is not a view)."""
    for d in fn.decorator_list:
        if isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in {"get", "post", "route"}:
            if d.func.attr != "route":
                return {d.func.attr.upper()}
            methods = next((k.value for k in d.keywords if k.arg == "methods"), None)
            return {e.value for e in methods.elts} if isinstance(methods, ast.List) else {"GET"}  # type: ignore[attr-defined]
    return None


def _views() -> list[tuple[str, ast.FunctionDef, set[str]]]:
    views = []
    for path in _modules("shop"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and (methods := _route_methods(node)) is not None:
                views.append((f"{_rel(path)}::{node.name}", node, methods))
    return views


@pytest.mark.parametrize(("name", "fn", "methods"), _views(), ids=[v[0] for v in _views()])
def test_view_functions_are_at_most_25_lines(name: str, fn: ast.FunctionDef, methods: set[str]) -> None:
    assert fn.end_lineno - fn.lineno + 1 <= MAX_VIEW_LINES  # type: ignore[operator]


@pytest.mark.parametrize(
    ("name", "fn", "methods"), [v for v in _views() if v[2] == {"GET"}], ids=[v[0] for v in _views() if v[2] == {"GET"}]
)
def test_get_views_never_commit(name: str, fn: ast.FunctionDef, methods: set[str]) -> None:
    assert "commit" not in ast.unparse(fn)


def test_there_are_views_to_check() -> None:
    assert len(_views()) > 20


@pytest.mark.parametrize("path", sorted((ROOT / "tests").rglob("*.py")), ids=_rel)
def test_no_test_module_imports_another_test_module_or_the_conftest(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tests."):
            leaf = node.module.rsplit(".", 1)[-1]
            assert node.module.startswith("tests.support"), f"{node.module}: import helpers from tests/support"
            assert not leaf.startswith("test_") and leaf != "conftest"

"""The tests follow the layout: every shared helper lives in tests/support/, conftest.py files hold
only fixtures and hooks, and no two test files share a name (pytest's rootdir-relative ids and a
reader's `-k`/`grep` would otherwise point at two places)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
SUPPORT = TESTS / "support"
# test_meta proves test_labs.py is parametrized over every lab by reading its marks: an
# introspection of a test, not a helper it borrows
INTROSPECTED = {("unit/test_meta.py", "tests.labs.test_labs")}


def _py_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "data" not in p.relative_to(TESTS).parts)


def _imported_tests_modules(path: Path) -> list[str]:
    """Every tests.* module the file imports (both `from tests.X import y` and `import tests.X`)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
        elif isinstance(node, ast.ImportFrom):  # relative: from . import x, from .x import y
            found.append("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.extend(a.name for a in node.names)
    return [m for m in found if m.startswith(".") or m == "tests" or m.startswith("tests.")]


def test_no_two_test_files_share_a_name():
    names = Counter(p.name for p in TESTS.rglob("test_*.py"))
    assert not [n for n, k in names.items() if k > 1], {
        n: sorted(str(p.relative_to(TESTS)) for p in TESTS.rglob(n))
        for n, k in names.items()
        if k > 1
    }


def test_helpers_are_imported_from_tests_support_only():
    wrong = []
    for path in _py_files():
        if SUPPORT in path.parents:
            continue
        rel = path.relative_to(TESTS).as_posix()
        for mod in _imported_tests_modules(path):
            if (
                not (mod == "tests.support" or mod.startswith("tests.support."))
                and (rel, mod) not in INTROSPECTED
            ):
                wrong.append(f"{rel} imports {mod}")
    assert not wrong, "shared test helpers belong in tests/support/:\n" + "\n".join(wrong)


def test_conftest_files_hold_only_fixtures_and_hooks():
    def is_fixture(fn: ast.FunctionDef) -> bool:
        return any("fixture" in ast.unparse(d) for d in fn.decorator_list)

    wrong = []
    for path in TESTS.rglob("conftest.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not (
                isinstance(node, ast.FunctionDef)
                and (is_fixture(node) or node.name.startswith("pytest_"))
            ):
                wrong.append(f"{path.relative_to(TESTS)}: {node.name}")
    assert not wrong, "a helper in a conftest.py belongs in tests/support/: " + ", ".join(wrong)

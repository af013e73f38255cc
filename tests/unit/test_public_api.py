"""The public API is what docs/writing-labs.md lists ("Public API and internals"), and each public
module's ``__all__`` names exactly that: a name added to one and not the other fails here."""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "writing-labs.md"
PUBLIC = ["proclab", "proclab.checks", "proclab.charts", "proclab.sched"]


def _listed() -> dict[str, set[str]]:
    """Each bullet '- `module` — `name`, ...' of the section: the module and the names it lists."""
    text = DOC.read_text()
    section = text.split("## Public API and internals", 1)[1].split("\n## ", 1)[0]
    bullets = re.findall(r"^- `.*(?:\n  .*)*", section, re.M)
    out = {}
    for bullet in bullets:
        module, *names = re.findall(r"`([^`]+)`", bullet)
        out[module] = {n for n in names if n.isidentifier()}
    return out


def test_the_doc_lists_the_public_modules():
    assert sorted(_listed()) == sorted(PUBLIC)


@pytest.mark.parametrize("module", PUBLIC)
def test_all_is_what_the_doc_lists(module):
    exported = set(importlib.import_module(module).__all__)
    listed = _listed()[module]
    assert exported == listed, {"in __all__ only": sorted(exported - listed),
                                "in the doc only": sorted(listed - exported)}


@pytest.mark.parametrize("module", PUBLIC)
def test_every_name_in_all_exists(module):
    mod = importlib.import_module(module)
    assert [n for n in mod.__all__ if not hasattr(mod, n)] == []


def test_no_module_imports_a_private_name_of_another():
    """A helper two modules share is public in the one that owns it (``sched.time_text``, once
    ``sched.jobs._num``); tests may look inside, the package may not."""
    import ast

    import proclab

    src = Path(proclab.__file__).parent
    found = []
    for path in sorted(src.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom):
                found += [f"{path.relative_to(src)}:{node.lineno} {a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
    assert found == []

"""The layers are folders, and the folders are a rule: a module imports only from its own
layer or the layers it may see. ``ui``, the lab model and the snapshot never import Docker."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import proclab

SRC = Path(proclab.__file__).parent
BASE = {
    "errors",
    "paths",
    "deadline",
    "threads",
    "jsonform",
    "__init__",
}  # proclab's own root modules: every layer may use them
PUBLIC = {"checks", "charts"}  # the lab-author API: thin re-exports of lab/
# what each package may import from proclab, besides itself and BASE
MAY_IMPORT = {
    "engine": set(),
    "snapshot": set(),
    "sched": set(),
    "homework": set(),
    "lab": {"snapshot"},
    "ui": {"lab", "snapshot", "sched"},
    "run": {"engine", "snapshot", "lab", "homework"},
    "explore": {"engine", "snapshot"},
    "doctor": {"engine", "snapshot", "lab"},
    "cli": {"engine", "snapshot", "lab", "run", "ui", "explore", "sched", "homework", "doctor"},
}
PACKAGES = set(MAY_IMPORT)


def _package_of(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imported(path: Path) -> list[tuple[int, str]]:
    """(line, top-level proclab part) of each import of proclab in a module."""
    tree = ast.parse(path.read_text(), str(path))
    pkg_parts = path.relative_to(SRC).parts[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("proclab."):
                    out.append((node.lineno, a.name.split(".")[1]))
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if node.module and node.module.startswith("proclab."):
                    out.append((node.lineno, node.module.split(".")[1]))
                elif node.module == "proclab":
                    out += [(node.lineno, a.name) for a in node.names]
                continue
            base = (
                list(pkg_parts[: len(pkg_parts) - (node.level - 1)])
                if node.level > 1
                else list(pkg_parts)
            )
            target = base + (node.module.split(".") if node.module else [])
            if target:
                out.append((node.lineno, target[0]))
            else:  # 'from . import x' at proclab's root, or 'from .. import x' to the root
                out += [(node.lineno, a.name) for a in node.names]
    return out


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)


def layer_violations() -> list[str]:
    problems = []
    for path in _modules():
        own = _package_of(path)
        if own not in PACKAGES:
            continue
        allowed = MAY_IMPORT[own] | {own} | BASE
        for line, part in _imported(path):
            if part not in allowed and part != "__version__":
                problems.append(f"{path.relative_to(SRC)}:{line} ({own}) imports proclab.{part}")
    return problems


def test_every_module_lives_in_a_layer():
    loose = [p.name for p in SRC.glob("*.py") if p.stem not in BASE | PUBLIC]
    assert not loose, f"modules outside any layer's folder: {loose}"
    assert {p.name for p in SRC.iterdir() if p.is_dir() and p.name != "__pycache__"} == PACKAGES


def test_no_module_imports_from_a_layer_above_it():
    assert layer_violations() == []


def test_the_rule_catches_a_docker_import_in_ui(tmp_path, monkeypatch):
    """The checker itself can fail: a ui module that imports the engine is named."""
    bad = SRC / "ui" / "_layer_probe_tmp.py"
    bad.write_text("from ..engine import client\nfrom proclab.run import runner\n")
    try:
        found = layer_violations()
    finally:
        bad.unlink()
    assert any("_layer_probe_tmp.py:1 (ui) imports proclab.engine" in p for p in found)
    assert any("_layer_probe_tmp.py:2 (ui) imports proclab.run" in p for p in found)


@pytest.mark.parametrize(
    "module",
    [
        "proclab.lab",
        "proclab.lab.spec",
        "proclab.lab.result",
        "proclab.lab.checking",
        "proclab.lab.questions",
        "proclab.lab.events",
        "proclab.lab.chart_data",
        "proclab.snapshot",
        "proclab.ui.narration",
        "proclab.ui.tables",
        "proclab.ui.tree",
        "proclab.ui.bar_charts",
        "proclab.ui.predictions",
        "proclab.ui.gantt",
        "proclab.checks",
        "proclab.charts",
        "proclab.sched",
    ],
)
def test_importing_the_model_and_the_ui_does_not_load_docker(module):
    code = f"import sys, {module}; print('docker' in sys.modules, 'psutil' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"], f"importing {module} loads docker or psutil: {out}"


def test_only_the_engine_imports_docker():
    for path in _modules():
        if _package_of(path) == "engine":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom) and node.level == 0
                    else []
                )
            )
            for n in names:
                assert n.split(".")[0] not in ("docker", "requests"), (
                    f"{path.relative_to(SRC)} imports {n}"
                )


def test_importing_the_engine_does_no_work():
    """No psutil call, no /proc/self/mountinfo read, no environment read at import time."""
    code = (
        "import builtins, os, psutil\n"
        "opened = []\n"
        "real = builtins.open\n"
        "builtins.open = lambda f, *a, **k: (opened.append(str(f)), real(f, *a, **k))[1]\n"
        "psutil.Process = None\n"
        "import proclab.engine, proclab.run.runner, proclab.cli\n"
        "print([f for f in opened if f.startswith('/proc')])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_checkpoint_protocol_is_defined_once():
    """labkit (inside the container) and the harness agree on the mark and the FIFO folder."""
    import importlib.util

    from proclab.paths import project_root
    from proclab.snapshot import protocol

    labkit = project_root() / "images" / "lab" / "labkit" / "__init__.py"
    spec = importlib.util.spec_from_file_location("labkit_under_test", labkit)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.CHECKPOINT_MARK == protocol.MARK
    assert mod.CHECKPOINT_DIR == protocol.FIFO_DIR
    dockerfile = (project_root() / "images" / "lab" / "Dockerfile").read_text()
    assert protocol.FIFO_DIR in dockerfile, "the lab image must create the FIFO folder"


MODULE_STATEMENTS = 270  # about the 330 hand-packed lines this rule first counted
FUNCTION_STATEMENTS = 55  # about 65 hand-packed lines


def _statements(node: ast.AST) -> int:
    return sum(1 for n in ast.walk(node) if isinstance(n, ast.stmt))


def test_modules_and_functions_stay_small():
    """Size in statements (logical lines), not physical ones: ruff format wraps a long call over
    many lines, and a formatter must not decide whether code is small."""
    big, long_fns = [], []
    for path in _modules():
        tree = ast.parse(path.read_text())
        if (size := _statements(tree)) > MODULE_STATEMENTS:
            big.append(f"{path.relative_to(SRC)} ({size} statements)")
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if (size := _statements(node) - 1) > FUNCTION_STATEMENTS:
                    long_fns.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name} ({size})")
    assert not big, f"modules over {MODULE_STATEMENTS} statements: {big}"
    assert not long_fns, f"functions over {FUNCTION_STATEMENTS} statements: {long_fns}"

"""No two modules in src/ share a base name: a traceback's file name, an editor's quick-open and a
reader's grep then point at one place (``charts.py`` was three modules once). A package's
``__init__``/``__main__`` are the package's, not names of their own."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import proclab

SRC = Path(proclab.__file__).parent
NOT_NAMES = {"__init__", "__main__"}


def test_no_two_modules_share_a_base_name():
    where: dict[str, list[str]] = defaultdict(list)
    for path in sorted(SRC.rglob("*.py")):
        if "__pycache__" not in path.parts and path.stem not in NOT_NAMES:
            where[path.stem].append(str(path.relative_to(SRC)))
    assert {name: paths for name, paths in where.items() if len(paths) > 1} == {}


def test_a_cli_module_is_not_named_like_a_layer():
    """``cli/sched.py`` beside ``sched/`` read as the simulator; a command group's module is
    ``cli/<group>_cmd.py`` (or any name that is not a package's)."""
    packages = {p.name for p in SRC.iterdir() if (p / "__init__.py").exists()}
    clashing = [p.name for p in (SRC / "cli").glob("*.py") if p.stem in packages]
    assert clashing == []

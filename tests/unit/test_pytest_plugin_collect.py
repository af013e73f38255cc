"""`pytest labs/` collects one item per check of every built-in lab (collection needs no Docker)."""

from __future__ import annotations

import subprocess
import sys

from proclab.checks import load_checks
from proclab.lab import spec as labspec
from proclab.paths import project_root


def test_pytest_labs_collects_one_item_per_check():
    root = project_root()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            str(root / "labs"),
        ],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    items = [ln for ln in out.stdout.splitlines() if "::" in ln]
    expected = 0
    for name in labspec.builtin_names():
        spec = labspec.resolve(name)
        checks = load_checks(spec.checks_file, name)
        expected += len(checks) + 1  # and one item for the runs themselves
        for c in checks:
            assert f"labs/{name}/scenario.py::{c.name}" in out.stdout, (
                f"{name}: {c.name} not collected"
            )
    assert len(items) == expected

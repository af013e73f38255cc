"""A small lab of a test's own: ``write_lab`` makes a lab folder in a temp dir with a unique
name, so its containers can be found by their ``proclab.lab`` label (``containers_of``) and
nobody else's are touched. ``HANG`` is a scenario that hangs after its first checkpoint."""
from __future__ import annotations

import textwrap
import uuid
from pathlib import Path

from proclab import engine

# A scenario that says it is about to hang, then blocks forever on a pipe nobody writes to.
HANG = """
    import os
    from labkit import checkpoint, say

    checkpoint("started")
    child = os.fork()
    if child == 0:
        os.read(os.pipe()[0], 1)          # a child that hangs too
    say("HANGING-NOW, child", child)
    os.read(os.pipe()[0], 1)
"""
HANG_TOML = """
    [settings]
    init = true
    timeout_s = {timeout}
"""


def write_lab(root: Path, stem: str, scenario: str, toml: str = "", checks: str | None = None) -> Path:
    path = root / f"{stem}-{uuid.uuid4().hex[:6]}"
    path.mkdir(parents=True)
    (path / "scenario.py").write_text(textwrap.dedent(scenario))
    if toml:
        (path / "lab.toml").write_text(textwrap.dedent(toml))
    if checks is not None:
        (path / "checks.py").write_text(textwrap.dedent(checks))
    return path


def containers_of(lab: str) -> list:
    """Every container (any state) of the lab with this name: found by label only."""
    # ignore_removed: a container the harness removes between the list and its inspect is gone, not an error
    return engine.client().containers.list(
        all=True, filters={"label": [engine.LABEL, f"{engine.LAB_LABEL}={lab}"]}, ignore_removed=True)

"""A small lab of a test's own: ``write_lab`` makes a lab folder in a temp dir with a unique
name, so its containers can be found by their ``proclab.lab`` label (``containers_of``) and
nobody else's are touched. ``HANG`` is a scenario that hangs after its first checkpoint."""

from __future__ import annotations

import textwrap
import time
import uuid
from collections.abc import Callable
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


def write_lab(
    root: Path, stem: str, scenario: str, toml: str = "", checks: str | None = None
) -> Path:
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
        all=True,
        filters={"label": [engine.LABEL, f"{engine.LAB_LABEL}={lab}"]},
        ignore_removed=True,
    )


def wait_hanging(
    labs: list[str], still_running: Callable[[], bool] = lambda: True, within_s: float = 240
) -> None:
    """Return once every named lab (a ``HANG`` scenario) has a running container with its resident
    probe in it: past its first checkpoint, and hanging. A CPU-timing lab elsewhere on the host
    may hold the lab lock for a while first; ``still_running`` is the harness being alive."""
    deadline = time.monotonic() + within_s
    while True:
        tops = [
            " ".join(" ".join(p) for p in c.top().get("Processes") or [])
            for lab in labs
            for c in containers_of(lab)
            if c.reload() or c.status == "running"
        ]
        # the resident probe starts before the scenario's go: a HANG scenario hangs once it and its child are there
        if len(tops) == len(labs) and all(
            "labkit.resident" in t and t.count("scenario.py") >= 2 for t in tops
        ):
            return
        assert time.monotonic() < deadline and still_running(), f"the labs never all hung: {tops}"

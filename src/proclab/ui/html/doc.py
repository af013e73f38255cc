"""What the page reads of a result: the one model (lab.result's LabResult, RunRecord and
CheckResult), a saved ``--json`` document read back by lab.document_read, and two things only
the page draws: a run's timeline and the checkpoints a check links to."""

from __future__ import annotations

import re
from typing import Any

from ...lab.document_read import read
from ...lab.result import CheckResult, LabResult, RunRecord
from . import timeline as tl


def report(d: dict[str, Any]) -> LabResult:
    """One lab's result document as its LabResult (``lab_docs`` first for a document of several)."""
    return read(d)


def timeline(run: RunRecord) -> tl.Timeline:
    """The run's timeline: its checkpoints' tables, and the kernel's record where there is one."""
    return tl.build(run.checkpoints, run.variant, run.kernel, run.duration_s)


QUOTED = re.compile(r"'([^']+)'")


def links(c: CheckResult, result: LabResult) -> list[tuple[str, str]]:
    """The checkpoints a check read (recorded by the runner), else those its words quote."""
    names: dict[str, list[str]] = {}
    for s in result.checkpoints:
        names.setdefault(s.name, []).append(s.run)
    if c.checkpoints:
        return [(run, name) for run, name in c.checkpoints if name in names]
    out: list[tuple[str, str]] = []
    for word in QUOTED.findall(f"{c.name} {c.detail}"):
        if word in names and (names[word][0], word) not in out:
            out.append((names[word][0], word))
    return out

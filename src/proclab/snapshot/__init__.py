"""The snapshot layer, pure (no Docker): the checkpoint protocol, the ``ps`` and ``top``
parsers, and the process table model a checkpoint's snapshot is made of.
"""

from __future__ import annotations

from .protocol import (
    FIFO_DIR,
    GO,
    MARK,
    Announcement,
    Line,
    LineSplitter,
    clean_surrogates,
    lines_from,
    parse_announcement,
)
from .ps import PsParseError, PsRow, parse_ps
from .table import ProbeInfo, Process, ProcessKey, ProcessMissing, Snapshot
from .top import TopParseError, TopRow, TopTasks, parse_rows, parse_tasks

__all__ = [
    "FIFO_DIR",
    "GO",
    "MARK",
    "Announcement",
    "Line",
    "LineSplitter",
    "clean_surrogates",
    "lines_from",
    "parse_announcement",
    "PsParseError",
    "PsRow",
    "parse_ps",
    "ProbeInfo",
    "Process",
    "ProcessKey",
    "ProcessMissing",
    "Snapshot",
    "TopParseError",
    "TopRow",
    "TopTasks",
    "parse_rows",
    "parse_tasks",
]

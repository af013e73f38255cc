"""What a lab run tells as it goes: the ``Observer`` interface.

The runner calls these; the UI's narrator (or nothing) listens. Living in the
lab model, not in the runner, lets the UI implement it without importing Docker.
"""
from __future__ import annotations

from typing import Any

from ..snapshot import Snapshot
from .result import ActionRecord, OutputLine, RunRecord
from .spec import LabSpec, Variant


class Observer:
    """What the runner tells as it goes. Subclass and override what you need."""

    def progress(self, line: str) -> None: ...
    def lab_started(self, spec: LabSpec) -> None: ...
    def run_started(self, spec: LabSpec, variant: Variant, settings: dict[str, Any]) -> None: ...
    def output(self, run: RunRecord, line: OutputLine) -> None: ...
    def checkpoint(self, run: RunRecord, snap: Snapshot) -> None: ...
    def action(self, run: RunRecord, record: ActionRecord) -> None: ...
    def run_finished(self, run: RunRecord) -> None: ...

"""What a lab run tells as it goes: the ``Observer`` interface.

The runner calls these; the UI's narrator (or nothing) listens. Living in the
lab model, not in the runner, lets the UI implement it without importing Docker.
"""

from __future__ import annotations

from typing import Protocol

from ..snapshot import Snapshot
from .records import ActionRecord
from .result import OutputLine, RunRecord
from .settings import Settings
from .spec import LabSpec, Variant


class Held(Protocol):
    """The container held still at a checkpoint, as a learner stepping through sees it
    (``proclab run --step``): the runner implements it, the UI calls it, neither imports the other."""

    lab: str
    checkpoint: str

    def shell(self) -> int: ...  # an interactive shell in the container; its exit code
    def top(self) -> str: ...  # top's text, now


class StoppedByLearner(Exception):
    """The learner ended the run at a pause (``q``, or no answer for too long); the container is removed."""

    def __init__(self, checkpoint: str, why: str):
        super().__init__(why)
        self.checkpoint, self.why = checkpoint, why


class Observer:
    """What the runner tells as it goes. Subclass and override what you need."""

    def progress(self, line: str) -> None: ...
    def lab_started(self, spec: LabSpec) -> None: ...
    def run_started(self, spec: LabSpec, variant: Variant, settings: Settings) -> None: ...
    def output(self, run: RunRecord, line: OutputLine) -> None: ...
    # the first `shown` lines were shown; what follows is kept (its last lines) and shown at the run's end
    def output_held(self, run: RunRecord, shown: int) -> None: ...
    # lines between the first and the last that were not kept (a flood)
    def output_dropped(self, run: RunRecord, lines: int, chars: int) -> None: ...
    def checkpoint(self, run: RunRecord, snap: Snapshot) -> None: ...
    def action(self, run: RunRecord, record: ActionRecord) -> None: ...
    def run_finished(self, run: RunRecord) -> None: ...
    # --step: hold the scenario at this checkpoint (after its snapshot) and call paused()
    def holds(self, checkpoint: str) -> bool:
        return False

    # the learner looks around; return to let the scenario go on, raise StoppedByLearner to end the run
    def paused(self, run: RunRecord, snap: Snapshot, held: Held) -> None: ...

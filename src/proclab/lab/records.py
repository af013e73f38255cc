"""What the harness did at a checkpoint: one typed record per kind of action.

Each serialises to the keys the ``--json`` document has always had; ``data`` gives
a lab's older checks the dict they were written against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..jsonform import JsonForm, JsonRecord


@dataclass
class ActionRecord(JsonRecord):
    """What the harness did at a checkpoint; each kind of action has its own record below.

    ``error`` is set (and the figures left out) when Docker refused the action. Each kind
    declares its two JSON forms: ``json_form`` (what was asked, then what it measured) and
    ``refused_form`` (what was asked, then the error).
    """

    json_form: ClassVar[JsonForm] = JsonForm(keys=("at", "do"))
    refused_form: ClassVar[JsonForm] = JsonForm(keys=("at", "do", "error"))

    at: str
    do: str = ""
    error: str | None = None

    def json_form_now(self) -> JsonForm:
        return self.refused_form if self.error else self.json_form

    @property
    def data(self) -> dict[str, Any]:
        """The record as the dict lab checks read before the records were typed (kept for their sake)."""
        d = self.to_dict()
        del d["at"], d["do"]
        return d


@dataclass
class StopRecord(ActionRecord):
    json_form = JsonForm(keys=("at", "do", "grace_s", "took_s", "exit_code"), merged="notes")
    refused_form = JsonForm(keys=("at", "do", "grace_s", "error"))

    do: str = "stop"
    grace_s: float = 10.0
    took_s: float | None = None
    exit_code: int | None = None
    notes: dict[str, Any] = field(
        default_factory=dict
    )  # more figures, from other producers (the doctor)


@dataclass
class KillRecord(ActionRecord):
    json_form = JsonForm(keys=("at", "do", "signal", "exit_code", "took_s"), merged="notes")
    refused_form = JsonForm(keys=("at", "do", "signal", "error"))

    do: str = "kill"
    signal: str = "SIGKILL"
    took_s: float | None = None
    exit_code: int | None = None  # None: it had not exited within the grace period
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass
class ExecRecord(ActionRecord):
    json_form = JsonForm(keys=("at", "do", "command", "exit_code", "stdout", "stderr", "took_s"))
    refused_form = JsonForm(keys=("at", "do", "command", "error"))

    do: str = "exec"
    command: tuple[str, ...] = ()
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    took_s: float | None = None


@dataclass
class ReleaseRecord(ActionRecord):
    do: str = "release"


@dataclass
class NotedRecord(ActionRecord):
    """An action proclab's runner does not perform (the doctor's exec that makes an orphan): its figures."""

    json_form = JsonForm(keys=("at", "do"), merged="notes")

    notes: dict[str, Any] = field(default_factory=dict)

"""What the harness did at a checkpoint: one typed record per kind of action.

Each serialises to the keys the ``--json`` document has always had; ``data`` gives
a lab's older checks the dict they were written against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ActionRecord:
    """What the harness did at a checkpoint; each kind of action has its own record below.

    ``error`` is set (and the figures left out) when Docker refused the action.
    """

    at: str
    do: str = ""
    error: str | None = None

    def figures(self) -> dict[str, Any]:
        """The action's own keys in the ``--json`` document (what was asked, then what it measured)."""
        return {}

    def asked(self) -> dict[str, Any]:
        return {}

    def to_dict(self) -> dict[str, Any]:
        body = {**self.asked(), "error": self.error} if self.error else self.figures()
        return {"at": self.at, "do": self.do, **body}

    @property
    def data(self) -> dict[str, Any]:
        """The record as the dict lab checks read before the records were typed (kept for their sake)."""
        d = self.to_dict()
        del d["at"], d["do"]
        return d


@dataclass
class StopRecord(ActionRecord):
    do: str = "stop"
    grace_s: float = 10.0
    took_s: float | None = None
    exit_code: int | None = None
    notes: dict[str, Any] = field(
        default_factory=dict
    )  # more figures, from other producers (the doctor)

    def asked(self) -> dict[str, Any]:
        return {"grace_s": self.grace_s}

    def figures(self) -> dict[str, Any]:
        return {
            "grace_s": self.grace_s,
            "took_s": self.took_s,
            "exit_code": self.exit_code,
            **self.notes,
        }


@dataclass
class KillRecord(ActionRecord):
    do: str = "kill"
    signal: str = "SIGKILL"
    took_s: float | None = None
    exit_code: int | None = None  # None: it had not exited within the grace period
    notes: dict[str, Any] = field(default_factory=dict)

    def asked(self) -> dict[str, Any]:
        return {"signal": self.signal}

    def figures(self) -> dict[str, Any]:
        return {
            "signal": self.signal,
            "exit_code": self.exit_code,
            "took_s": self.took_s,
            **self.notes,
        }


@dataclass
class ExecRecord(ActionRecord):
    do: str = "exec"
    command: tuple[str, ...] = ()
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    took_s: float | None = None

    def asked(self) -> dict[str, Any]:
        return {"command": list(self.command)}

    def figures(self) -> dict[str, Any]:
        return {
            "command": list(self.command),
            "exit_code": self.exit_code,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "took_s": self.took_s,
        }


@dataclass
class ReleaseRecord(ActionRecord):
    do: str = "release"


@dataclass
class NotedRecord(ActionRecord):
    """An action proclab's runner does not perform (the doctor's exec that makes an orphan): its figures."""

    notes: dict[str, Any] = field(default_factory=dict)

    def figures(self) -> dict[str, Any]:
        return dict(self.notes)

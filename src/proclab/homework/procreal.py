"""What the kernel showed while process-run's programs ran as real processes, beside the model.

Pure (no Docker): the harness hands in each checkpoint's data and the kernel's letter for each
worker's pid; this module lines them up with the simulation's tick and says where they differ.
Linux's ``R`` means running *or* runnable, so the model's RUNNING and READY both map to R;
BLOCKED maps to S (an interruptible sleep); DONE to gone (reaped: no longer in the table).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..jsonform import JsonForm, JsonRecord
from .procrun import BLOCKED, DONE, READY, RUNNING, Tick

GONE = "gone"
LETTER = {RUNNING: "R", READY: "R", BLOCKED: "S", DONE: GONE}
NOTE = (
    "The model has one process RUNNING and the rest READY; Linux's R means running or runnable, "
    "so every process that could run shows R."
)


def kernel_letter(sim_state: str) -> str:
    """What the kernel's table would say for a process in the model's ``sim_state``."""
    return LETTER[sim_state]


def sim_state(ticks: Sequence[Tick], tick: int, i: int) -> str:
    """Process i's state in the model at ``tick`` (1-based); DONE once the model has ended."""
    return ticks[tick - 1].states[i] if 1 <= tick <= len(ticks) else DONE


@dataclass(frozen=True)
class Observed:
    """One worker at one checkpoint."""

    name: str
    sim: str  # the model's state at the sample's tick
    kernel: str  # the kernel's letter: R S D Z ..., or gone
    phase: str  # the worker's own word for its step: start, cpu, io, done
    settled: bool  # in the same step before and after the snapshot (so in it throughout)
    reaped: bool  # the coordinator had waited for it: it cannot be in the table

    @property
    def expected(self) -> str:
        return kernel_letter(self.sim)

    @property
    def agrees(self) -> bool:
        return self.expected == self.kernel

    def reason(self) -> str:
        """Why the kernel's letter differs from the model's, in words shared by every process it
        fits (empty when they agree)."""
        k, e = self.kernel, self.expected
        if self.agrees:
            return ""
        if k == GONE:
            return "gone where the model still has it at work: sharing the CPU, the kernel finished it sooner"
        if e == GONE:
            if k == "Z":
                return "exited but not reaped yet (Z) where the model has it DONE: its parent reaps it next"
            return (
                "still in the table where the model has it DONE: sharing one CPU (and the host's load) "
                "it finished later than its ticks"
            )
        if k == "S":
            return (
                "asleep (S) where the model has it RUNNING or READY: its I/O started sooner (the kernel "
                "shares the CPU by time slices) or ended later (the device is held at each snapshot)"
            )
        if e == "S":
            return "R where the model has it BLOCKED: its I/O had not started yet, or had completed already"
        return f"{k} where the model expects {e}"

    def explain(self) -> str:
        """One line: this process, and why the kernel differs from the model (empty when they agree)."""
        return f"{self.name} is {self.reason()}" if not self.agrees else ""


@dataclass(frozen=True)
class Sample(JsonRecord):
    json_form = JsonForm(
        keys=(
            "name",
            "elapsed_ms",
            "tick",
            "sim",
            "expected",
            "kernel",
            "phases",
            "settled",
            "holder",
            "agree",
        )
    )

    name: str  # sample-N (a tick) or io-K-done-next (the device is about to complete I/O K)
    elapsed_ms: float  # since the workers were released
    tick: int  # the model's tick this moment falls in
    workers: tuple[Observed, ...]
    holder: int | None = None  # at io-K-done-next: the index of the worker asleep on that I/O

    @property
    def differences(self) -> list[Observed]:
        return [w for w in self.workers if not w.agrees]

    # one list per figure, a worker each (the --json columns)
    @property
    def sim(self) -> list[str]:
        return [w.sim for w in self.workers]

    @property
    def expected(self) -> list[str]:
        return [w.expected for w in self.workers]

    @property
    def kernel(self) -> list[str]:
        return [w.kernel for w in self.workers]

    @property
    def phases(self) -> list[str]:
        return [w.phase for w in self.workers]

    @property
    def settled(self) -> list[bool]:
        return [w.settled for w in self.workers]

    @property
    def agree(self) -> bool:
        return not self.differences


def sample_from(
    name: str,
    data: Mapping[str, Any],
    letters: Mapping[int, str],
    after: Sequence[Sequence[Any]] | None,
    ticks: Sequence[Tick],
    tick_ms: float,
) -> Sample:
    """A checkpoint's data (``names``, ``phases`` as [phase, step], ``reaped``, ``elapsed_ms``),
    the kernel's letter per pid (absent: gone) and the phases read after the snapshot."""
    elapsed = float(data["elapsed_ms"])
    tick = int(elapsed // tick_ms) + 1
    reaped = set(data.get("reaped", ()))
    workers = []
    for i, pid in enumerate(data["names"].values()):
        before = list(data["phases"][i])
        workers.append(
            Observed(
                name=f"PID {i}",
                sim=sim_state(ticks, tick, i),
                kernel=letters.get(int(pid), GONE),
                phase=before[0],
                settled=after is not None and list(after[i]) == before,
                reaped=i in reaped,
            )
        )
    holder = data.get("holder")
    return Sample(name, elapsed, tick, tuple(workers), None if holder is None else int(holder))


@dataclass(frozen=True)
class RealRun:
    """The kernel's side of one exercise: its samples and the real run's clock."""

    names: tuple[str, ...]
    samples: tuple[Sample, ...]
    tick_ms: float
    wall_ms: float  # from the release of the workers to the last one reaped
    paused_ms: float  # of which the coordinator (the device) was held at checkpoints
    exit_codes: Mapping[str, int]
    cpu: int | None = None  # the one CPU every worker was pinned to

    def facts(self) -> list[str]:
        """What the kernel must have shown whatever the timing; each entry is one that it did not."""
        bad = []
        for s in self.samples:
            for i, w in enumerate(s.workers):
                if s.holder == i and w.kernel != "S":
                    bad.append(
                        f"{s.name}: {w.name} sleeps on its reply, yet the kernel shows {w.kernel}, not S"
                    )
                if w.phase == "cpu" and w.settled and w.kernel != "R":
                    bad.append(
                        f"{s.name}: {w.name} spins (phase cpu throughout), yet the kernel shows {w.kernel}, not R"
                    )
                if w.reaped and w.kernel != GONE:
                    bad.append(
                        f"{s.name}: {w.name} was reaped, yet the kernel still shows it {w.kernel}"
                    )
        bad += [f"{name} never finished" for name in self.names if name not in self.exit_codes]
        bad += [
            f"{name} exited {code}, not 0" for name, code in self.exit_codes.items() if code != 0
        ]
        return bad

    def counts(self) -> dict[str, int]:
        """How many times each fact was put to the kernel."""
        ws = [w for s in self.samples for w in s.workers]
        return {
            "asleep_on_io": sum(s.holder is not None for s in self.samples),
            "spinning": sum(w.phase == "cpu" and w.settled for w in ws),
            "reaped": sum(w.reaped for w in ws),
        }

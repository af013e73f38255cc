"""Stepping through a lab (``proclab run --step``, ``proclab shell``): the narration stops at a
checkpoint and a one-line prompt lets the learner look around the frozen moment themselves.

Presentation only: the container is the runner's ``Held``; this module reads the
learner's lines and prints. The scenario stays blocked until ``paused`` returns.
"""

from __future__ import annotations

import select
import sys
from typing import IO

from rich.markdown import Markdown
from rich.panel import Panel
from rich.text import Text

from ..lab.events import Held, StoppedByLearner
from ..lab.lesson import paragraph_for
from ..lab.result import LabResult, RunRecord
from ..lab.spec import LabSpec
from ..snapshot import Snapshot
from .narration import Narrator

IDLE_S = 3600.0  # an unanswered pause ends the run: nobody is there, the lab lock is held
PROMPT = "⏸ {lab} @ {cp}: [c]ontinue [s]hell [t]op [l]esson [q]uit > "
HELP = "type c (or Enter) to continue, s for a shell, t for top, l for the lesson, q to quit"


class StepNarrator(Narrator):
    """The narrator, holding the run at every checkpoint (or at the ones named in ``breaks``)."""

    def __init__(
        self,
        breaks: frozenset[str] | None = None,
        *,
        stdin: IO[str] | None = None,
        idle_s: float = IDLE_S,
        **kw: object,
    ):
        super().__init__(**kw)  # type: ignore[arg-type]
        self.breaks, self.stdin, self.idle_s = breaks, stdin or sys.stdin, idle_s
        self.spec: LabSpec | None = None

    def lab_started(self, spec: LabSpec) -> None:
        self.spec = spec
        super().lab_started(spec)

    def holds(self, checkpoint: str) -> bool:
        return self.breaks is None or checkpoint in self.breaks

    def paused(self, run: RunRecord, snap: Snapshot, held: Held) -> None:
        while True:
            answer = self.ask(PROMPT.format(lab=held.lab, cp=held.checkpoint), held.checkpoint)
            if answer in ("", "c"):
                return
            if answer == "q":
                raise StoppedByLearner(held.checkpoint, f"quit at checkpoint '{held.checkpoint}'")
            if answer == "s":
                self.shell(held)
            elif answer == "t":
                self.c.print(
                    Text(held.top().rstrip(), style="dim"), soft_wrap=True
                )  # as top printed it
            elif answer == "l":
                self.lesson(held.checkpoint)
            else:
                self.c.print(Text(HELP, style="yellow"))

    def ask(self, prompt: str, checkpoint: str) -> str:
        """The learner's line, stripped and lower-cased; StoppedByLearner after idle_s or at end of input."""
        self.c.print(Text(prompt, style="bold cyan"), end="")
        self.c.file.flush()
        ready, _, _ = select.select([self.stdin], [], [], self.idle_s)
        if not ready:
            self.c.print()
            raise StoppedByLearner(
                checkpoint,
                f"no answer at the prompt for {self.idle_s / 60:.0f} minutes: the run "
                "was ended and its container removed",
            )
        line = self.stdin.readline()
        if not line:
            self.c.print()
            raise StoppedByLearner(checkpoint, "the terminal's input ended (Ctrl-D) at the prompt")
        return line.strip().lower()

    def shell(self, held: Held) -> None:
        self.c.print(
            Text(
                f"  a shell in the container at '{held.checkpoint}' (the process that announced it waits; "
                "others run on): try ps -eo pid,ppid,stat,cmd, pstree -p, top, cat /proc/PID/status; "
                "'exit' (or Ctrl-D) to come back",
                style="dim",
            )
        )
        code = held.shell()
        self.c.print(
            Text(
                f"  shell closed (exit {code}); the scenario is still held at '{held.checkpoint}'",
                style="dim",
            )
        )

    def lesson(self, checkpoint: str) -> None:
        para = paragraph_for(self.spec.path, checkpoint, self.lang) if self.spec else None
        if para is None:
            self.c.print(
                Text(
                    f"  the lesson marks no paragraph for '{checkpoint}' "
                    f"(a README marks one with <!-- checkpoint: {checkpoint} --> before it)",
                    style="dim",
                )
            )
        else:
            self.c.print(
                Panel(Markdown(para), border_style="cyan", title=checkpoint, title_align="left")
            )

    def verdict(self, result: LabResult) -> None:
        super().verdict(result)
        if self.breaks is not None and not any(
            cp.name in self.breaks for r in result.runs for cp in r.checkpoints
        ):
            reached = sorted({cp.name for r in result.runs for cp in r.checkpoints})
            self.c.print(
                Text(
                    f"note: the run never stopped: it reached no checkpoint named {', '.join(sorted(self.breaks))}"
                    f" (it reached: {', '.join(reached) or 'none'})",
                    style="yellow",
                )
            )


class ShellNarrator(StepNarrator):
    """``proclab shell``: straight into a shell at one checkpoint (the first, by default), then on."""

    def __init__(self, at: str | None, **kw: object):
        super().__init__(frozenset({at}) if at else None, **kw)  # type: ignore[arg-type]
        self.opened = False

    def holds(self, checkpoint: str) -> bool:
        return not self.opened and super().holds(checkpoint)

    def paused(self, run: RunRecord, snap: Snapshot, held: Held) -> None:
        self.opened = True
        self.shell(held)

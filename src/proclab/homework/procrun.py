"""Process states from CPU and I/O, tick by tick, in the model of OSTEP's process-run.py.

Each process is a program of instructions: ``c`` uses the CPU for a tick; ``i`` issues an I/O,
which takes a tick (``RUN:io``), then blocks the process for ``io_length`` ticks, after which
completing it takes a tick of its own (``RUN:io_done``) once the process runs again. One CPU.
``switch``: ``on-io`` (the default: switch to another process when the running one issues an
I/O) or ``on-end`` (only when it ends). ``io_done``: ``later`` (a process whose I/O completed
waits its turn) or ``immediate`` (it runs at once). Ties: the next READY process after the
current one, in order (round robin over the list), as process-run.py does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..errors import UsageError
from ..jsonform import JsonForm, JsonRecord

SWITCH = ("on-io", "on-end")
IO_DONE = ("later", "immediate")
# process-run.py's own spellings of -S and -I, accepted with the same meaning
OSTEP_WORDS = {
    "switch_on_io": "on-io",
    "switch_on_end": "on-end",
    "io_run_later": "later",
    "io_run_immediate": "immediate",
}
RUNNING, READY, BLOCKED, DONE = "RUNNING", "READY", "BLOCKED", "DONE"


@dataclass
class Proc:
    code: list[str]  # "cpu", "io", "io_done" still to run
    state: str = READY
    io_ends: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Tick(JsonRecord):
    json_form = JsonForm(keys=("t", "states", "ran", "cpu", "ios"))

    t: int
    states: tuple[str, ...]  # RUNNING READY BLOCKED DONE, per process
    ran: str | None  # what the running process did: cpu, io, io_done (None: CPU idle)
    ios: int  # I/Os in flight
    io_completed: bool  # an I/O finished at this tick (process-run.py marks it '*')

    @property
    def cpu(self) -> int:
        """1 when the CPU ran something this tick, 0 when it was idle."""
        return int(self.ran is not None)

    def cells(self) -> list[str]:
        return [f"RUN:{self.ran}" if s == RUNNING and self.ran else s for s in self.states]


@dataclass(frozen=True)
class Totals(JsonRecord):
    total_time: int
    cpu_busy: int
    io_busy: int


def from_ostep(text: str) -> list[str]:
    """process-run.py's ``-P``: processes split by ``:``, each a list like ``c7,i,c1,i`` (c N: N
    CPU instructions; i: an I/O), as proclab's letter programs (``ccccccci`` ...)."""
    out = []
    for process in text.split(":"):
        letters = ""
        for item in process.split(","):
            if item[:1] == "i":
                letters += "i"
            elif item[:1] == "c" and item[1:].isdigit():
                letters += "c" * int(item[1:])
            else:
                raise UsageError(
                    f"program '{text}': in process-run.py's form each item is cN (N CPU "
                    f"instructions) or i (an I/O), not '{item}', e.g. c7,i,c1,i:c3"
                )
        out.append(letters)
    return out


def is_ostep_program(text: str) -> bool:
    """process-run.py's form has a number, a comma or a colon; proclab's is letters only."""
    return any(ch.isdigit() or ch in ",:" for ch in text)


def parse_process_list(text: str) -> list[tuple[int, float]]:
    """process-run.py's ``-l X1:Y1,X2:Y2``: X instructions, each CPU with chance Y %."""
    out = []
    for item in text.split(","):
        length, sep, pct = item.partition(":")
        try:
            out.append((int(length), float(pct)))
        except ValueError:
            raise UsageError(
                f"--processlist '{text}': write X:Y for each process (X instructions, "
                f"Y % chance each is CPU), e.g. 5:100,5:100; not '{item}'"
            ) from None
        if not sep:
            raise UsageError(
                f"--processlist '{text}': '{item}' has no ':Y' (the chance, 0 to 100, an instruction is CPU)"
            )
    return out


def parse_program(text: str) -> list[str]:
    """Letters to instructions; an empty program (process-run.py's ``-l 0:Y``) is done at its first turn."""
    if set(text) - {"c", "i"}:
        raise UsageError(
            f"program '{text}': write one letter per instruction, c (CPU) or i (I/O), e.g. cccic"
        )
    out: list[str] = []
    for ch in text:
        out += ["cpu"] if ch == "c" else ["io", "io_done"]
    return out


def generate(seed: int, processes: list[tuple[int, float]]) -> list[str]:
    """Programs drawn as process-run.py's ``-l X:Y,...`` draws them with the same ``-s`` seed:
    one generator for all processes in order; an instruction is CPU when ``random() < Y / 100``."""
    if not 1 <= len(processes) <= 20:
        raise UsageError(f"give 1 to 20 processes, not {len(processes)}")
    for length, pct in processes:
        if not 0 <= length <= 1000 or not 0 <= pct <= 100:
            raise UsageError(
                f"a process of {length} instructions at {pct:g}% CPU: "
                "give 0 to 1000 instructions and a chance of 0 to 100"
            )
    rng = random.Random(seed)
    return [
        "".join("c" if rng.random() < pct / 100.0 else "i" for _ in range(length))
        for length, pct in processes
    ]


class Machine:
    def __init__(self, programs: list[str], switch: str, io_done: str, io_length: int) -> None:
        if switch not in SWITCH or io_done not in IO_DONE:
            raise UsageError(
                f"--switch is one of {', '.join(SWITCH)}; --io-done one of {', '.join(IO_DONE)}"
            )
        if io_length < 0:
            raise UsageError(f"--io-length must be 0 or more, not {io_length}")
        self.procs = [Proc(parse_program(p)) for p in programs]
        self.switch, self.io_done, self.io_length = switch, io_done, io_length
        self.curr = 0
        self.procs[0].state = RUNNING

    def runnable(self) -> int:
        return sum(p.state in (READY, RUNNING) for p in self.procs)

    def next_proc(self, pid: int | None = None) -> None:
        if pid is not None:
            self.curr = pid
            self.procs[pid].state = RUNNING
            return
        n = len(self.procs)
        for k in [*range(self.curr + 1, n), *range(0, self.curr + 1)]:
            if self.procs[k].state == READY:
                self.curr = k
                self.procs[k].state = RUNNING
                return

    def done_check(self) -> None:
        p = self.procs[self.curr]
        if not p.code and p.state == RUNNING:
            p.state = DONE
            self.next_proc()

    def complete_ios(self, t: int) -> bool:
        done = False
        for pid, p in enumerate(self.procs):
            if t not in p.io_ends:
                continue
            done = True
            p.state = READY
            if self.io_done == "immediate":
                if self.curr != pid and self.procs[self.curr].state == RUNNING:
                    self.procs[self.curr].state = READY
                self.next_proc(pid)
            elif (self.switch == "on-end" and self.runnable() > 1) or self.runnable() == 1:
                self.next_proc(pid)
            self.done_check()
        return done

    def tick(self, t: int) -> Tick:
        completed = self.complete_ios(t)
        p = self.procs[self.curr]
        ran = p.code.pop(0) if p.state == RUNNING and p.code else None
        states = tuple(q.state for q in self.procs)
        ios = sum(1 for q in self.procs for end in q.io_ends if end > t)
        if ran == "io":
            p.state = BLOCKED
            p.io_ends.append(t + self.io_length + 1)
            if self.switch == "on-io":
                self.next_proc()
        self.done_check()
        return Tick(t, states, ran, ios, completed)


def simulate(
    programs: list[str], switch: str = "on-io", io_done: str = "later", io_length: int = 5
) -> tuple[list[Tick], Totals]:
    m = Machine(programs, switch, io_done, io_length)
    ticks: list[Tick] = []
    t = 0
    while any(p.state != DONE for p in m.procs):
        t += 1
        if t > 100_000:
            raise UsageError("the simulation did not end")
        ticks.append(m.tick(t))
    return ticks, Totals(t, sum(x.ran is not None for x in ticks), sum(x.ios > 0 for x in ticks))

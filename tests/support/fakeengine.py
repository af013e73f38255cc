"""A FAKE engine for unit tests of the run loop (``run/variant.py``): no Docker, no processes.

``FakeEngine.create`` returns a ``FakeContainer`` whose attach stream replays a script — output,
checkpoints in the real protocol (``snapshot/protocol.py``'s mark, FIFO folder and JSON), exits,
hangs and floods — and whose resident probe answers as labkit.resident does. A checkpoint holds
the script until the harness releases its FIFO, as labkit's checkpoint() blocks on the FIFO.
Hooks let a test break things at a chosen moment (a probe that dies, a scenario that exits
during a snapshot, a Ctrl-C). The real engine's tests under tests/labs/ stay: this fake proves
the run loop's logic, they prove the engine's behaviour.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from proclab.engine import ContainerSpec, ExecResult
from proclab.errors import ContainerError, ContainerGone
from proclab.snapshot.protocol import FIFO_DIR, GO, MARK

DOC = {"processes": [], "ps": "  PID TTY STAT TIME COMMAND\n", "probe_pids": [], "spread_ms": 0.0}


@dataclass(frozen=True)
class Print:
    """Bytes on a stream, exactly as given (no newline added): one read each."""

    text: str
    stream: str = "stdout"


@dataclass(frozen=True)
class Checkpoint:
    """labkit's checkpoint(): its announcement line, then the script waits for its release.
    ``cuts``: byte offsets where the line is split across reads."""

    name: str
    data: dict[str, Any] = field(default_factory=dict)
    cuts: tuple[int, ...] = ()


@dataclass(frozen=True)
class Exit:
    code: int = 0


@dataclass(frozen=True)
class Hang:
    """Prints nothing more and never ends (until the container is removed)."""


@dataclass(frozen=True)
class Flood:
    """Prints ``line`` forever, ``burst`` lines a read (until the container is removed)."""

    line: str = "progress"
    burst: int = 200


Step = Print | Checkpoint | Exit | Hang | Flood


def announcement(name: str, n: int, data: dict[str, Any] | None = None, pid: int = 1) -> str:
    """The line labkit prints for a checkpoint (the real protocol's mark and fields)."""
    body = {
        "name": name,
        "data": data or {},
        "pid": pid,
        "fifo": f"{FIFO_DIR}/cp-{n}",
        "top": False,
        "t": time.time(),
        "tid": pid,
    }
    return MARK + json.dumps(body) + "\n"


class FakeResident:
    """The resident probe: a hello, then one JSON answer per question, as labkit.resident."""

    def __init__(self, c: FakeContainer):
        self.c = c
        self.answers: queue.Queue[str] = queue.Queue()
        self.answers.put(json.dumps({"ready": True}))
        self.dead = False

    def send(self, line: str) -> None:
        self.c.asked.append(line)
        if self.c.on_probe is not None:
            self.c.on_probe(line)
        if self.dead:
            return
        # as labkit's probe: the answer is written before the release (once released, the
        # scenario may end, and the probe with it)
        words = line.split()
        if words[0] == "release":
            self.answers.put(json.dumps({"released": True}))
            self.c.release(words[1])
            return
        self.answers.put(json.dumps({**DOC, "resident_pids": [99]}))
        if "--release" in words:
            self.c.release(words[words.index("--release") + 1])

    def read_line(self, timeout: float) -> str:
        try:  # what it wrote before it ended is still read
            return self.answers.get(timeout=0 if self.dead else timeout)
        except queue.Empty:
            why = "its exec ended" if self.dead else "no answer"
            raise ContainerError("read from the probe in", self.c.name, why) from None

    def host_pid(self) -> int:
        return 0

    def close(self) -> None:
        self.dead = True


class FakeContainer:
    """A container whose scenario is a script; see the module's docstring."""

    def __init__(self, spec: ContainerSpec, script: list[Step]):
        self.spec, self.script = spec, script
        self.id, self.name = f"fake-{spec.name}", spec.name
        self.on_probe: Callable[[str], None] | None = None  # called with each question asked
        self.on_start: Callable[[], None] | None = None
        self.on_remove: Callable[[], None] | None = None
        self.asked: list[str] = []
        self.started = threading.Event()
        self.exited = threading.Event()
        self.removed = threading.Event()
        self.released: set[str] = set()
        self.exit_code: int | None = None
        self.removals = 0
        self.execs: list[list[str]] = []
        self.resident: FakeResident | None = None
        self._changed = threading.Condition()

    # -- the scenario -------------------------------------------------------------
    def stream(self) -> Iterator[tuple[bytes | None, bytes | None]]:
        self.started.wait()
        yield from self._play([Checkpoint(GO)] + self.script)
        if self.exit_code is None:
            self.exit(0)

    def _play(self, steps: list[Step]) -> Iterator[tuple[bytes | None, bytes | None]]:
        for n, step in enumerate(steps):
            if self.removed.is_set() or self.exited.is_set():
                return
            if isinstance(step, Print):
                raw = step.text.encode()
                yield (raw, None) if step.stream == "stdout" else (None, raw)
            elif isinstance(step, Checkpoint):
                raw = announcement(step.name, n, step.data).encode()
                edges = (0, *step.cuts, len(raw))
                for a, b in pairwise(edges):
                    yield raw[a:b], None
                fifo = f"{FIFO_DIR}/cp-{n}"
                self._wait_for(lambda fifo=fifo: fifo in self.released)
            elif isinstance(step, Exit):
                self.exit(step.code)
                return
            elif isinstance(step, Hang):
                self._wait_for(lambda: False)
                return
            elif isinstance(step, Flood):
                chunk = (step.line + "\n").encode() * step.burst
                while not self.removed.is_set():
                    yield chunk, None
                return

    def _wait_for(self, ready: Callable[[], bool]) -> None:
        with self._changed:
            self._changed.wait_for(lambda: ready() or self.removed.is_set() or self.exited.is_set())

    def release(self, fifo: str) -> None:
        with self._changed:
            self.released.add(fifo)
            self._changed.notify_all()

    def exit(self, code: int) -> None:
        """The scenario ends now (its resident probe with it)."""
        with self._changed:
            if self.exit_code is None:
                self.exit_code = code
            self.exited.set()
            if self.resident is not None:
                self.resident.dead = True
            self._changed.notify_all()

    # -- the engine's calls ---------------------------------------------------------
    def start(self) -> None:
        if self.on_start is not None:
            self.on_start()
        self.started.set()

    def status(self) -> str:
        if self.removed.is_set():
            return "removed"
        if self.exited.is_set():
            return "exited"
        return "running" if self.started.is_set() else "created"

    def state(self) -> dict[str, Any]:
        return {"Status": self.status(), "OOMKilled": False, "ExitCode": self.exit_code or 0}

    def wait(self, timeout: float) -> int:
        if not self.exited.wait(timeout):
            raise ContainerError("wait for", self.name, f"it did not exit within {timeout:.0f} s")
        assert self.exit_code is not None
        return self.exit_code

    def remove(self) -> None:
        self.removals += 1
        if self.on_remove is not None:
            self.on_remove()
        with self._changed:
            self.removed.set()
            self.started.set()  # a stream still waiting for the start ends too
            if self.exit_code is None:
                self.exit_code = 137  # the removal's SIGKILL
            self.exited.set()
            self._changed.notify_all()

    def host_pid(self) -> int:
        return 0

    def host_pids(self) -> dict[int, tuple[int, float]]:
        return {}

    def _running(self, what: str) -> None:
        if self.removed.is_set():
            raise ContainerGone(what, self.name, "No such container")
        if self.status() != "running":
            raise ContainerError(what, self.name, f"container {self.id} is not running")

    def exec_attached(self, cmd: list[str]) -> FakeResident:
        self._running("exec in")
        self.resident = FakeResident(self)
        return self.resident

    def exec_output(self, cmd: list[str], timeout: float = 120) -> tuple[bytes, bytes, str]:
        self._running("exec in")
        self.execs.append(cmd)
        if "--release" in cmd:
            self.release(cmd[cmd.index("--release") + 1])
        return json.dumps(DOC).encode(), b"", f"exec-{len(self.execs)}"

    def exec(self, cmd: list[str], user: str | None = None, timeout: float = 120) -> ExecResult:
        self._running("exec in")
        self.execs.append(cmd)
        if cmd[:3] == ["python3", "-m", "labkit.release"]:
            self.release(cmd[3])
        return ExecResult(0, b"", b"", 0.0)

    def exec_exit_code(self, exec_id: str) -> int | None:
        return 0

    def stop(self, timeout: float) -> None:
        self.exit(143)

    def kill(self, signal: str | int) -> None:
        self.exit(137)

    def exit_watch(self) -> Any:
        raise NotImplementedError("the fake does not watch exits: actions are tested for real")


class FakeEngine:
    """Makes FakeContainers from one script; remembers every container it made."""

    def __init__(self, script: list[Step], on_create: Callable[[], None] | None = None):
        self.script, self.on_create = script, on_create
        self.made: list[FakeContainer] = []
        self.prepare: Callable[[FakeContainer], None] = lambda c: None

    def create(self, spec: ContainerSpec) -> FakeContainer:
        if self.on_create is not None:
            self.on_create()
        c = FakeContainer(spec, self.script)
        self.prepare(c)
        self.made.append(c)
        return c

    def left(self) -> list[str]:
        """The containers it made that were never removed."""
        return [c.name for c in self.made if not c.removed.is_set()]

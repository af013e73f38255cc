"""A resident-probe question abandoned at the run's deadline (soak, Python 3.14, `pipes`): the
final snapshot must not read the abandoned question's late answer. A fake container stands in
for the engine here; tests/labs/test_probe_paths.py runs both probe paths for real."""

from __future__ import annotations

import json
import queue
import threading

import pytest

from proclab.deadline import call_within
from proclab.errors import CallTimeout
from proclab.run.probe import Prober
from proclab.snapshot import Snapshot

EXEC_DOC = {"processes": [], "ps": "  PID\n", "probe_pids": []}


class SlowResident:
    """Answers each question in order, but the first answer only once `late` is set."""

    def __init__(self) -> None:
        self.asked: queue.Queue[str] = queue.Queue()
        self.late = threading.Event()
        self.answered = 0

    def send(self, line: str) -> None:
        self.asked.put(line)

    def read_line(self, timeout: float) -> str:
        if self.answered == 0:
            first = self.asked.get()
            if first == "hello":
                self.answered += 1
                return json.dumps({"ready": True})
            self.asked.put(first)
        line = self.asked.get(timeout=timeout)
        if self.answered == 1:
            self.late.wait(timeout)
        self.answered += 1
        return json.dumps({"released": True, "answer_to": line})  # not a snapshot document

    def close(self) -> None:
        pass

    def host_pid(self) -> int:
        return 0


class FakeContainer:
    name = "proclab-fake"

    def __init__(self) -> None:
        self.resident = SlowResident()
        self.resident.send("hello")
        self.execs = 0

    def exec_attached(self, cmd: list[str]) -> SlowResident:
        return self.resident

    def exec_output(self, cmd: list[str]) -> tuple[bytes, bytes, str]:
        self.execs += 1
        return json.dumps(EXEC_DOC).encode(), b"", "exec-1"


def test_the_final_snapshot_does_not_read_an_abandoned_answer():
    c = FakeContainer()
    prober = Prober(c, path="resident")
    with pytest.raises(CallTimeout):
        call_within(0.2, "probe in", c.name, lambda: prober.snapshot(top=False, release_fifo=None))
    c.resident.late.set()  # the late answer arrives now, while the run times out
    got = prober.snapshot(top=True, release_fifo=None)
    assert got.path == "exec" and c.execs == 1, got
    assert "earlier answer was still owed" in got.note
    Snapshot.from_probe("timeout", {}, 1.0, 0, got.doc)  # a real document: it parses


def test_a_document_without_a_process_list_is_a_probe_error():
    from proclab.errors import ProbeError

    with pytest.raises(ProbeError, match="no process list"):
        Snapshot.from_probe("timeout", {}, 1.0, 0, {"released": True})

"""One variant's run: one container from create to remove, and the event loop that follows it."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar, cast

from .. import threads
from ..deadline import call_within
from ..engine import LabContainer, hostproc, hostview
from ..errors import CallTimeout, ContainerError, ContainerGone, ProclabError, SettingsRefused
from ..lab import exits
from ..lab.containment import Containment
from ..lab.events import Observer
from ..lab.outputstore import OutputStore
from ..lab.result import OutputLine, RunRecord
from ..lab.settings import Settings
from ..lab.spec import LabSpec, Variant
from ..snapshot import GO, Announcement, Snapshot, lines_from
from . import actions, held, probe, tracing
from .affinity import off_cpus
from .engine_api import DOCKER, Engine, RunContainer
from .lab_container import container_spec

_EOF = object()
T = TypeVar("T")


# Lines and checkpoints wait here for the main thread; a full queue holds the reader back
# (and the scenario with it) rather than the harness's memory growing.
QUEUE_MAX = 256
FINAL_SNAPSHOT_S = 5.0  # how long past the deadline the look at the timeout may take
READER_JOIN_S = 5.0


class VariantRun:
    """One container from create to remove; the event loop that follows it."""

    def __init__(
        self,
        spec: LabSpec,
        variant: Variant,
        image: str,
        observer: Observer,
        trace: bool = True,
        engine: Engine = DOCKER,
    ):
        self.spec, self.variant, self.image, self.obs = spec, variant, image, observer
        self.engine = engine  # DOCKER; a fake in the unit tests (tests/support/fakeengine.py)
        self.settings = spec.settings_for(variant)
        self.rec = RunRecord(
            variant=variant.name,
            settings=self.settings,
            expect_timeout=variant.expect_timeout,
            expect_exit=variant.expect_exit,
            containment=Containment.of(self.settings, spec.builtin),
            kernel=tracing.off(tracing.NO_GO if trace else tracing.OFF),
        )
        self.trace = trace
        self.ktrace: tracing.KernelTrace | None = None  # the kernel's record, from the go on
        self.events: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_MAX)
        self.store = OutputStore()
        self.closing = threading.Event()  # set at the deadline or the end: the reader stops
        self.container: RunContainer | None = None
        self.prober: probe.Prober  # made with the container
        self.t0 = 0.0
        self.deadline = 0.0
        self.host_seen: dict[int, float] = {}  # host pid -> create time (setting host_pids)

    def execute(self) -> RunRecord:
        # A lab that measures CPU time on CPUs of its own: the harness keeps off them meanwhile.
        with off_cpus(self.settings.cpuset_cpus if self.settings.exclusive else None):
            return self._execute()

    def _execute(self) -> RunRecord:
        self.obs.run_started(self.spec, self.variant, self.settings)
        cspec = container_spec(self.spec, self.variant, self.image, self.settings)
        self.rec.host["before"] = hostview.figures()
        with self._settings_refused():
            self.container = self.engine.create(cspec)
        self.prober = probe.Prober(self.container)
        self.rec.container = cspec.name
        reader: threading.Thread | None = None
        try:
            stream = self.container.stream()  # attach before start: no output is missed
            reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
            with self._settings_refused():
                self.container.start()
            self.t0 = time.monotonic()  # the timeout counts from the container's start
            self.rec.started_at = time.time()
            self.deadline = self.t0 + self.settings.timeout_s
            threads.start(reader)
            self._follow()
            self.rec.oom_killed = bool(self.rec.exit_code) and self._oom_killed()
            if self.host_seen and self.container.status() == "exited":
                self.rec.host_alive_after_exit = {
                    hp: hostproc.alive(hp, t) for hp, t in self.host_seen.items()
                }
        except SettingsRefused:
            raise
        except ProclabError as err:
            self.rec.error = str(err)
            self._exit_code_if_ended()
        finally:
            self.closing.set()
            self.rec.duration_s = time.monotonic() - self.t0 if self.t0 else 0.0
            self._end(self.container)
            if reader is not None and reader.is_alive():
                reader.join(READER_JOIN_S)  # removed, the container's stream ends
            self._take_output()
        self.rec.error = self.rec.error or exits.problem(
            self.rec
        )  # reads the output: after _take_output
        self.rec.host["after"] = hostview.figures(self.container.id)
        self.obs.run_finished(self.rec)
        return self.rec

    def _end(self, c: RunContainer) -> None:
        """Close the probe, remove the container, end the kernel's record. The container goes
        whatever interrupts this: a Ctrl-C while the probe closes, or during the removal itself."""
        try:
            try:  # a resident probe the scenario has stopped must not hold the end of the run
                call_within(FINAL_SNAPSHOT_S, "probe close in", c.name, self.prober.close)
            except ProclabError:
                pass
        finally:
            try:
                try:
                    c.remove()
                except KeyboardInterrupt:  # once more, then the Ctrl-C goes on
                    c.remove()
                    raise
            finally:  # the record's end (the removal's kills included); the tracer removes its instances
                trace, self.ktrace = self.ktrace, None
                if trace is not None:
                    self.rec.kernel = trace.stop()

    def _go(self, ann: Announcement) -> None:
        """labkit.boot waits here before the scenario: start the record and the resident probe, then go."""
        c = self.container
        assert c is not None
        self.ktrace, self.rec.kernel = tracing.begin(
            self.trace, c.host_pid, self.t0, self.obs.progress
        )
        self._bounded("probe start in", self.prober.start)
        if c.status() == "running":
            self._bounded("release in", lambda: self.prober.release(ann.fifo))

    def _exit_code_if_ended(self) -> None:
        """A call that failed because the scenario had ended (during a snapshot, say): the exit
        code is still the run's (found by the fake-engine tests: it was left out)."""
        c = self.container
        if c is not None and self.rec.exit_code is None and c.status() == "exited":
            try:
                self.rec.exit_code = c.wait(timeout=1.0)
            except ProclabError:
                pass

    def _oom_killed(self) -> bool:
        """The engine's word on the memory limit, read before the container is removed."""
        assert self.container is not None
        try:
            return bool(self.container.state().get("OOMKilled"))
        except ProclabError:
            return False

    @contextmanager
    def _settings_refused(self) -> Iterator[None]:
        """What Docker refuses creating or starting the container is the lab's settings' fault."""
        try:
            yield
        except ContainerGone:
            raise
        except ContainerError as err:
            chosen = {
                k: v for k, v in self.settings.to_dict().items() if v != Settings().to_dict()[k]
            }
            named = ", ".join(f"{k} = {v!r}" for k, v in chosen.items()) or "the defaults"
            raise SettingsRefused(
                f"lab '{self.spec.name}' variant '{self.variant.name}': Docker refused to "
                f"{err.operation} its container with {named}: {err.explanation}; "
                f"fix the settings in {self.spec.path / 'lab.toml'}"
            ) from err

    def _read(self, stream: Any) -> None:
        """The reader thread: every line into the bounded store; the first lines, and every
        checkpoint, to the main thread. Once the run is closing, what is left is read and
        dropped: the engine does not end a container whose attach stream nobody reads."""
        chunks = iter(stream)
        held = False
        try:
            for item in lines_from(self._until_closing(chunks)):
                seen = time.monotonic()
                if isinstance(item, Announcement):
                    self._put((seen, item))
                    continue
                line = OutputLine(item.stream, item.text, seen - self.t0)
                if self.store.add(line):
                    self._put((seen, line))
                elif not held:
                    held = True
                    self._put((seen, len(self.store.kept().head)))
            for _ in chunks:
                pass
        except Exception as err:  # the connection broke: the container is gone
            line = OutputLine(
                "stderr", f"(proclab: output stream ended: {err})", time.monotonic() - self.t0
            )
            if self.store.add(line):
                self._put((time.monotonic(), line))
        finally:
            self._put((time.monotonic(), _EOF))

    def _until_closing(self, chunks: Iterator[Any]) -> Iterator[Any]:
        for chunk in chunks:
            yield chunk
            if self.closing.is_set():
                return

    def _put(self, event: tuple[float, Any]) -> None:
        while not self.closing.is_set():
            try:
                self.events.put(
                    event, timeout=0.2
                )  # a bounded wait that notices the end of the run
                return
            except queue.Full:
                continue

    def _follow(self) -> None:
        assert self.container is not None
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                self._timeout()
                return
            try:
                seen, item = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if item is _EOF:
                break
            try:
                self._event(item, seen)
            except CallTimeout:  # a probe or an action was still busy at the deadline
                self._timeout()
                return
        if self.rec.exit_code is None:
            try:
                self.rec.exit_code = self.container.wait(
                    timeout=max(0.5, self.deadline - time.monotonic())
                )
            except ContainerError:
                if self.container.status() != "running":
                    raise
                self._timeout()  # its output closed, its processes did not end

    def _event(self, item: Any, seen: float) -> None:
        if isinstance(item, Announcement) and item.name == GO:
            self._go(item)
        elif isinstance(item, Announcement):
            self._checkpoint(item, seen)
        elif isinstance(item, OutputLine):
            self.obs.output(self.rec, item)
        else:  # the first lines are all kept and shown; the rest when the run ends
            self.obs.output_held(self.rec, int(item))

    def _bounded(self, what: str, fn: Callable[[], T]) -> T:
        """fn() within what is left of the run's time (CallTimeout at the deadline)."""
        assert self.container is not None
        return call_within(self.deadline - time.monotonic(), what, self.container.name, fn)

    def _take_output(self) -> None:
        """The run's kept output into its record; what was not shown live, shown now."""
        kept = self.store.kept()
        self.rec.output = kept.head + kept.tail
        self.rec.output_dropped_lines, self.rec.output_dropped_chars = (
            kept.dropped_lines,
            kept.dropped_chars,
        )
        self.rec.output_gap_at = len(kept.head) if kept.dropped_lines else None
        if kept.dropped_lines:
            self.obs.output_dropped(self.rec, kept.dropped_lines, kept.dropped_chars)
        for line in kept.tail:
            self.obs.output(self.rec, line)

    def _checkpoint(self, ann: Announcement, seen: float) -> None:
        assert self.container is not None
        c = self.container
        host_pids = self._host_pids() if self.settings.host_pids else {}
        todo = [a for a in self.variant.actions if a.at == ann.name]
        take_top = self.settings.top or ann.top
        hold = self.obs.holds(ann.name)  # a learner stepping through: released after the pause
        cid = c.id
        beside = (
            (lambda: hostview.figures(cid)) if self.settings.host_view else None
        )  # the host, while held
        got = self._bounded(
            "probe in",
            lambda: self.prober.snapshot(
                top=take_top,
                release_fifo=None if todo or hold else ann.fifo,
                beside=beside,
                held=f"{ann.pid}/{ann.tid}",
            ),
        )
        snap = Snapshot.from_probe(
            ann.name, ann.data, seen - self.t0, ann.pid, got.doc, run=self.variant.name
        )
        snap.overhead_ms = (time.monotonic() - seen) * 1000
        snap.probe = got.info(snap.overhead_ms)
        snap.host = got.beside or {}
        snap.host_pids = host_pids
        self.rec.checkpoints.append(snap)
        if (
            self.ktrace is not None
        ):  # the events until now, for the narration (the scenario is released)
            self.rec.kernel = self.ktrace.so_far()
        self.obs.checkpoint(self.rec, snap)
        if hold:  # the timeout counts the scenario's time, not the learner's
            # a learner's shell needs a real engine's terminal: holds come only from the CLI
            self.deadline += held.pause(
                self.obs,
                self.rec,
                snap,
                cast(LabContainer, c),
                self.prober,
                self.spec.name,
                self.settings.user,
            )
        for action in todo:
            try:
                record = self._bounded(
                    f"{action.do} at '{action.at}' in",
                    partial(actions.perform, c, action, ann, self.rec),
                )
            except CallTimeout as late:
                record = actions.REFUSED[action.do](
                    action,
                    f"{late.explanation}: the run's "
                    f"timeout ({self.settings.timeout_s} s) came first",
                )
                self.rec.actions.append(record)
                self.obs.action(self.rec, record)
                raise
            self.rec.actions.append(record)
            self.obs.action(self.rec, record)
        if (not todo and hold or todo and todo[-1].then == "release") and c.status() == "running":
            self._bounded("release in", lambda: self.prober.release(ann.fifo))

    def _host_pids(self) -> dict[int, int]:
        """Container pid -> host pid of each (non-zombie) process, seen from outside."""
        assert self.container is not None
        found = self.container.host_pids()
        self.host_seen.update(found.values())
        return {cpid: hpid for cpid, (hpid, _) in found.items()}

    def _timeout(self) -> None:
        """The scenario did not finish in time: stop reading, look once more, then end it."""
        assert self.container is not None
        c = self.container
        self.closing.set()
        self.rec.timed_out = True
        if c.status() == "running":
            try:
                doc = call_within(
                    FINAL_SNAPSHOT_S,
                    "probe in",
                    c.name,
                    lambda: self.prober.snapshot(top=True, release_fifo=None).doc,
                )
                snap = Snapshot.from_probe(
                    "timeout",
                    {"timeout_s": self.settings.timeout_s},
                    time.monotonic() - self.t0,
                    0,
                    doc,
                    run=self.variant.name,
                )
                self.rec.checkpoints.append(snap)
                self.obs.checkpoint(self.rec, snap)
            except ProclabError as err:
                self.rec.error = f"timed out, and the final snapshot failed: {err}"
        for _ in range(
            QUEUE_MAX + 1
        ):  # what was waiting to be shown (the reader has stopped adding)
            try:
                _, item = self.events.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, OutputLine):
                self.obs.output(self.rec, item)

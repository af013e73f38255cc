"""Run a lab: one container per variant, a snapshot at every checkpoint, then the checks.

The runner knows nothing of terminals: it reports progress to an ``Observer``
(the CLI's narrator, or nothing) and returns a ``LabResult``.
"""
from __future__ import annotations

import base64
import fcntl
import io
import os
import queue
import re
import tarfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from . import charts, engine, hostproc, hostview, images, labspec, probe
from .checkpoints import Announcement, Line, lines_from
from .checks import load_checks, run_checks
from .engine import LabContainer
from .errors import LabFormatError, ProclabError
from .labspec import Action, LabSpec, Variant
from .ptable import Snapshot
from .result import ActionRecord, LabResult, OutputLine, RunRecord

MAX_LAB_BYTES = 96 * 1024
SHIP_SKIP = {"README.md", "checks.py", "questions.toml", "lab.toml"}
LOCK_PATH = Path(os.environ.get("PROCLAB_LOCK", "/tmp/proclab-labs.lock"))
_EOF = object()


class Observer:
    """What the runner tells as it goes. Subclass and override what you need."""

    def progress(self, line: str) -> None: ...
    def lab_started(self, spec: LabSpec) -> None: ...
    def run_started(self, spec: LabSpec, variant: Variant, settings: dict[str, Any]) -> None: ...
    def output(self, run: RunRecord, line: OutputLine) -> None: ...
    def checkpoint(self, run: RunRecord, snap: Snapshot) -> None: ...
    def action(self, run: RunRecord, record: ActionRecord) -> None: ...
    def run_finished(self, run: RunRecord) -> None: ...


def ship(path: Path) -> str:
    """The lab folder as a base64 gzip tar for labkit.boot (no checks, lesson or settings)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for f in sorted(path.rglob("*")):
            rel = f.relative_to(path)
            if f.is_file() and rel.name not in SHIP_SKIP and "__pycache__" not in rel.parts:
                tar.add(f, arcname=str(rel))
    blob = base64.b64encode(buf.getvalue()).decode()
    if len(blob) > MAX_LAB_BYTES:
        raise LabFormatError(f"{path} packs to {len(blob) // 1024} KiB; a lab folder must pack under "
                             f"{MAX_LAB_BYTES // 1024} KiB: move data out of it")
    return blob


def host_config(settings: dict[str, Any]) -> dict[str, Any]:
    """docker-py create() arguments for a lab container: least privilege by default."""
    hc: dict[str, Any] = {
        "init": bool(settings["init"]),
        "pids_limit": int(settings["pids_limit"]),
        "mem_limit": settings["mem_limit"],
        "memswap_limit": settings["mem_limit"],
        "user": settings["user"],
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "read_only": bool(settings["read_only"]),
        "tmpfs": {"/tmp": "rw,mode=1777,size=64m", "/run/proclab": "rw,mode=1777,size=1m",
                  "/lab": "rw,mode=1777,size=4m"},
        "network_mode": "bridge" if settings["network"] else "none",
    }
    if settings["cap_add"]:
        hc["cap_add"] = list(settings["cap_add"])
    if settings["cpus"]:
        hc["nano_cpus"] = int(float(settings["cpus"]) * 1e9)
    if settings["cpuset_cpus"]:
        hc["cpuset_cpus"] = settings["cpuset_cpus"]
    if settings.get("cpu_shares"):
        hc["cpu_shares"] = int(settings["cpu_shares"])
    return hc


@contextmanager
def lab_lock(exclusive: bool) -> Iterator[None]:
    """Labs that measure CPU time hold the lock alone; others share it."""
    fd = os.open(LOCK_PATH, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


class VariantRun:
    """One container from create to remove; the event loop that follows it."""

    def __init__(self, spec: LabSpec, variant: Variant, image: str, observer: Observer):
        self.spec, self.variant, self.image, self.obs = spec, variant, image, observer
        self.settings = spec.settings_for(variant)
        self.rec = RunRecord(variant=variant.name, settings=self.settings, expect_timeout=variant.expect_timeout)
        self.events: queue.Queue[Any] = queue.Queue()
        self.container: LabContainer | None = None
        self.t0 = 0.0
        self.host_seen: dict[int, float] = {}   # host pid -> create time (setting host_pids)

    def execute(self) -> RunRecord:
        self.obs.run_started(self.spec, self.variant, self.settings)
        env = {"PROCLAB_HARNESS": "1", "PROCLAB_LAB": ship(self.spec.path),
               "PROCLAB_VARIANT": self.variant.name, "PYTHONUNBUFFERED": "1"}
        name = f"proclab-{self.spec.name}-{self.variant.name}-{uuid.uuid4().hex[:6]}"
        self.rec.host["before"] = hostview.figures()
        self.container = LabContainer.create(
            self.image, ["python3", "-m", "labkit.boot", *self.variant.args], lab=self.spec.name,
            name=name, env=env, host_config=host_config(self.settings))
        self.rec.container = name
        try:
            stream = self.container.stream()   # attach before start: no output is missed
            reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
            self.t0 = time.monotonic()
            self.container.start()
            reader.start()
            self._follow()
            self.rec.error = self.rec.error or crashed_at_start(self.rec)
            if self.host_seen and self.container.status() == "exited":
                self.rec.host_alive_after_exit = {hp: hostproc.alive(hp, t)
                                                  for hp, t in self.host_seen.items()}
        except ProclabError as err:
            self.rec.error = str(err)
        finally:
            self.rec.duration_s = time.monotonic() - self.t0 if self.t0 else 0.0
            self.container.remove()
        self.rec.host["after"] = hostview.figures(self.container.id)
        self.obs.run_finished(self.rec)
        return self.rec

    def _read(self, stream: Any) -> None:
        try:
            for item in lines_from(stream):
                self.events.put((time.monotonic(), item))
        except Exception as err:  # the connection broke: the container is gone
            self.events.put((time.monotonic(), Line("stderr", f"(proclab: output stream ended: {err})")))
        finally:
            self.events.put((time.monotonic(), _EOF))

    def _follow(self) -> None:
        assert self.container is not None
        deadline = self.t0 + float(self.settings["timeout_s"])
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._timeout()
                return
            try:
                seen, item = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if item is _EOF:
                break
            if isinstance(item, Announcement):
                self._checkpoint(item, seen)
            else:
                line = OutputLine(item.stream, item.text, seen - self.t0)
                self.rec.output.append(line)
                self.obs.output(self.rec, line)
        if self.rec.exit_code is None:
            self.rec.exit_code = self.container.wait(timeout=max(1.0, deadline - time.monotonic()))

    def _checkpoint(self, ann: Announcement, seen: float) -> None:
        assert self.container is not None
        host = hostview.figures(self.container.id)   # while the scenario is held at the checkpoint
        host_pids = self._host_pids() if self.settings["host_pids"] else {}
        actions = [a for a in self.variant.actions if a.at == ann.name]
        take_top = bool(self.settings["top"] or ann.top)
        doc = probe.snapshot(self.container, top=take_top, release_fifo=None if actions else ann.fifo)
        snap = Snapshot.from_probe(ann.name, ann.data, seen - self.t0, ann.pid, doc, run=self.variant.name)
        snap.overhead_ms = (time.monotonic() - seen) * 1000
        snap.host = host
        snap.host_pids = host_pids
        self.rec.checkpoints.append(snap)
        self.obs.checkpoint(self.rec, snap)
        for action in actions:
            record = self._act(action, ann)
            self.rec.actions.append(record)
            self.obs.action(self.rec, record)
        if actions and actions[-1].then == "release" and self.container.status() == "running":
            probe.release(self.container, ann.fifo)

    def _host_pids(self) -> dict[int, int]:
        """Container pid -> host pid of each (non-zombie) process, seen from outside."""
        assert self.container is not None
        found = self.container.host_pids()
        self.host_seen.update(found.values())
        return {cpid: hpid for cpid, (hpid, _) in found.items()}

    def _act(self, action: Action, ann: Announcement) -> ActionRecord:
        assert self.container is not None
        c = self.container
        t = time.monotonic()
        if action.do == "stop":
            c.stop(timeout=action.grace_s)
            code = c.wait(timeout=5)
            self.rec.exit_code = code
            return ActionRecord(action.at, "stop", {"grace_s": action.grace_s,
                                                    "took_s": round(time.monotonic() - t, 3), "exit_code": code})
        if action.do == "kill":
            c.kill(action.signal)
            try:
                code: int | None = c.wait(timeout=action.grace_s)
            except Exception:
                code = None
            self.rec.exit_code = code
            return ActionRecord(action.at, "kill", {"signal": action.signal, "exit_code": code,
                                                    "took_s": round(time.monotonic() - t, 3)})
        if action.do == "exec":
            res = c.exec(list(action.command), user=action.user)
            return ActionRecord(action.at, "exec", {
                "command": list(action.command), "exit_code": res.exit_code,
                "stdout": res.stdout.decode(errors="replace"), "stderr": res.stderr.decode(errors="replace"),
                "took_s": round(res.seconds, 3)})
        probe.release(c, ann.fifo)
        return ActionRecord(action.at, "release", {})

    def _timeout(self) -> None:
        """The scenario did not finish in time: look once more, then end it."""
        assert self.container is not None
        self.rec.timed_out = True
        if self.container.status() == "running":
            try:
                doc = probe.snapshot(self.container, top=True, release_fifo=None)
                snap = Snapshot.from_probe("timeout", {"timeout_s": self.settings["timeout_s"]},
                                           time.monotonic() - self.t0, 0, doc, run=self.variant.name)
                self.rec.checkpoints.append(snap)
                self.obs.checkpoint(self.rec, snap)
            except ProclabError as err:
                self.rec.error = f"timed out, and the final snapshot failed: {err}"
        # drain what the scenario printed so far
        while True:
            try:
                seen, item = self.events.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, Line):
                line = OutputLine(item.stream, item.text, seen - self.t0)
                self.rec.output.append(line)
                self.obs.output(self.rec, line)


PY_ERROR_END = re.compile(r"^(SyntaxError|IndentationError|TabError): ")


def crashed_at_start(rec: RunRecord) -> str | None:
    """Why the run failed, if its scenario died of an uncaught Python error before its first checkpoint.

    That is the lab's own failure (its traceback is in the output), not the harness's.
    """
    if rec.checkpoints or rec.timed_out or rec.exit_code != 1:
        return None
    err = [o.text for o in rec.output if o.stream == "stderr" and o.text.strip()]
    if not err or not ("Traceback (most recent call last):" in err or PY_ERROR_END.match(err[-1])):
        return None
    return f"the scenario crashed before its first checkpoint (exit 1): {err[-1].strip()}"


_swept = False


def sweep_stale_once() -> list[str]:
    """Remove what dead proclab runs left behind (once per process)."""
    global _swept
    if _swept:
        return []
    _swept = True
    return engine.sweep(all_runs=False)


def run_lab(lab: str | Path | LabSpec, *, variants: list[str] | None = None,
            observer: Observer | None = None) -> LabResult:
    """Run a built-in lab (by name) or a lab folder (by path) and check it."""
    obs = observer or Observer()
    spec = lab if isinstance(lab, LabSpec) else labspec.resolve(str(lab))
    if variants:
        spec = spec.with_variants(variants)
    checks = load_checks(spec.checks_file, spec.name)
    engine.client()
    for gone in sweep_stale_once():
        obs.progress(f"removed stale {gone}")
    image = images.ensure("lab", obs.progress)
    result = LabResult(lab=spec.name, title=spec.title, path=str(spec.path))
    obs.lab_started(spec)
    t = time.monotonic()
    exclusive = any(spec.settings_for(v)["exclusive"] for v in spec.variants)
    with lab_lock(exclusive):
        for variant in spec.variants:
            result.runs.append(VariantRun(spec, variant, image, obs).execute())
    result.duration_s = time.monotonic() - t
    result.checks = run_checks(checks, result)
    for problem in charts.draw(checks, result):   # the lab's charts(): terminal bars + a PNG
        obs.progress(problem)
    return result

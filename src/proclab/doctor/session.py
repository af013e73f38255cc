"""One container of the doctor's: created as the image would run in production (its own
entrypoint and command, or the ones given), its output collected, and up when a
--ready-log line appears or its processes have held still for a moment."""
from __future__ import annotations

import re
import threading
import time
import uuid

from .. import engine
from ..engine import ContainerSpec, LabContainer
from ..errors import ContainerError
from ..lab.result import OutputLine
from ..snapshot import LineSplitter
from .model import DoctorOptions, Ready

# A safety net for an image from elsewhere when the user gives no limits of their own.
SAFETY_PIDS = 512
SAFETY_MEMORY = "1g"
STABLE_S = 1.0          # "up": the same processes for this long
SAMPLE_S = 0.2


class Session:
    def __init__(self, opts: DoctorOptions, purpose: str):
        self.opts = opts
        spec = ContainerSpec(
            image=opts.image, name=f"proclab-doctor-{purpose}-{uuid.uuid4().hex[:6]}",
            command=opts.command or None, env=dict(opts.env), user=opts.user, init=opts.init,
            labels={"lab": "doctor"}, pids_limit=opts.pids_limit or SAFETY_PIDS,
            mem_limit=opts.memory or SAFETY_MEMORY)
        self.c: LabContainer = engine.create(spec)
        self.output: list[OutputLine] = []
        self.t0 = 0.0
        self._log_seen = threading.Event()
        self._ended = threading.Event()
        self._pattern = re.compile(opts.ready_log) if opts.ready_log else None

    def start(self) -> None:
        self.t0 = time.monotonic()
        stream = self.c.stream()           # attach before start: no line is missed
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()
        self.c.start()

    def _read(self, stream) -> None:      # type: ignore[no-untyped-def]
        splitter = LineSplitter()
        try:
            for out, err in stream:
                for name, chunk in (("stdout", out), ("stderr", err)):
                    for text in splitter.feed(name, chunk) if chunk else []:
                        self.output.append(OutputLine(name, text, time.monotonic() - self.t0))
                        if self._pattern and self._pattern.search(text):
                            self._log_seen.set()
        except Exception:   # the container was removed under the stream: its end
            pass
        finally:
            self._ended.set()

    def wait_ready(self) -> Ready:
        deadline = time.monotonic() + self.opts.ready_timeout_s
        if self._pattern:
            while not self._log_seen.wait(SAMPLE_S):
                if self._exited() or time.monotonic() > deadline:
                    return self._not_up(f"no line of output matched --ready-log {self.opts.ready_log!r}")
            return Ready(True, "log", time.monotonic() - self.t0, detail=f"a line matched {self.opts.ready_log!r}")
        seen: list[int] = []
        since = time.monotonic()
        while time.monotonic() < deadline:
            if self._exited():
                return self._not_up("it exited before it was up")
            now = sorted(self.c.top_pids())
            if now != seen:
                seen, since = now, time.monotonic()
            elif time.monotonic() - since >= STABLE_S:
                return Ready(True, "stable", time.monotonic() - self.t0,
                             detail=f"its {len(seen)} process(es) held still for {STABLE_S:g} s")
            self._ended.wait(SAMPLE_S)
        return self._not_up(f"its processes kept changing for {self.opts.ready_timeout_s:g} s")

    def _exited(self) -> bool:
        return self.c.status() in ("exited", "dead", "removed")

    def _not_up(self, why: str) -> Ready:
        code = None
        if self._exited():
            try:
                code = self.c.wait(timeout=5)
            except ContainerError:
                pass
            return Ready(False, "exited", time.monotonic() - self.t0, code, why)
        return Ready(False, "timeout", time.monotonic() - self.t0, None, why)

    def argv(self) -> tuple[str, ...]:
        info = self.c.inspect()
        return (info.get("Path") or "",) + tuple(info.get("Args") or ())

    def limits(self) -> dict[str, object]:
        hc = self.c.inspect().get("HostConfig") or {}
        return {"pids_limit": hc.get("PidsLimit"), "memory": hc.get("Memory"), "nano_cpus": hc.get("NanoCpus")}

    def remove(self) -> None:
        self.c.remove()

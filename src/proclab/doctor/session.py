"""One container of the doctor's, made as 'docker run IMAGE' makes it (Docker's default
capabilities, no no-new-privileges, the image's own USER, ENTRYPOINT, CMD and STOPSIGNAL, a
writable root), with only the options the user gave and the doctor's named additions (a pids
limit, a memory limit, no network: DoctorOptions.additions). Its output is collected from a
stream attached before start; it is up when its HEALTHCHECK says healthy, when a --ready-log
line appears, or when its process table is the same in two reads 200 ms apart."""

from __future__ import annotations

import re
import threading
import time
import uuid
from dataclasses import replace
from datetime import datetime

from .. import engine, threads
from ..engine import DOCKER_RUN_DEFAULTS, ContainerSpec, LabContainer, hostproc
from ..errors import ContainerError, ProclabError
from ..lab.result import OutputLine
from ..snapshot import LineSplitter
from .model import SAFETY_MEMORY, SAFETY_NETWORK, SAFETY_PIDS, DoctorOptions, Ready
from .procdump import KIT_DIR
from .timing import Step, Timings

SETTLE_S = 0.2  # "up": the same process table in two reads this far apart (issue 30)
BUSY_TICKS = 1  # and no process busier than this many clock ticks between them (5% at 100 Hz)
HEALTH_POLL_S = 0.1
KIT_HOLDERS = ("stop", "orphan")  # the containers the busybox kit is copied into (sigint has none)


def spec_for(opts: DoctorOptions, purpose: str) -> ContainerSpec:
    """The container 'docker run' would make of these options, plus the doctor's additions."""
    privileges = replace(
        DOCKER_RUN_DEFAULTS,
        cap_drop=opts.cap_drop,
        cap_add=opts.cap_add,
        security_opt=opts.security_opt,
    )
    return ContainerSpec(
        image=opts.image,
        name=f"proclab-doctor-{purpose}-{uuid.uuid4().hex[:6]}",
        command=opts.command or None,
        entrypoint=opts.entrypoint,
        env=dict(opts.env),
        user=opts.user,
        init=True if opts.init else None,
        privileges=privileges,
        stop_signal=opts.stop_signal,
        read_only=opts.read_only,
        anonymous_volumes=(KIT_DIR,) if opts.read_only and purpose in KIT_HOLDERS else (),
        labels={"lab": "doctor"},
        pids_limit=opts.pids_limit or SAFETY_PIDS,
        mem_limit=opts.memory or SAFETY_MEMORY,
        network=opts.network or SAFETY_NETWORK,
    )


class Session:
    def __init__(
        self,
        opts: DoctorOptions,
        purpose: str,
        healthcheck: bool = False,
        timings: Timings | None = None,
    ):
        self.opts = opts
        self.purpose = purpose
        self.healthcheck = healthcheck and not opts.ready_log
        self.timings = timings or Timings()
        with self.timings.span(purpose, Step.CREATE):
            self.c: LabContainer = engine.create(spec_for(opts, purpose))
        self._created: dict | None = None
        self.output: list[OutputLine] = []
        self.t0 = 0.0
        self.started_wall = 0.0
        self._log_seen = threading.Event()
        self._ended = threading.Event()
        self._pattern = re.compile(opts.ready_log) if opts.ready_log else None

    def start(self) -> None:
        stream = self.c.stream()  # attach before start: no line is missed
        threads.daemon(self._read, stream, name="output reader")
        with self.timings.span(self.purpose, Step.START):
            self.t0, self.started_wall = time.monotonic(), time.time()
            self.c.start()

    def _read(self, stream) -> None:
        splitter = LineSplitter()
        try:
            for out, err in stream:
                for name, chunk in (("stdout", out), ("stderr", err)):
                    for text in splitter.feed(name, chunk) if chunk else []:
                        self.output.append(OutputLine(name, text, time.monotonic() - self.t0))
                        if self._pattern and self._pattern.search(text):
                            self._log_seen.set()
        except Exception:  # the container was removed under the stream: its end
            pass
        finally:
            self._ended.set()

    def wait_ready(self) -> Ready:
        with self.timings.span(self.purpose, Step.READY):
            return self._wait_ready()

    def _wait_ready(self) -> Ready:
        deadline = time.monotonic() + self.opts.ready_timeout_s
        if self._pattern:
            while not self._log_seen.wait(SETTLE_S):
                if self.exited() or time.monotonic() > deadline:
                    return self._not_up(
                        f"no line of output matched --ready-log {self.opts.ready_log!r}"
                    )
            return Ready(
                True,
                "log",
                time.monotonic() - self.t0,
                detail=f"a line matched {self.opts.ready_log!r}",
            )
        if self.healthcheck:
            return self._wait_healthy(deadline)
        seen: dict[int, int] | None = None
        while time.monotonic() < deadline:
            try:
                now = _cpu_ticks(self.c.top_pids())
            except ContainerError:  # 'is not running': it ended before it was up
                now = {}
            if self.exited():
                return self._not_up("it exited before it was up")
            if now and seen is not None and _settled(seen, now):
                return Ready(
                    True,
                    "stable",
                    time.monotonic() - self.t0,
                    detail=f"its {len(now)} process(es) were the same, none busy, in two reads "
                    f"{SETTLE_S * 1000:.0f} ms apart",
                )
            seen = now
            self._ended.wait(SETTLE_S)
        return self._not_up(f"its processes kept changing for {self.opts.ready_timeout_s:g} s")

    def _wait_healthy(self, deadline: float) -> Ready:
        """As compose's depends_on: condition: service_healthy: up once the engine says healthy."""
        while time.monotonic() < deadline:
            state = self._state()
            health = (state.get("Health") or {}).get("Status")
            if state.get("Status") not in ("running", "created", None):
                return self._not_up("it exited before its HEALTHCHECK said healthy")
            if health == "healthy":
                return Ready(
                    True,
                    "healthy",
                    time.monotonic() - self.t0,
                    detail="its HEALTHCHECK said healthy (as compose's condition: service_healthy)",
                )
            if health == "unhealthy":
                log = ((state.get("Health") or {}).get("Log") or [{}])[-1]
                why = str(log.get("Output") or "").strip().splitlines()
                ready = self._not_up(
                    "its HEALTHCHECK said unhealthy" + (f": {why[-1]}" if why else "")
                )
                ready.how = "unhealthy"
                return ready
            self._ended.wait(HEALTH_POLL_S)
        return self._not_up(
            f"its HEALTHCHECK did not say healthy within {self.opts.ready_timeout_s:g} s"
        )

    def _state(self) -> dict:
        try:
            return self.c.state()
        except ContainerError:
            return {"Status": "removed"}

    def ended_within(self, timeout: float = 2.0) -> bool:
        """After a failed exec: is the container ending? An exec into a dying container fails
        (exit 137) a moment before the engine marks it exited, so wait for the engine's word."""
        try:
            self.c.wait(timeout=timeout)
            return True
        except ProclabError:
            return self.exited()

    def exited(self) -> bool:
        return self._state().get("Status") in ("exited", "dead", "removed")

    def ending(self) -> tuple[int | None, bool, float | None]:
        """(exit code, OOM-killed, when it ended: wall-clock seconds) once it has exited."""
        try:
            code = self.c.wait(timeout=5)
        except ProclabError:
            code = None
        state = self._state()
        return code, bool(state.get("OOMKilled")), finished_at(str(state.get("FinishedAt") or ""))

    def _not_up(self, why: str) -> Ready:
        if self.exited():
            code, oom, _ = self.ending()
            return Ready(False, "exited", time.monotonic() - self.t0, code, why, oom_killed=oom)
        return Ready(False, "timeout", time.monotonic() - self.t0, None, why)

    def _inspect_created(self) -> dict:
        """The engine's inspect as created: what it will start and its limits (one API call)."""
        if self._created is None:
            with self.timings.span(self.purpose, Step.INSPECT):
                self._created = self.c.inspect()
        return self._created

    def argv(self) -> tuple[str, ...]:
        info = self._inspect_created()
        return (info.get("Path") or "",) + tuple(info.get("Args") or ())

    def limits(self) -> dict[str, object]:
        hc = self._inspect_created().get("HostConfig") or {}
        return {
            "pids_limit": hc.get("PidsLimit"),
            "memory": hc.get("Memory"),
            "nano_cpus": hc.get("NanoCpus"),
            "network": hc.get("NetworkMode"),
            "cap_add": hc.get("CapAdd"),
            "cap_drop": hc.get("CapDrop"),
            "security_opt": hc.get("SecurityOpt"),
            "read_only": hc.get("ReadonlyRootfs"),
            "init": hc.get("Init"),
        }

    def remove(self) -> None:
        self.c.remove()


def _cpu_ticks(host_pids: list[int]) -> dict[int, int]:
    """host pid -> CPU ticks used so far (-1 when the host's /proc does not show it: pids only)."""
    out = {}
    for hpid in host_pids:
        stat = hostproc.read(hpid, "stat")
        fields = stat[stat.rindex(")") + 2 :].split() if stat else []
        out[hpid] = int(fields[11]) + int(fields[12]) if len(fields) > 12 else -1
    return out


def _settled(before: dict[int, int], now: dict[int, int]) -> bool:
    """The same processes, none of which used more than BUSY_TICKS of CPU in between: a program
    still starting up (an interpreter loading, a database initialising) is busy, not up."""
    return before.keys() == now.keys() and all(now[p] - before[p] <= BUSY_TICKS for p in now)


def finished_at(stamp: str) -> float | None:
    """The engine's State.FinishedAt (RFC 3339 with nanoseconds) as wall-clock seconds."""
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$", stamp)
    if not m or stamp.startswith("0001-"):
        return None
    whole = datetime.fromisoformat(m.group(1) + ("+00:00" if m.group(3) == "Z" else m.group(3)))
    return whole.timestamp() + float(m.group(2) or 0)

"""The doctor's examination of one image: three containers run side by side, read from outside
where the engine and the host's /proc allow, and through the injected busybox where they don't.

Container "stop": up → snapshot (zombies at rest) → the signal masks of pid 1 and the main
program → docker stop -t N, watching the wrapped program and its children. Alongside, container
"sigint": up → pid 1's masks → docker kill --signal SIGINT (sigint.py); and container "orphan":
up → an orphan made and watched (orphan_side.py). Any may end on its own at any moment: that is
recorded (EarlyEnd), never raised. The findings go to verdicts.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from .. import engine, threads
from ..deadline import Call
from ..engine import hostproc
from ..engine.kerneltrace import Tracer
from ..engine.tracefs import NoTrace
from ..errors import ContainerError, ImageMissing, ProclabError, UsageError
from ..lab.kernel_record import KernelRecord
from ..lab.kernel_trace import record_of
from . import kit
from .ending import early, ended_on_its_own
from .model import Fate, Findings, Masks, Phase, Ready, Stop, role
from .orphan_side import OrphanSide, orphan_run
from .procdump import wait_status
from .session import Session
from .sigint import SigintSide, sigint_run, take_sigint
from .timing import Step, Timings

T = TypeVar("T")

Progress = Callable[[str], None]


def image_config(ref: str) -> engine.ImageConfig:
    """The image's configuration, or a usage error (exit 2) before anything is made."""
    try:
        return engine.image_config(ref)
    except ImageMissing as err:
        raise UsageError(
            f"there is no image {ref} on this Docker engine; build or pull it first "
            f"(docker pull {ref}), then run proclab doctor again"
        ) from err


def examine(
    opts,
    progress: Progress = lambda line: None,
    cfg: engine.ImageConfig | None = None,
) -> Findings:
    """cfg: the image's configuration when the caller has read it already (one inspect fewer)."""
    clock = Timings()
    with clock.span("", Step.IMAGE):
        cfg = cfg or image_config(opts.image)
    with clock.span("", Step.KIT):
        tools = kit.archive(progress)
    f = Findings(
        opts,
        argv=cfg.argv,
        stop_signal=opts.stop_signal or cfg.stop_signal,
        ready=Ready(False, "timeout", 0.0),
        healthcheck=cfg.healthcheck,
        timings=clock,
    )
    sigint = SigintSide()
    orphan = OrphanSide()
    a: Session | None = None
    b: Session | None = None
    c: Session | None = None
    tracer: Tracer | None = None
    tracing: Call[Tracer | None] | None = None
    removing: Call[None] | None = None
    making_b = Call(  # made, started side by side
        lambda: Session(opts, "sigint", cfg.healthcheck, clock), "create", "the sigint container"
    )
    making_c = Call(
        lambda: Session(opts, "orphan", cfg.healthcheck, clock), "create", "the orphan's container"
    )
    try:
        a = Session(opts, "stop", cfg.healthcheck, clock)
        # the kit is there from the start, as it always was: an image may look (an exit-unless-file test
        # does), and a copy into a running container holds the engine's lock on it (its exit waits)
        _install(a, tools, opts.read_only, clock)
        b, c = making_b.result(), making_c.result()
        f.containers = {"stop": a.c.name, "sigint": b.c.name, "orphan": c.c.name}
        f.argv, f.limits = a.argv(), a.limits()
        sides = _start_sides(b, sigint, c, orphan, tools)
        a.start()
        f.started_at = a.started_wall
        # tracefs set up beside the wait for "up", which it never changes (host-side work only)
        tracing = Call(lambda: _trace(a, f), "set up", "the kernel record")
        progress(
            f"started {opts.image} as {a.c.name}, {b.c.name} and {c.c.name}; waiting until they are up"
            + (" (healthy, by its HEALTHCHECK)" if a.healthcheck else "")
        )
        f.ready = a.wait_ready()
        tracer = tracing.result()  # the record runs from before any probe or signal
        _examine_if_up(a, f, progress)
        if tracer is not None:
            tracer.freeze()  # its end is in; what follows (the removal) is never in the record
        for side in sides:
            side.join()
        removing = Call(
            lambda: _remove_all((a, b, c), clock), "remove", "the containers"
        )  # read meanwhile
        if tracer is not None:
            _read_record(tracer, a, f)
        removing.result()
    finally:  # Ctrl-C included: the CLI removes this run's containers at once, all of them
        if b is None:
            b = made_anyway(making_b)
        if c is None:
            c = made_anyway(making_c)
        if tracer is None and tracing is not None:
            tracer = made_anyway(tracing)
        if tracer is not None:
            tracer.close()
        if removing is None:
            _remove_all((a, b, c), clock)
        else:
            made_anyway(removing)  # its error, if any, is the main path's to raise
    take_sigint(f, a, b, sigint)
    _take_orphan(f, c, orphan)
    return f


def _take_orphan(f: Findings, c: Session, side: OrphanSide) -> None:
    """The orphan's container's findings (its thread's), into f."""
    if side.error is not None:
        raise side.error
    f.orphan, f.orphan_snapshots = side.orphan, side.snapshots
    f.output["orphan"] = c.output
    if side.early is not None:
        f.early.append(side.early)


def _start_sides(
    b: Session, sigint: SigintSide, c: Session, orphan: OrphanSide, tools: bytes
) -> list[threading.Thread]:
    """The SIGINT and orphan containers, each in its own thread from its start to its end."""
    sides = [
        threading.Thread(target=sigint_run, args=(b, b.opts, sigint), daemon=True),
        threading.Thread(target=orphan_run, args=(c, tools, c.opts, orphan), daemon=True),
    ]
    for side in sides:
        threads.start(side)
    return sides


def _examine_if_up(a: Session, f: Findings, progress: Progress) -> None:
    """The stop container's examination once it is up; an end on its own is recorded, never raised."""
    if f.ready.up:
        try:
            _examine_running(a, f, progress)
        except ContainerError as err:
            if not a.ended_within():  # an exec failed in a running container: the rest is not known
                f.error = str(err)
            else:  # it ended under the doctor's hands, before any signal
                f.early.append(early(a, "stop", Phase.PROBING))
    elif f.ready.how == "exited":
        f.early.append(early(a, "stop", Phase.BEFORE_UP))


def made_anyway(step: Call[T]) -> T | None:
    """What a side step made though the main one failed (Ctrl-C, an engine error): to remove it."""
    try:
        return step.result()
    except BaseException:
        return None


def _read_record(tracer: Tracer, a: Session, f: Findings) -> None:
    with f.timings.span("stop", Step.TRACE_READ):
        f.kernel = record_of(tracer.stop(), t0=a.t0, final=True)


def _trace(a: Session, f: Findings) -> Tracer | None:
    """The kernel's record of the stop container, from just after its start (host-side tracefs)."""
    if not f.options.trace:
        f.kernel = KernelRecord.none("turned off (--no-trace)")
        return None
    tracer = Tracer()
    try:
        with f.timings.span("stop", Step.TRACE_SETUP):
            tracer.start(a.c.host_pid())
    except (NoTrace, ContainerError) as why:
        f.kernel = KernelRecord.none(str(why))
        return None
    return tracer


def _install(a: Session, tools: bytes, into_volume: bool, clock: Timings) -> None:
    with clock.span("stop", Step.KIT):
        kit.install(a.c, tools, into_volume=into_volume)


def _remove_all(sessions: tuple[Session | None, ...], clock: Timings) -> None:
    """Side by side: each removal waits for the engine to stop the container."""
    with clock.span("", Step.REMOVE):
        made = [s for s in sessions if s is not None]
        others = [threading.Thread(target=s.remove, daemon=True) for s in made[1:]]
        for t in others:
            threads.start(t)
        try:
            if made:
                made[0].remove()
        finally:
            for t in others:
                if t.is_alive():  # one whose start a Ctrl-C interrupted cannot be joined
                    t.join()


def _examine_running(a: Session, f: Findings, progress: Progress) -> None:
    clock = f.timings
    progress("reading the table at rest (the orphan for pid 1 to adopt is the third container's)")
    with clock.span("stop", Step.SNAPSHOT):
        ready = kit.snapshot(a.c, "ready", a.t0)
    f.snapshots.append(ready)
    # nothing of the doctor's runs in the container between this table and docker stop (the masks
    # come from the host's /proc): one read, two names, one exec fewer
    before = replace(ready, name="before-stop", data={})
    f.snapshots.append(before)
    reader = kit.StatReader(a.c)
    with clock.span("stop", Step.MASKS):
        f.masks = _masks(a, reader, before)
    before.data["masks"] = [m.to_dict() for m in f.masks]
    progress(f"docker stop -t {f.options.grace_s:g} (it sends {f.stop_signal})")
    pid1_tree = _descendants(before, 1)
    with clock.span("stop", Step.SIGNAL_WAIT):
        f.stop = _watch_stop(
            a,
            reader,
            [p for p in before.scenario if p.pid in pid1_tree and p.state != "Z"],
            f,
        )
    with clock.span("stop", Step.ENDING):
        early = ended_on_its_own(a, "stop", f.stop, f.masks[0] if f.masks else None)
    if early:
        f.early.append(early)


def _descendants(snap, pid: int) -> set[int]:
    """pid's descendants (not itself): the image's own processes, not what docker exec started."""
    out: set[int] = set()
    todo = [pid]
    while todo:
        kids = [p.pid for p in snap.children(todo.pop()) if p.pid not in out]
        out.update(kids)
        todo += kids
    return out


def main_program(snap):
    """pid 1 itself when it is the program, else its first running child (what it wraps)."""
    p1 = snap.get(1)
    if p1 is None or role(p1) == "program":
        return p1
    return next((k for k in snap.children(1) if k.state != "Z" and not k.probe), None)


def _masks(a: Session, reader: kit.StatReader, snap) -> list[Masks]:
    """SigCgt, SigIgn, SigBlk of pid 1 and the main program, read before any signal is sent."""
    out: list[Masks] = []
    procs = [snap.get(1)]
    main = main_program(snap)
    if main is not None and main.pid != 1:
        procs.append(main)
    for p in procs:
        if p is None:
            continue
        hpid = reader.host_pid(p.pid)
        status = hostproc.read(hpid, "status") if hpid else None
        source, waited = "host /proc", hostproc.sigwait_set(hpid) if hpid else None
        if status is None:
            status, source = kit.status(a.c, p.pid), "docker exec"
        m = Masks.parse(p.pid, p.command, status or "", source, waited)
        if m is not None:
            out.append(m)
    return out


def _watch_stop(a: Session, reader: kit.StatReader, procs: list, f: Findings) -> Stop:
    s = Stop(f.stop_signal, f.options.grace_s, watch_source=reader.source if procs else "")
    s.watched = [Fate(p.pid, p.command, reader.host_pid(p.pid)) for p in procs]
    parents = {p.pid: p.ppid for p in procs}
    done = threading.Event()

    def stopper() -> None:
        try:
            a.c.stop(timeout=f.options.grace_s)
        except ProclabError as err:
            s.error = str(err)
        finally:
            done.set()

    t = time.monotonic()
    s.sent_at = time.time()
    f.stop_at_t = t - a.t0
    threads.daemon(stopper, name="docker stop")
    pending = list(s.watched)
    while pending and not done.is_set():
        for fate in pending:
            st = reader.read(fate.pid)
            if st is None or st["state"] == "Z":
                fate.ended_s = time.monotonic() - t
                fate.status = wait_status(st["exit_code"]) if st else None
            elif st["ppid"] == 1 and parents[fate.pid] != 1:
                fate.orphaned = True
        pending = [x for x in pending if x.ended_s is None]
        done.wait(kit.POLL_S if reader.source == "host /proc" else 0.0)
    done.wait()
    s.took_s = time.monotonic() - t
    try:
        s.exit_code = a.c.wait(timeout=5)
        s.oom_killed = bool(a.c.state().get("OOMKilled"))
        s.error = None if s.exit_code is not None else s.error
    except ProclabError as err:
        s.error = s.error or str(err)
    s.ended = s.exit_code is not None and not (s.exit_code == 137 and s.took_s >= s.grace_s - 0.05)
    return s

"""The doctor's examination of one image: two containers run side by side, read from outside
where the engine and the host's /proc allow, and through the injected busybox where they don't.

Container "stop": up → snapshot (zombies at rest) → an orphan is made and watched → the
signal masks of pid 1 and the main program → docker stop -t N, watching the wrapped program
and its children. Container "sigint", alongside: up → pid 1's masks → docker kill --signal
SIGINT. Either may end on its own at any moment: that is recorded (EarlyEnd), never raised.
The findings go to verdicts.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from .. import engine
from ..deadline import Call
from ..engine import hostproc
from ..engine.kerneltrace import Tracer
from ..engine.tracefs import NoTrace
from ..errors import ContainerError, ImageMissing, ProclabError, UsageError
from ..lab.kernel_record import KernelRecord
from ..lab.kernel_trace import build
from . import kit
from .ending import early, ended_on_its_own
from .model import Fate, Findings, Masks, Orphan, Phase, Ready, Stop, role
from .procdump import wait_status
from .session import Session
from .sigint import sigint_run, take_sigint
from .timing import Step, Timings

T = TypeVar("T")

POLL_S = 0.01  # reading the host's /proc is cheap: watch closely
ORPHAN_SLACK_S = 5.0
ORPHAN_LIFETIME_S = 0.3  # outlives the exec'd shell that made it; short, so the check is quick

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
    sigint: dict[str, object] = {}
    a: Session | None = None
    b: Session | None = None
    tracer: Tracer | None = None
    tracing: Call[Tracer | None] | None = None
    removing: Call[None] | None = None
    making_b = Call(  # made, started side by side
        lambda: Session(opts, "sigint", cfg.healthcheck, clock), "create", "the sigint container"
    )
    try:
        a = Session(opts, "stop", cfg.healthcheck, clock)
        # the kit is there from the start, as it always was: an image may look (an exit-unless-file test
        # does), and a copy into a running container holds the engine's lock on it (its exit waits)
        _install(a, tools, opts.read_only, clock)
        b = making_b.result()
        f.containers = {"stop": a.c.name, "sigint": b.c.name}
        f.argv, f.limits = a.argv(), a.limits()
        side = threading.Thread(target=sigint_run, args=(b, opts, sigint), daemon=True)
        side.start()
        a.start()
        f.started_at = a.started_wall
        # tracefs set up beside the wait for "up", which it never changes (host-side work only)
        tracing = Call(lambda: _trace(a, f), "set up", "the kernel record")
        progress(
            f"started {opts.image} as {a.c.name} and {b.c.name}; waiting until they are up"
            + (" (healthy, by its HEALTHCHECK)" if a.healthcheck else "")
        )
        f.ready = a.wait_ready()
        tracer = tracing.result()  # the record runs from before any probe or signal
        if f.ready.up:
            try:
                _examine_running(a, f, progress)
            except ContainerError as err:
                if not a.ended_within():
                    f.error = str(
                        err
                    )  # an exec failed in a running container: the rest is not known
                else:  # it ended under the doctor's hands, before any signal
                    f.early.append(early(a, "stop", Phase.PROBING))
        elif f.ready.how == "exited":
            f.early.append(early(a, "stop", Phase.BEFORE_UP))
        if tracer is not None:
            tracer.freeze()  # its end is in; what follows (the removal) is never in the record
        side.join()
        removing = Call(
            lambda: _remove_both(a, b, clock), "remove", "both containers"
        )  # read meanwhile
        if tracer is not None:
            _read_record(tracer, a, f)
        removing.result()
    finally:  # Ctrl-C included: the CLI removes this run's containers at once, both of them
        if b is None:
            b = made_anyway(making_b)
        if tracer is None and tracing is not None:
            tracer = made_anyway(tracing)
        if tracer is not None:
            tracer.close()
        if removing is None:
            _remove_both(a, b, clock)
        else:
            made_anyway(removing)  # its error, if any, is the main path's to raise
    take_sigint(f, a, b, sigint)
    return f


def made_anyway(step: Call[T]) -> T | None:
    """What a side step made though the main one failed (Ctrl-C, an engine error): to remove it."""
    try:
        return step.result()
    except BaseException:
        return None


def _read_record(tracer: Tracer, a: Session, f: Findings) -> None:
    with f.timings.span("stop", Step.TRACE_READ):
        raw = tracer.stop()
        f.kernel = build(
            raw.lines,
            pidmap=raw.pidmap,
            outside=raw.outside,
            comms=raw.comms,
            already_there=raw.already_there,
            t0=a.t0,
            lost=raw.lost,
            final=True,
        )


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


def _remove_both(a: Session | None, b: Session | None, clock: Timings) -> None:
    """Side by side: each removal waits for the engine to stop the container."""
    with clock.span("", Step.REMOVE):
        _remove_pair(a, b)


def _remove_pair(a: Session | None, b: Session | None) -> None:
    other = threading.Thread(target=b.remove, daemon=True) if b is not None else None
    if other:
        other.start()
    try:
        if a is not None:
            a.remove()
    finally:
        if other:
            other.join()


def _examine_running(a: Session, f: Findings, progress: Progress) -> None:
    clock = f.timings
    progress("reading the table at rest, then making an orphan for pid 1 to adopt")
    with clock.span("stop", Step.SNAPSHOT):  # the table at rest, then the orphan: one exec
        ready, orphan = kit.snapshot_then_orphan(a.c, "ready", a.t0, ORPHAN_LIFETIME_S)
    # the watch counts from the exec's answer, when the orphan surely lives: on a busy host the exec
    # can take seconds to start its script, and a watch counted from before it would end too soon
    made_at = time.monotonic()
    f.snapshots.append(ready)
    reader = kit.StatReader(a.c)  # its docker top sees the orphan too
    with clock.span("stop", Step.ORPHAN):
        f.orphan = _watch_orphan(a, reader, f, orphan, made_at)
    # the table the orphan's end left is the table docker stop meets: nothing of the doctor's runs
    # in between (one exec fewer); a snapshot of its own name, for the record
    after = f.snapshots[-1]
    if after.name == "orphan-exited":
        before = replace(after, name="before-stop", data={})
    else:  # no orphan was made: read it afresh
        with clock.span("stop", Step.SNAPSHOT):
            before = kit.snapshot(a.c, "before-stop", a.t0)
    f.snapshots.append(before)
    with clock.span("stop", Step.MASKS):
        f.masks = _masks(a, reader, before, f.orphan.pid if f.orphan else None)
    before.data["masks"] = [m.to_dict() for m in f.masks]
    progress(f"docker stop -t {f.options.grace_s:g} (it sends {f.stop_signal})")
    skip = {f.orphan.pid} if f.orphan else set()
    pid1_tree = _descendants(before, 1)
    with clock.span("stop", Step.SIGNAL_WAIT):
        f.stop = _watch_stop(
            a,
            reader,
            [
                p
                for p in before.scenario
                if p.pid in pid1_tree and p.pid not in skip and p.state != "Z"
            ],
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


def main_program(snap, orphan: int | None = None):
    """pid 1 itself when it is the program, else its first running child (what it wraps), never
    the doctor's orphan (still there when a busy host kept it alive through the watch)."""
    p1 = snap.get(1)
    if p1 is None or role(p1) == "program":
        return p1
    return next(
        (k for k in snap.children(1) if k.state != "Z" and not k.probe and k.pid != orphan), None
    )


def _masks(
    a: Session,
    reader: kit.StatReader,
    snap,
    orphan: int | None = None,
) -> list[Masks]:
    """SigCgt, SigIgn, SigBlk of pid 1 and the main program, read before any signal is sent."""
    out: list[Masks] = []
    procs = [snap.get(1)]
    main = main_program(snap, orphan)
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


def _watch_orphan(
    a: Session, reader: kit.StatReader, f: Findings, pid: int | None, t: float
) -> Orphan:
    """The orphan made by t (monotonic), or none: adopted by whom, and reaped how soon."""
    o = Orphan(lifetime_s=ORPHAN_LIFETIME_S)
    if pid is None:
        o.error = "the orphan could not be made: its shell printed no pid"
        return o
    o.pid = pid
    st = reader.read(o.pid)
    o.adopted_by = int(st["ppid"]) if st else None
    # the table as it adopted it, read alongside the watch (an exec takes a while on a busy host)
    taken = Call(
        lambda: kit.snapshot(a.c, "orphan-adopted", a.t0, orphan=o.pid), "snapshot in", a.c.name
    )
    # the orphan's own end can come late on a busy host; only an image that does not reap waits this out
    deadline = t + o.lifetime_s + f.options.reap_deadline_s + ORPHAN_SLACK_S
    pause = threading.Event()
    while time.monotonic() < deadline:
        st, now = reader.read(o.pid), time.monotonic() - t
        if st is None:
            o.reaped_at_s = now
            o.exited_at_s = o.exited_at_s if o.exited_at_s is not None else now
            break
        if st["state"] == "Z" and o.exited_at_s is None:
            o.exited_at_s = now
        if o.exited_at_s is not None and now - o.exited_at_s > f.options.reap_deadline_s:
            break
        pause.wait(POLL_S if reader.source == "host /proc" else 0.05)
    adopted = taken.result()  # its error (a ContainerError) is raised here
    f.snapshots.append(adopted)
    seen = adopted.get(o.pid)  # its shell had exited: the parent it was given
    o.adopted_by = seen.ppid if seen else o.adopted_by
    adopted.data["adopted_by"] = o.adopted_by
    snap = kit.snapshot(
        a.c, "orphan-exited", a.t0, orphan=o.pid
    )  # fails if the container has ended
    f.snapshots.append(snap)
    left = snap.get(o.pid)
    o.zombie_at_end = left is not None and left.state == "Z"
    return o


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
    threading.Thread(target=stopper, daemon=True).start()
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
        done.wait(POLL_S if reader.source == "host /proc" else 0.0)
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

"""The doctor's third container, alongside the stop one: up, an orphan made by a docker exec'd shell
that exits at once, and the orphan watched until pid 1 reaps it or the reap allowance is out, with
the tables it was adopted into and left.

It has a container of its own so that its watch (the orphan's 0.3 s life and the 1 s allowance)
runs while docker stop waits, not before: a misbehaving image's stop already takes the whole grace
period, and issue 30 allows the grace period + 2 s in all (docs/doctor.md, "Speed").
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from ..deadline import Call
from ..errors import ContainerError
from ..snapshot import Snapshot
from . import kit
from .ending import early
from .model import DoctorOptions, EarlyEnd, Orphan, Phase, Ready
from .session import Session
from .timing import Step

NAME = "orphan"  # the container's part, in the findings, the timings and the --json runs
ORPHAN_SLACK_S = 5.0
ORPHAN_LIFETIME_S = 0.3  # outlives the exec'd shell that made it; short, so the check is quick


@dataclass
class OrphanSide:
    """What the orphan's container found (its thread's), for examine() to take once it has ended."""

    ready: Ready | None = None
    orphan: Orphan | None = None
    snapshots: list[Snapshot] = field(default_factory=list)  # orphan-adopted, orphan-exited
    early: EarlyEnd | None = None
    error: BaseException | None = None  # re-raised by examine() in the main thread


def orphan_run(c: Session, tools: bytes, opts: DoctorOptions, out: OrphanSide) -> None:
    """The third container: the kit copied in, up, then the orphan made and watched."""
    try:
        with c.timings.span(NAME, Step.KIT):  # before the start: see examine._install
            kit.install(c.c, tools, into_volume=opts.read_only)
        c.start()
        out.ready = c.wait_ready()
        if not out.ready.up:
            if out.ready.how == "exited":
                out.early = early(c, NAME, Phase.BEFORE_UP)
            return
        with c.timings.span(NAME, Step.SNAPSHOT):
            pid = kit.make_orphan(c.c, ORPHAN_LIFETIME_S)
        # the watch counts from the exec's answer, when the orphan surely lives: on a busy host the
        # exec can take seconds to start its script, and a watch counted from before would end too soon
        made_at = time.monotonic()
        reader = kit.StatReader(c.c)  # its docker top sees the orphan too
        with c.timings.span(NAME, Step.ORPHAN):
            out.orphan = watch_orphan(c, reader, opts, pid, made_at, out.snapshots)
    except ContainerError as err:  # removed under it (Ctrl-C), or the engine failed
        if c.t0 and c.ended_within():  # not when the kit's copy failed before its start
            out.early = early(c, NAME, Phase.PROBING)
        else:
            out.error = err
    except BaseException as err:
        out.error = err


def watch_orphan(
    c: Session,
    reader: kit.StatReader,
    opts: DoctorOptions,
    pid: int | None,
    t: float,
    snapshots: list[Snapshot],
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
        lambda: kit.snapshot(c.c, "orphan-adopted", c.t0, orphan=o.pid), "snapshot in", c.c.name
    )
    # the orphan's own end can come late on a busy host; only an image that does not reap waits this out
    deadline = t + o.lifetime_s + opts.reap_deadline_s + ORPHAN_SLACK_S
    pause = threading.Event()
    while time.monotonic() < deadline:
        st, now = reader.read(o.pid), time.monotonic() - t
        if st is None:
            o.reaped_at_s = now
            o.exited_at_s = o.exited_at_s if o.exited_at_s is not None else now
            break
        if st["state"] == "Z" and o.exited_at_s is None:
            o.exited_at_s = now
        if o.exited_at_s is not None and now - o.exited_at_s > opts.reap_deadline_s:
            break
        pause.wait(kit.POLL_S if reader.source == "host /proc" else 0.05)
    adopted = taken.result()  # its error (a ContainerError) is raised here
    snapshots.append(adopted)
    seen = adopted.get(o.pid)  # its shell had exited: the parent it was given
    o.adopted_by = seen.ppid if seen else o.adopted_by
    adopted.data["adopted_by"] = o.adopted_by
    left = kit.snapshot(c.c, "orphan-exited", c.t0, orphan=o.pid)  # fails if it has ended
    snapshots.append(left)
    mine = left.get(o.pid)
    o.zombie_at_end = mine is not None and mine.state == "Z"
    return o

"""The doctor's examination of one image: two containers, read from outside where the
engine and the host's /proc allow, and through the injected busybox where they don't.

Container "stop": up → snapshot → an orphan is made and watched → docker stop -t N,
watching the wrapped program and its children. Container "sigint" (run alongside):
up → docker kill --signal SIGINT. The findings go to verdicts.py.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

from .. import engine
from ..errors import ContainerError, ImageMissing, ProclabError, UsageError
from . import kit
from .model import DoctorOptions, Fate, Findings, Orphan, Ready, Stop
from .procdump import wait_status
from .session import Session

POLL_S = 0.01          # reading the host's /proc is cheap: watch closely
ORPHAN_LIFETIME_S = 1.0

Progress = Callable[[str], None]


def image_config(ref: str) -> engine.ImageConfig:
    """The image's configuration, or a usage error (exit 2) before anything is made."""
    try:
        return engine.image_config(ref)
    except ImageMissing as err:
        raise UsageError(f"there is no image {ref} on this Docker engine; build or pull it first "
                         f"(docker pull {ref}), then run proclab doctor again") from err


def examine(opts: DoctorOptions, progress: Progress = lambda line: None) -> Findings:
    cfg = image_config(opts.image)
    tools = kit.archive(progress)
    sigint: dict[str, object] = {}
    side = threading.Thread(target=_sigint_run, args=(opts, sigint), daemon=True)
    side.start()
    a: Session | None = None
    try:
        a = Session(opts, "stop")
        kit.install(a.c, tools)
        a.start()
        progress(f"started {opts.image} as {a.c.name}; waiting until it is up")
        ready = a.wait_ready()
        f = Findings(opts, argv=a.argv(), stop_signal=cfg.stop_signal, ready=ready, limits=a.limits(),
                     containers={"stop": a.c.name})
        if ready.up:
            try:
                _examine_running(a, f, progress)
            except ContainerError as err:      # it ended under the doctor's hands, say: the rest is not known
                f.error = str(err)
    except KeyboardInterrupt:
        raise            # the CLI removes this run's containers at once, the sigint one too
    except BaseException:
        side.join()      # the sigint container is removed by its own thread
        raise
    finally:
        if a is not None:
            a.remove()
    side.join()
    if "error" in sigint:
        raise sigint["error"]  # type: ignore[misc]
    f.output = {"stop": a.output, "sigint": sigint.get("output", [])}  # type: ignore[dict-item]
    f.sigint, f.sigint_ready = sigint.get("stop"), sigint.get("ready")  # type: ignore[assignment]
    f.containers["sigint"] = str(sigint.get("name", ""))
    return f


def _examine_running(a: Session, f: Findings, progress: Progress) -> None:
    ready = kit.snapshot(a.c, "ready", a.t0)
    f.snapshots.append(ready)
    reader = kit.StatReader(a.c)
    progress("making an orphan for pid 1 to adopt")
    f.orphan = _watch_orphan(a, reader, f)
    progress(f"docker stop -t {f.options.grace_s:g}")
    before = kit.snapshot(a.c, "before-stop", a.t0)
    f.snapshots.append(before)
    skip = {f.orphan.pid} if f.orphan else set()
    f.stop = _watch_stop(a, reader, [p for p in before.scenario if p.pid != 1 and p.pid not in skip
                                     and p.state != "Z"], f)


def _watch_orphan(a: Session, reader: kit.StatReader, f: Findings) -> Orphan:
    o = Orphan(lifetime_s=ORPHAN_LIFETIME_S)
    t = time.monotonic()
    try:
        o.pid = kit.make_orphan(a.c, o.lifetime_s)
    except (ContainerError, ValueError, IndexError) as err:
        o.error = f"the orphan could not be made: {err}"
        return o
    reader.learn()
    st = reader.read(o.pid)
    o.adopted_by = int(st["ppid"]) if st else None  # type: ignore[call-overload]
    adopted = kit.snapshot(a.c, "orphan-adopted", a.t0, orphan=o.pid)
    f.snapshots.append(adopted)
    seen = adopted.get(o.pid)      # by now its shell has surely exited: the parent it was given
    o.adopted_by = seen.ppid if seen else o.adopted_by
    adopted.data["adopted_by"] = o.adopted_by
    deadline = t + o.lifetime_s + f.options.reap_deadline_s + 2.0
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
    snap = kit.snapshot(a.c, "orphan-exited", a.t0, orphan=o.pid)
    f.snapshots.append(snap)
    left = snap.get(o.pid)
    o.zombie_at_end = left is not None and left.state == "Z"
    return o


def _watch_stop(a: Session, reader: kit.StatReader, procs: list, f: Findings) -> Stop:  # type: ignore[type-arg]
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
    threading.Thread(target=stopper, daemon=True).start()
    pending = list(s.watched)
    while pending and not done.is_set():
        for fate in pending:
            st = reader.read(fate.pid)
            if st is None or st["state"] == "Z":
                fate.ended_s = time.monotonic() - t
                fate.status = wait_status(st["exit_code"]) if st else None  # type: ignore[arg-type]
            elif st["ppid"] == 1 and parents[fate.pid] != 1:
                fate.orphaned = True
        pending = [x for x in pending if x.ended_s is None]
        done.wait(POLL_S if reader.source == "host /proc" else 0.0)
    done.wait()
    s.took_s = time.monotonic() - t
    try:
        s.exit_code = a.c.wait(timeout=5)
        s.oom_killed = bool(a.c.state().get("OOMKilled"))
    except ProclabError as err:
        s.error = s.error or str(err)
    s.ended = s.exit_code is not None and not (s.exit_code == 137 and s.took_s >= s.grace_s - 0.05)
    return s


def _sigint_run(opts: DoctorOptions, out: dict[str, object]) -> None:
    """The second container: up, then docker kill --signal SIGINT; does it end?"""
    try:
        b = Session(opts, "sigint")
        out["name"], out["output"] = b.c.name, b.output
        try:
            b.start()
            ready: Ready = b.wait_ready()
            out["ready"] = ready
            if ready.up:
                out["stop"] = _interrupt(b, opts)
        finally:
            b.remove()
    except BaseException as err:     # re-raised by examine() in the main thread
        out["error"] = err


def _interrupt(b: Session, opts: DoctorOptions) -> Stop:
    s = Stop("SIGINT", opts.grace_s)
    t = time.monotonic()
    try:
        b.c.kill("SIGINT")
        s.exit_code = b.c.wait(timeout=opts.grace_s)
        s.ended = True
    except ProclabError as err:
        if b.c.status() not in ("exited", "dead"):
            s.ended = False        # still running after the grace period
        else:
            s.error = str(err)
    s.took_s = time.monotonic() - t
    return s

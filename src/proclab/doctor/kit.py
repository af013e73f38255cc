"""The doctor's hands inside a container: a static busybox copied in with put_archive and
run with docker exec, so an image without Python or even /bin/sh gets every check.

Only what cannot be read from outside is done here: the process table with zombies
(docker top leaves them out), making an orphan, and a process's stat line when the
host's /proc does not show the container's processes.
"""

from __future__ import annotations

import io
import os
import tarfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import engine
from ..engine import LabContainer, hostproc, images
from ..errors import ContainerError, EnvironmentProblem
from ..snapshot import Snapshot
from .procdump import BUSYBOX, DUMP, KIT_DIR, parse_dump, parse_stat

Progress = Callable[[str], None]


def _cache_path(image_id: str) -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "proclab"
    return root / f"doctor-kit-{image_id.removeprefix('sha256:')[:16]}.tar"


def archive(progress: Progress) -> bytes:
    """A tar that unpacks at / into KIT_DIR/busybox, from proclab's helper image; kept in the user's
    cache under the helper image's id, so a second examination makes no reader container."""
    tag = images.ensure("doctor", progress)
    cached = _cache_path(engine.image_config(tag).id)
    try:
        return cached.read_bytes()
    except OSError:
        pass
    kit = _from_image(tag)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}")
        tmp.write_bytes(kit)
        tmp.replace(cached)  # atomic: two doctors at once never read half a file
    except OSError:
        pass  # no cache: read from the image next time too
    return kit


def _from_image(tag: str) -> bytes:
    src = tarfile.open(fileobj=io.BytesIO(engine.file_from_image(tag, "/bin/busybox")))
    member = next((m for m in src.getmembers() if m.isfile()), None)
    body = src.extractfile(member) if member else None
    if member is None or body is None:
        raise EnvironmentProblem(
            f"{tag} holds no /bin/busybox; rebuild it with 'proclab images build'"
        )
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        folder = tarfile.TarInfo(KIT_DIR.lstrip("/"))
        folder.type, folder.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(folder)
        info = tarfile.TarInfo(BUSYBOX.lstrip("/"))
        info.size, info.mode = member.size, 0o755
        tar.addfile(info, body)
    return out.getvalue()


def install(c: LabContainer, kit: bytes, into_volume: bool = False) -> None:
    """Unpack the kit at / ; or, on a read-only root (--read-only), into the anonymous volume the
    container has at KIT_DIR (the engine writes into a volume only)."""
    if not into_volume:
        c.put_archive("/", kit)
        return
    src = tarfile.open(fileobj=io.BytesIO(kit))
    member = src.getmember(BUSYBOX.lstrip("/"))
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        info = tarfile.TarInfo("busybox")
        info.size, info.mode = member.size, 0o755
        tar.addfile(info, src.extractfile(member))
    c.put_archive(KIT_DIR, out.getvalue())


def run(c: LabContainer, script: str) -> bytes:
    """Run a busybox sh script in the container as root; its stdout. The exit code is asked for
    only when it printed nothing (one engine round trip fewer for every dump)."""
    out, err, exec_id = c.exec_output([BUSYBOX, "sh", "-c", script], user="0")
    if out:
        return out
    code = c.exec_exit_code(exec_id)
    if code != 0:
        raise ContainerError(
            f"exec {BUSYBOX} sh in",
            c.name,
            err.decode(errors="replace").strip() or f"exit code {code}",
        )
    return out


def snapshot(c: LabContainer, name: str, t0: float, **data: object) -> Snapshot:
    at = time.monotonic() - t0
    return parse_dump(run(c, DUMP), name, at, data)


def status(c: LabContainer, pid: int) -> str:
    """/proc/<pid>/status inside the container (when the host's /proc does not show it)."""
    return run(c, f"{BUSYBOX} cat /proc/{pid}/status 2>/dev/null").decode(errors="replace")


def _orphan_script(lifetime_s: float) -> str:
    """A busybox sleep whose parent (a docker exec'd shell) exits at once: pid 1 adopts it.
    Its output goes to /dev/null so the exec ends with the shell, not with the sleep."""
    return f"{BUSYBOX} sleep {lifetime_s:g} </dev/null >/dev/null 2>&1 & echo $!"


def make_orphan(c: LabContainer, lifetime_s: float) -> int | None:
    """The orphan's pid, or None if its shell printed none."""
    words = run(c, _orphan_script(lifetime_s)).split()
    return int(words[0]) if words and words[0].isdigit() else None


POLL_S = 0.01  # a watcher's pause between two reads from the host's /proc: cheap, so watch closely


class StatReader:
    """A container process's /proc/<pid>/stat, from the host's /proc when it shows the
    container (read from outside), else by docker exec. ppid comes back as a container pid."""

    def __init__(self, c: LabContainer):
        self.c = c
        self.map = c.host_pids()  # container pid -> (host pid, started)
        self.source = "host /proc" if self.map.get(1) else "docker exec"

    def learn(self) -> None:
        """Map processes started since (the orphan) to their host pids."""
        if self.source == "host /proc":
            self.map.update(self.c.host_pids())

    def host_pid(self, pid: int) -> int | None:
        return self.map[pid][0] if pid in self.map else None

    def read(self, pid: int) -> dict[str, Any] | None:
        """None when the process is gone (reaped) or the container has ended."""
        if self.source == "host /proc" and pid in self.map:
            hpid, started = self.map[pid]
            line = hostproc.read(hpid, "stat")
            if (
                line is None
                or hostproc.create_time(hpid) is None
                or abs((hostproc.create_time(hpid) or 0) - started) > 0.02
            ):
                return None
            st = parse_stat(line)
            if st is not None:  # the host's /proc names the parent by its host pid
                inside = {h: ns for ns, (h, _) in self.map.items()}
                st["ppid"] = inside.get(int(st["ppid"]), st["ppid"])
            return st
        try:
            return parse_stat(run(self.c, f"{BUSYBOX} cat /proc/{pid}/stat 2>/dev/null"))
        except ContainerError:
            return None

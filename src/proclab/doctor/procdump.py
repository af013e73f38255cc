"""The container's process table, read by a static busybox inside it: the shell script that
dumps /proc, and the parser that turns its output into a Snapshot (pure, no Docker).

The image may have no Python and no /bin/sh, so the dump is one busybox ``sh`` reading
/proc with ``cat`` and shell builtins; its own processes are marked as the probe's.
"""

from __future__ import annotations

import os
import re
from typing import Any

from ..snapshot import Process, Snapshot

KIT_DIR = "/.proclab-doctor"
BUSYBOX = f"{KIT_DIR}/busybox"

DUMP = f"""B={BUSYBOX}
echo "@SELF $$"
$B grep '^btime ' /proc/stat
echo "@STAT"
$B cat /proc/[0-9]*/stat 2>/dev/null
echo
echo "@STATUS"
$B grep -H '^Uid:' /proc/[0-9]*/status 2>/dev/null
echo "@CMDLINE"
for d in /proc/[0-9]*; do echo "@""@${{d#/proc/}}"; $B cat $d/cmdline 2>/dev/null; echo; done
echo "@PS"
$B ps -o pid,ppid,stat,user,args 2>/dev/null || $B ps
"""

STAT_LINE = re.compile(rb"^(\d+) \((.*)\) (\S) (.*)$")


def parse_stat(line: bytes | str) -> dict[str, Any] | None:
    """One /proc/<pid>/stat line: pid, comm, state, ppid, cpu, nice, threads, start ticks,
    and (Linux 3.5+) the wait status a zombie left."""
    raw = line.encode() if isinstance(line, str) else line
    m = STAT_LINE.match(raw.strip())
    if not m:
        return None
    rest = m.group(4).split()
    try:
        return {
            "pid": int(m.group(1)),
            "comm": m.group(2).decode(errors="replace"),
            "state": m.group(3).decode(),
            "ppid": int(rest[0]),
            "utime": int(rest[10]),
            "stime": int(rest[11]),
            "nice": int(rest[15]),
            "threads": int(rest[16]),
            "start": int(rest[18]),
            "exit_code": int(rest[48]) if len(rest) > 48 else None,
        }
    except (IndexError, ValueError):
        return None


def wait_status(code: int | None) -> str | None:
    """A wait status (a zombie's stat exit_code) in words: 'exit 0', 'signal 15'."""
    if code is None:
        return None
    return f"signal {code & 0x7F}" if code & 0x7F else f"exit {code >> 8}"


def _sections(out: bytes) -> dict[str, bytes]:
    parts: dict[str, bytes] = {}
    name = ""
    for line in out.split(b"\n"):
        if line.startswith(b"@") and not line.startswith(b"@@") and line[1:2].isalpha():
            name, _, value = line[1:].decode(errors="replace").partition(" ")
            parts[name] = value.encode() + b"\n" if value else b""
            continue
        parts[name] = parts.get(name, b"") + line + b"\n"
    return parts


def parse_dump(
    out: bytes, name: str, at_s: float, data: dict[str, object] | None = None
) -> Snapshot:
    """The Snapshot a DUMP run printed; the dump's own shell and its children are the probe."""
    sec = _sections(out)
    me = int((sec.get("SELF") or b"0").split()[0])
    found = re.search(rb"^btime (\d+)", sec.get("SELF", b""), re.M)
    btime = float(found.group(1)) if found else 0.0
    tick = os.sysconf("SC_CLK_TCK")
    uids = {
        int(m.group(1)): m.group(2).decode()
        for m in re.finditer(rb"/proc/(\d+)/status:Uid:\s+(\d+)", sec.get("STATUS", b""))
    }
    cmdlines: dict[int, tuple[str, ...]] = {}
    # '@@<pid>' lines, written so that the script's own text (the dump shell's cmdline) holds none
    parts = re.split(rb"(?:^|\n)@@(\d+)\n", sec.get("CMDLINE", b""))
    for pid_s, body in zip(parts[1::2], parts[2::2], strict=True):
        args = body.rstrip(b"\n").rstrip(b"\0").split(b"\0") if body.strip(b"\n\0") else []
        cmdlines[int(pid_s)] = tuple(a.decode(errors="replace") for a in args)
    procs: list[Process] = []
    for line in sec.get("STAT", b"").split(b"\n"):
        st = parse_stat(line)
        if st is None:
            continue
        pid, ppid = int(st["pid"]), int(st["ppid"])
        procs.append(
            Process(
                pid=pid,
                ppid=ppid,
                state=str(st["state"]),
                status="",
                nice=int(st["nice"]),
                name=str(st["comm"]),
                cmdline=cmdlines.get(pid, ()),
                cpu_user_s=int(st["utime"]) / tick,
                cpu_system_s=int(st["stime"]) / tick,
                create_time=btime + int(st["start"]) / tick,
                threads=int(st["threads"]),
                user=f"uid {uids[pid]}" if pid in uids else "",
                probe=pid == me or ppid == me,
            )
        )
    probe = tuple(p.pid for p in procs if p.probe)
    return Snapshot(
        name=name,
        data=dict(data or {}),
        at_s=at_s,
        announced_by=0,
        processes=procs,
        ps=(sec.get("PS") or b"").decode(errors="replace"),
        top=None,
        probe_pids=probe,
    )

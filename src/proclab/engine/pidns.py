"""Host pids and pid namespaces: a process's namespace, a tree's host pids, a sibling's task."""

from __future__ import annotations

import os

from . import hostproc


def ns_of(pid: int) -> str:
    try:
        return os.readlink(f"{hostproc.root()}/{pid}/ns/pid")
    except OSError:
        return ""


def descendants(pid: int) -> list[int]:
    """pid, its threads and every process below it, with their threads (host pids)."""
    out: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            tids = [int(t) for t in os.listdir(f"{hostproc.root()}/{p}/task")]
        except OSError:
            continue
        out.append(p)
        for tid in tids:
            if tid != p:
                out.append(tid)
            kids = hostproc.read(p, f"task/{tid}/children") or ""
            todo.extend(int(k) for k in kids.split())
    return out


def sibling(pid: int, ns: str, depth: int) -> bool:
    """Whether a live host pid is a task of another pid namespace at the container's depth (a
    neighbour container's), not ours nor one nested in ours (whose NSpid is longer)."""
    theirs = ns_of(pid)
    return bool(theirs and ns and theirs != ns and len(hostproc.nspid(pid) or ()) <= depth)

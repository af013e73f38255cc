"""What a checkpoint does outside the harness: print the process table and carry on."""

from __future__ import annotations

import os
import sys

from .probe import process_rows

COLOURS = {"R": "\033[32m", "S": "\033[34m", "D": "\033[35m", "T": "\033[33m", "Z": "\033[31;1m"}
RESET = "\033[0m"


def tree_lines(rows: list[dict]) -> list[str]:
    by_parent: dict[int, list[dict]] = {}
    pids = {r["pid"] for r in rows}
    for r in rows:
        by_parent.setdefault(r["ppid"] if r["ppid"] in pids else 0, []).append(r)
    colour = sys.stdout.isatty()
    out: list[str] = []

    def walk(parent: int, depth: int) -> None:
        for r in sorted(by_parent.get(parent, []), key=lambda r: r["pid"]):
            state = r["state"]
            if colour:
                state = f"{COLOURS.get(state, '')}{state}{RESET}"
            cmd = " ".join(r["cmdline"]) or r["name"]
            if r["state"] == "Z":
                cmd = f"[{r['name']}] <defunct>"
            out.append(
                f"{r['pid']:>6} {r['ppid']:>6}  {state}  {r['nice']:>3}  {'  ' * depth}{cmd}"
            )
            walk(r["pid"], depth + 1)

    walk(0, 0)
    return out


def show(name: str, data: dict) -> None:
    me = os.getpid()
    extra = " ".join(f"{k}={v}" for k, v in data.items())
    print(f"\n=== checkpoint {name} (from pid {me}) {extra}".rstrip(), flush=True)
    print(f"{'PID':>6} {'PPID':>6}  S  {'NI':>3}  COMMAND")
    rows, _spread_ms = process_rows()
    for line in tree_lines(rows):
        print(line)
    print(flush=True)

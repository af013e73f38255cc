"""The kernel record's cost (issue 29), in one run:

    python bench/tracing.py [--forks 1000] [--rounds 1] [--labs NAME ...] [--skip-all]

1. a burst of N forks and exits between two checkpoints: every fork and exit in the record,
   and the events lost (target: 0 lost, N forks, N exits);
2. ``proclab run --all`` wall time with and without ``--no-trace``, side by side, alternating
   (target: the record adds <= 5%); ``--labs`` runs only those labs instead (a quick look);
3. checkpoint overhead without top over zombies, orphans, reaping and fork-basics, every
   checkpoint counted, the first included (the resident probe now starts before the go):
   median and p90, with the record and without (target: median <= 8 ms).

Timings depend on the host: read them on a quiet one (the figures of a loaded host say only
that the script works).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from proclab import run_lab
from proclab.lab.kernel_record import EventKind

BURST = """
    import os, sys
    from labkit import checkpoint
    n = int(sys.argv[1])
    checkpoint("before")
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
    checkpoint("after", n=n)
"""
OVERHEAD_LABS = ("zombies", "orphans", "reaping", "fork-basics")


def burst(forks: int) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "burst"
        folder.mkdir()
        (folder / "scenario.py").write_text(textwrap.dedent(BURST))
        (folder / "lab.toml").write_text(
            f'[settings]\ntimeout_s = 300\n[[variant]]\nname = "main"\nargs = ["{forks}"]\n'
        )
        run = run_lab(str(folder)).run()
    if not run.kernel.recorded:
        print(f"1. burst: no kernel record: {run.kernel.note}")
        return False
    scenario = run.checkpoint("before").announced_by
    kids = {e.pid for e in run.events(kind=EventKind.FORK) if e.parent == scenario}
    ended = [e for e in run.events(kind=EventKind.EXIT) if e.pid in kids]
    reaped = [e for e in run.events(kind=EventKind.REAP) if e.reaper == scenario]
    unmapped = sum(1 for e in run.kernel.events if not e.mapped and e.kind != EventKind.LOST)
    ok = run.kernel.lost == 0 and len(kids) == len(ended) == len(reaped) == forks
    print(
        f"1. burst of {forks} forks+exits: {len(kids)} forks, {len(ended)} exits, {len(reaped)} reaps in the "
        f"record; {run.kernel.lost} lost; {unmapped} events of unmapped pids  "
        f"[target: 0 lost, {forks} of each] {'met' if ok else 'MISSED'}"
    )
    return ok


def wall(labs: list[str], rounds: int) -> bool:
    which = labs or ["--all"]
    times: dict[bool, list[float]] = {True: [], False: []}
    for i in range(rounds):
        for traced in (True, False) if i % 2 == 0 else (False, True):  # alternate: drift hits both
            cmd = [
                sys.executable,
                "-m",
                "proclab.cli",
                "run",
                *which,
                *([] if traced else ["--no-trace"]),
            ]
            t = time.monotonic()
            done = subprocess.run(cmd, capture_output=True, text=True)
            times[traced].append(time.monotonic() - t)
            if done.returncode not in (0, 1):
                print(
                    f"   {' '.join(cmd[3:])} exited {done.returncode}: {done.stderr.strip()[-300:]}"
                )
    on, off = statistics.median(times[True]), statistics.median(times[False])
    added = (on - off) / off * 100
    ok = added <= 5.0
    print(
        f"2. proclab run {' '.join(which)}: {on:.1f} s with the record, {off:.1f} s with --no-trace "
        f"(median of {rounds}): +{added:.1f}%  [target <= 5%] {'met' if ok else 'MISSED'}"
    )
    return ok


def overhead() -> bool:
    got: dict[bool, list[float]] = {True: [], False: []}
    for traced in (True, False):
        for name in OVERHEAD_LABS:
            result = run_lab(name, trace=traced)
            got[traced] += [
                cp.overhead_ms for cp in result.checkpoints if not cp.top and cp.name != "timeout"
            ]
    med = {k: statistics.median(v) for k, v in got.items()}
    p90 = {k: statistics.quantiles(v, n=10)[-1] if len(v) > 1 else v[0] for k, v in got.items()}
    ok = med[True] <= 8.0
    print(
        f"3. checkpoint overhead without top ({len(got[True])} checkpoints of {', '.join(OVERHEAD_LABS)}, the "
        f"first included): median {med[True]:.1f} ms, p90 {p90[True]:.1f} ms with the record; "
        f"{med[False]:.1f} / {p90[False]:.1f} ms without  [target: median <= 8 ms] {'met' if ok else 'MISSED'}"
    )
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--forks", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument(
        "--labs", nargs="*", default=[], help="run these labs in part 2 instead of --all"
    )
    ap.add_argument("--skip-all", action="store_true", help="skip part 2")
    args = ap.parse_args()
    results = [burst(args.forks)]
    if not args.skip_all:
        results.append(wall(args.labs, args.rounds))
    results.append(overhead())
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())

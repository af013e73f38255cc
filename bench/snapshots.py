"""Snapshot benchmark (issue 15): the exec probe and the resident probe side by side, in one run.

    python bench/snapshots.py [--rounds 3] [--sizes 5 50 200 500] [--many 200] [--jobs 2 4]
                              [--labs ...] [--skip-overhead] [--skip-all] [--skip-lab-tests]

1. checkpoint overhead (announced -> released, as the harness sees it), exec path vs
   resident path, with and without top: median and p90;
2. cost growth: overhead and spread (first to last process read) with 5/50/200/500
   processes in the container, and a lab of 200 checkpoints end to end;
3. ``proclab run`` wall time over the labs, serial vs ``--jobs 2`` and ``--jobs 4``
   (the labs that do not measure CPU time, unless --labs names others);
4. the lab tests' wall time before and after: ``pytest labs/`` (every built-in lab's checks as
   items, through proclab's pytest plugin) as it ran before issue 15 (the exec probe, one lab at
   a time) and now (the resident probe, ``--proclab-jobs 2``; the CPU-timing labs still alone).

Targets (issue 15), read as ratios within one run on a quiet 2-core host:
overhead without top <= 15 ms median on the fast path and >= 7x faster than exec;
with top <= top's floor + 25 ms; spread <= 5 ms at 50 processes; growth <= 0.2 ms
per process; ``--jobs 4`` <= 0.6x the serial wall time; the lab tests <= 0.7x before.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from proclab import run_lab
from proclab.engine import images
from proclab.lab import spec as labspec
from proclab.run.probe import MODE_ENV
from proclab.run.runner import is_exclusive

PATHS = ("exec", "resident")

CHECKPOINTS = """
    import sys
    from labkit import checkpoint
    n, top_every = int(sys.argv[1]), int(sys.argv[2])
    for i in range(n):
        checkpoint(f"cp{i}", top=bool(top_every) and i % top_every == 0)
"""

CROWD = """
    import subprocess, sys
    from labkit import checkpoint
    n, rounds = int(sys.argv[1]), int(sys.argv[2])
    kids = [subprocess.Popen(["sleep", "600"]) for _ in range(n - 3)]   # + tini, the scenario, the probe
    for i in range(rounds):
        checkpoint(f"crowd{i}", n=n)
    for k in kids:
        k.kill()
        k.wait()
"""


def lab(root: Path, name: str, scenario: str, args: list[str], **settings: object) -> Path:
    path = root / name
    path.mkdir()
    (path / "scenario.py").write_text(textwrap.dedent(scenario))
    extra = "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in settings.items())
    (path / "lab.toml").write_text(
        f"[settings]\ninit = true\ntimeout_s = 300\n{extra}\n"
        f'[[variant]]\nname = "main"\nargs = {args!r}\n'.replace("'", '"')
    )
    return path


def on(path: str, folder: Path):
    os.environ[MODE_ENV] = path
    result = run_lab(
        str(folder), allow=frozenset({"pids_limit", "mem_limit"})
    )  # the crowd labs need room
    if result.error or any(r.error for r in result.runs):
        raise SystemExit(
            f"{folder.name} ({path}) failed: {result.error or [r.error for r in result.runs]}"
        )
    return result


def stats(xs: list[float]) -> str:
    if not xs:
        return "n/a"
    xs = sorted(xs)
    p90 = xs[min(len(xs) - 1, int(round(0.9 * (len(xs) - 1))))]
    return f"median {statistics.median(xs):7.1f}  p90 {p90:7.1f}  (n={len(xs)})"


def overhead(root: Path, rounds: int) -> None:
    folder = lab(root, "overhead", CHECKPOINTS, ["30", "3"])  # every third checkpoint takes top
    seen: dict[tuple[str, bool], list[float]] = {(p, t): [] for p in PATHS for t in (False, True)}
    tops: list[float] = []
    for _ in range(rounds):
        for path in PATHS:  # interleaved: both paths see the same host
            for cp in on(path, folder).checkpoints[1:]:  # the first one starts the resident probe
                seen[(path, cp.top is not None)].append(cp.overhead_ms)
                if cp.top is not None:
                    tops.append(cp.timings_ms.get("views", 0.0) - cp.timings_ms.get("psutil", 0.0))
    print("1. checkpoint overhead, ms (announced -> released)")
    for top in (False, True):
        for path in PATHS:
            print(
                f"   {'with top   ' if top else 'without top'}  {path:8}  {stats(seen[(path, top)])}"
            )
        ratio = statistics.median(seen[("exec", top)]) / statistics.median(seen[("resident", top)])
        print(f"   {'with top   ' if top else 'without top'}  exec/resident = {ratio:.1f}x")
    print(f"   top's own floor inside the probe (views - psutil): {stats(tops)}")


def growth(root: Path, sizes: list[int], many: int) -> None:
    print("2. cost growth: ms per snapshot (without top) by processes in the container")
    fits: dict[str, list[tuple[int, float]]] = {p: [] for p in PATHS}
    for n in sizes:
        folder = lab(root, f"crowd{n}", CROWD, [str(n), "6"], pids_limit=n + 64, mem_limit="1g")
        for path in PATHS:
            cps = on(path, folder).checkpoints[1:]
            over = statistics.median(cp.overhead_ms for cp in cps)
            spread = statistics.median(cp.probe.spread_ms for cp in cps if cp.probe)
            fits[path].append((n, over))
            print(
                f"   {n:4} processes  {path:8}  overhead {over:7.1f}  spread {spread:6.2f}  "
                f"table {len(cps[0].processes)}"
            )
    for path, pts in fits.items():
        if len(pts) >= 2:
            (n0, t0), (n1, t1) = pts[0], pts[-1]
            line = ""
            if (
                len(pts) >= 3
            ):  # linear? the least-squares line through every size, and how far off it the worst is
                fit = statistics.linear_regression([n for n, _ in pts], [t for _, t in pts])
                worst = max(abs(t - (fit.intercept + fit.slope * n)) for n, t in pts)
                line = f"; least squares {fit.slope:.3f} ms per process, worst size {worst:.1f} ms off the line"
            print(
                f"   {path:8} growth {(t1 - t0) / (n1 - n0):.3f} ms per process ({n0} -> {n1}){line}"
            )
    folder = lab(root, "many", CHECKPOINTS, [str(many), "0"])
    for path in PATHS:
        t = time.perf_counter()
        result = on(path, folder)
        print(
            f"   a lab of {len(result.checkpoints)} checkpoints  {path:8}  wall {time.perf_counter() - t:6.1f} s"
        )


def wall(names: list[str], jobs: list[int]) -> None:
    print(f"3. proclab run over {len(names)} labs: wall time")
    os.environ.pop(MODE_ENV, None)
    base = None
    for n in [1, *jobs]:
        t = time.perf_counter()
        res = subprocess.run(
            [sys.executable, "-m", "proclab.cli", "run", *names, "--json", "--jobs", str(n)],
            capture_output=True,
            text=True,
        )
        took = time.perf_counter() - t
        base = base or took
        verdict = "every check passed" if res.returncode == 0 else f"exit {res.returncode}"
        print(f"   --jobs {n}: {took:6.1f} s  ({took / base:.2f}x serial; {verdict})")


def lab_tests(jobs: int) -> None:
    labs = Path(__file__).resolve().parent.parent / "labs"
    print(f"4. the lab tests (pytest {labs.name}/ through the plugin): wall time")
    runs = [
        ("before: exec probe, one lab at a time", {MODE_ENV: "exec"}, []),
        (f"after:  resident probe, --proclab-jobs {jobs}", {}, ["--proclab-jobs", str(jobs)]),
    ]
    base = None
    for label, env, extra in runs:
        full = {k: v for k, v in os.environ.items() if k != MODE_ENV} | env
        t = time.perf_counter()
        res = subprocess.run(
            [sys.executable, "-m", "pytest", str(labs), "-q", "-p", "no:cacheprovider", *extra],
            capture_output=True,
            text=True,
            env=full,
        )
        took = time.perf_counter() - t
        base = base or took
        tail = (
            res.stdout.strip().splitlines()[-1] if res.stdout.strip() else f"exit {res.returncode}"
        )
        print(f"   {label}: {took:6.1f} s  ({took / base:.2f}x before; {tail.strip('= ')})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sizes", type=int, nargs="*", default=[5, 50, 200, 500])
    ap.add_argument("--many", type=int, default=200)
    ap.add_argument("--jobs", type=int, nargs="*", default=[2, 4])
    ap.add_argument(
        "--labs",
        nargs="*",
        help="labs for part 3 (default: every lab that does not measure CPU time)",
    )
    ap.add_argument("--skip-all", action="store_true", help="skip part 3")
    ap.add_argument("--skip-overhead", action="store_true", help="skip part 1")
    ap.add_argument("--skip-lab-tests", action="store_true", help="skip part 4")
    ap.add_argument(
        "--lab-test-jobs", type=int, default=2, help="--proclab-jobs for part 4 (default 2)"
    )
    args = ap.parse_args()
    images.ensure("lab")
    print(
        f"host: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f} (timings are noisy: read the ratios)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_overhead:
            overhead(Path(tmp), args.rounds)
        growth(Path(tmp), args.sizes, args.many)
    if not args.skip_all:
        names = args.labs or [
            n for n in labspec.builtin_names() if not is_exclusive(labspec.resolve(n))
        ]
        wall(names, args.jobs)
    if not args.skip_lab_tests:
        lab_tests(args.lab_test_jobs)
    print(f"load at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

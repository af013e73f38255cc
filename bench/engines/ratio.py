"""How much a second engine speeds up a run of many labs (issue 33, item 4).

    python bench/engines/ratio.py --engine URL_A --engine URL_B [--jobs N] [--labs a b c] [--rounds R]

Times the same labs with ``proclab run LABS --jobs N --engine A`` (one engine) and with
``--engine A --engine B`` (the labs shared between them, N at a time on each), alternating the
two R times, each run in a fresh process with --json; prints the wall times, their medians and the
ratio (two engines / one). A run whose labs did not all pass is reported and not counted.

The default labs are every built-in lab that measures no CPU time (the CPU-timing ones run alone
on each engine and would measure the lock, not the engines). Two engines on one machine share its
CPUs: there the ratio says how much of a run is the engine's own bookkeeping (API calls, container
create/start/remove), not the labs' work; engines on two machines also split the CPU time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time


def labs_default() -> list[str]:
    from proclab.lab import spec as labspec
    from proclab.run.runner import is_exclusive

    return [n for n in labspec.builtin_names() if not is_exclusive(labspec.resolve(n))]


def one_run(labs: list[str], engines: list[str], jobs: int) -> tuple[float, bool, dict[str, int]]:
    """(wall seconds, every lab passed, labs per engine) of one 'proclab run'."""
    cmd = [sys.executable, "-m", "proclab.cli", "run", *labs, "--jobs", str(jobs), "--json"]
    for e in engines:
        cmd += ["--engine", e]
    t = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - t
    try:
        doc = json.loads(proc.stdout)
    except ValueError:
        print(
            f"  a run printed no JSON (exit {proc.returncode}): {proc.stderr.strip()[-400:]}",
            file=sys.stderr,
        )
        return wall, False, {}
    per: dict[str, int] = {}
    for lab in doc.get("labs", [doc]):
        per[lab.get("engine", "?")] = per.get(lab.get("engine", "?"), 0) + 1
    return wall, bool(doc.get("passed")), per


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--engine", action="append", required=True, help="an engine URL or context (give two)"
    )
    ap.add_argument("--jobs", type=int, default=2, help="labs at a time on each engine (default 2)")
    ap.add_argument(
        "--labs", nargs="+", help="the labs (default: every lab that measures no CPU time)"
    )
    ap.add_argument(
        "--rounds", type=int, default=3, help="alternations of one and two engines (default 3)"
    )
    args = ap.parse_args()
    if len(args.engine) != 2:
        ap.error("give exactly two --engine")
    labs = args.labs or labs_default()
    print(
        f"{len(labs)} labs, --jobs {args.jobs}, {args.rounds} rounds; one engine: {args.engine[0]}; "
        f"two: {' + '.join(args.engine)}"
    )
    times: dict[str, list[float]] = {"one": [], "two": []}
    for r in range(1, args.rounds + 1):
        for name, engines in (("one", args.engine[:1]), ("two", args.engine)):
            wall, passed, per = one_run(labs, engines, args.jobs)
            shares = ", ".join(f"{n} on {e}" for e, n in per.items())
            print(
                f"  round {r}, {name} engine{'s' if name == 'two' else ''}: {wall:6.1f} s "
                f"({'all passed' if passed else 'NOT all passed: not counted'}; {shares})"
            )
            if passed:
                times[name].append(wall)
    if not times["one"] or not times["two"]:
        print("no comparable runs: nothing to compare")
        return 1
    one, two = statistics.median(times["one"]), statistics.median(times["two"])
    print(
        f"median wall time: one engine {one:.1f} s, two engines {two:.1f} s: ratio {two / one:.2f} "
        f"(speed-up {one / two:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Fidelity benchmark (issue 4): how closely the priority and parallelism labs reproduce the model.

    python bench/fidelity.py [--runs 5]

Runs both labs --runs times in real containers (each run holds the exclusive lab
lock, so no other lab runs beside it) and prints, median and spread (min-max):

- priority, one CPU: measured / expected CPU share per nice level (CFS weights);
  nice 0 / nice 10 CPU time on two CPUs and under --cpus 1.0 (weights say 9.3 on one CPU);
- parallelism: wall-time speedup of 2 CPUs over 1 for 2 and 3 workers (target >= 1.7x),
  CPUs busy on two CPUs and under the quota, and the I/O concurrency ratio on one CPU
  (4 I/O-bound workers' wall time / 1's; ideal 1.0);
- the CPUs the host's other processes left free (the figures mean little when it is far below 2).

The figures come from the labs' own helpers in their checks.py, so the benchmark
measures exactly what the checks see.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import defaultdict

from proclab import run_lab
from proclab.checks import load_checks
from proclab.lab import spec as labspec

SPEEDUP_TARGET = 1.7


def helpers(lab: str) -> dict:
    spec = labspec.resolve(lab)
    checks = load_checks(spec.checks_file, spec.name)
    return checks[0].fn.__globals__  # the lab's checks.py module namespace


def spread(xs: list[float], fmt: str = "{:.3f}") -> str:
    xs = [x for x in xs if x is not None]
    if not xs:
        return "n/a"
    return (
        f"median {fmt.format(statistics.median(xs))}  (min {fmt.format(min(xs))}, "
        f"max {fmt.format(max(xs))}, n={len(xs)})"
    )


def priority_figures(ns: dict, result) -> dict[str, float]:
    out: dict[str, float] = {}
    ws, _ = ns["window"](result, "one-cpu")
    total = sum(w.cpu_s for w in ws)
    wt = sum(ns["WEIGHTS"][w.nice] for w in ws)
    for w in ws:
        out[f"share nice {w.nice:>2}: measured/expected"] = (w.cpu_s / total) / (
            ns["WEIGHTS"][w.nice] / wt
        )
    out["free CPUs (one-cpu window)"] = ns["free_cpus"](result, "one-cpu")
    for v in ("two-cpus", "quota"):
        vws, data = ns["window"](result, v)
        out[f"{v}: nice 0 / nice 10 CPU time"] = ns["ratio_0_10"](vws)
        out[f"{v}: CPUs busy"] = sum(w.cpu_s for w in vws) / data["wall_s"]
        out[f"{v}: free CPUs"] = ns["free_cpus"](result, v)
    return out


def parallelism_figures(ns: dict, result) -> dict[str, float]:
    out: dict[str, float] = {}
    r = ns["round_of"]
    for n in (2, 3):
        one, two = r(result, "one-cpu", "cpu", n), r(result, "two-cpus", "cpu", n)
        out[f"speedup 2 CPUs / 1 CPU, {n} workers"] = one.wall_s / two.wall_s
        out[f"CPUs busy, 2 CPUs, {n} workers"] = two.cores
        out[f"free CPUs, 2 CPUs, {n} workers"] = two.capacity
    q = r(result, "quota", "cpu", 2)
    out["CPUs busy under --cpus 1.0"] = q.cores
    out["I/O concurrency ratio (4 workers / 1, one CPU)"] = (
        r(result, "one-cpu", "io", 4).wall_s / r(result, "one-cpu", "io", 1).wall_s
    )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)

    jobs = [("priority", None, priority_figures), ("parallelism", None, parallelism_figures)]
    for lab, variants, figures in jobs:
        ns = helpers(lab)
        series: dict[str, list[float]] = defaultdict(list)
        passed = 0
        for i in range(args.runs):
            result = run_lab(lab, variants=variants)
            passed += result.passed
            failed = [
                ("? " if c.inconclusive else "") + c.name for c in result.checks if not c.passed
            ]
            try:
                for k, v in figures(ns, result).items():
                    series[k].append(v)
            except LookupError as err:
                print(f"  run {i + 1}: incomplete: {err}", file=sys.stderr)
            print(
                f"  {lab} run {i + 1}/{args.runs}: {result.verdict} "
                f"in {result.duration_s:.1f}s" + (f" ({'; '.join(failed)})" if failed else ""),
                file=sys.stderr,
                flush=True,
            )
        print(f"\n{lab}: {passed}/{args.runs} runs passed every check")
        width = max(len(k) for k in series) if series else 0
        for k, xs in series.items():
            print(f"  {k:<{width}}  {spread(xs)}")
        if lab == "parallelism":
            for n in (2, 3):
                xs = series.get(f"speedup 2 CPUs / 1 CPU, {n} workers", [])
                if xs:
                    med = statistics.median(xs)
                    print(
                        f"  speedup target {SPEEDUP_TARGET}x for {n} workers: median {med:.2f}x "
                        f"{'meets' if med >= SPEEDUP_TARGET else 'MISSES'} it"
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

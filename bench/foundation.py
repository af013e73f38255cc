"""Foundation benchmark (issue 2): container start, checkpoint overhead, lab wall time.

    python bench/foundation.py [--runs 5] [--labs fork-basics orphans zombies reaping]

Prints medians over warm runs. Targets on a 2-core machine: checkpoint
overhead <= 150 ms median (checkpoints without top), the four foundation
labs together <= 20 s. Timings are noisy: read them as ratios within one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from proclab import engine, run_lab
from proclab.engine import images

FOUNDATION = ["fork-basics", "orphans", "zombies", "reaping"]


def container_start(image: str, runs: int) -> list[float]:
    c = engine.client()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        cont = c.containers.run(
            image, ["true"], detach=True, labels=engine.labels(lab="bench"), network_mode="none"
        )
        cont.wait()
        out.append(time.perf_counter() - t)
        cont.remove(force=True)
    return out


def fmt(xs: list[float], unit: str = "s", scale: float = 1.0) -> str:
    if not xs:
        return "n/a"
    med = statistics.median(xs) * scale
    return f"median {med:7.1f} {unit}  (min {min(xs) * scale:.1f}, max {max(xs) * scale:.1f}, n={len(xs)})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--labs", nargs="*", default=FOUNDATION)
    args = ap.parse_args()

    image = images.ensure("lab")
    t = time.perf_counter()
    images.ensure("lab")
    print(f"images up to date check: {time.perf_counter() - t:.2f} s")
    run_lab(args.labs[0])  # warm-up

    starts = container_start(image, args.runs)
    print(f"container start+exit (true):    {fmt(starts, 'ms', 1000)}")

    with_top, without_top = [], []
    lab_times: dict[str, list[float]] = {n: [] for n in args.labs}
    totals = []
    failures = 0
    for _ in range(args.runs):
        total = 0.0
        for name in args.labs:
            r = run_lab(name)
            failures += not r.passed
            lab_times[name].append(r.duration_s)
            total += r.duration_s
            for cp in r.checkpoints:
                (with_top if cp.top else without_top).append(cp.overhead_ms / 1000)
        totals.append(total)
    print(f"checkpoint overhead, no top:    {fmt(without_top, 'ms', 1000)}")
    print(f"checkpoint overhead, with top:  {fmt(with_top, 'ms', 1000)}")
    for name, xs in lab_times.items():
        print(f"lab {name:<14}             {fmt(xs)}")
    print(f"{len(args.labs)} labs together:            {fmt(totals)}")
    print(f"failed runs: {failures}")
    left = engine.proclab_containers()
    print(f"proclab containers left: {len(left)}")
    return 1 if failures or left else 0


if __name__ == "__main__":
    sys.exit(main())

"""Soak: run the whole lab suite N times in a row; report failures per lab and leaked resources.

    python bench/soak.py [-n 20] [--labs zombies forkbomb ...] [--json soak.json]

Each round runs every built-in lab (or the ones named) through ``proclab.run_lab``,
in real containers. After every lab it looks for resources this process owns that
are still there (containers, networks, volumes carrying the proclab labels): each is
a leak. After the last round it also lists proclab containers left by *dead* runs
(which the next proclab command would sweep). Goal: 0 failures, 0 leaks.
Exit status 0 when both are 0, else 1.
"""
from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import time

from proclab import engine, labspec, run_lab
from proclab.errors import ProclabError


def ours() -> list[str]:
    """Every proclab-labelled container, network and volume this process still owns."""
    c = engine.client()
    mine = {engine.LABEL: "1", engine.OWNER_LABEL: engine.OWNER}
    filt = {"label": [f"{k}={v}" for k, v in mine.items()]}
    return ([f"container {x.name}" for x in c.containers.list(all=True, filters=filt)]
            + [f"network {x.name}" for x in c.networks.list(filters=filt)]
            + [f"volume {x.name}" for x in c.volumes.list(filters=filt)])


def stale_of_dead_runs() -> list[str]:
    out = []
    for cont in engine.proclab_containers():
        owner = cont.labels.get(engine.OWNER_LABEL, "")
        if owner and not cont.labels.get("proclab.keep") and not engine.owner_alive(owner):
            out.append(f"container {cont.name} (owner {owner} is dead)")
    return out


def why(result) -> list[str]:
    """Short reasons a lab result failed: its failed checks, run errors, unexpected timeouts."""
    reasons = [f"check: {c.name}" for c in result.checks if not c.passed]
    for r in result.runs:
        if r.error:
            reasons.append(f"run {r.variant}: {r.error[:120]}")
        if r.timed_out != r.expect_timeout:
            reasons.append(f"run {r.variant}: timed_out={r.timed_out}")
    if result.error:
        reasons.append(f"lab: {result.error[:120]}")
    return reasons or ["failed (no reason recorded)"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--rounds", type=int, default=20, help="times to run the suite (default 20)")
    ap.add_argument("--labs", nargs="*", help="only these labs (default: every built-in lab)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON here")
    args = ap.parse_args(argv)

    names = args.labs or labspec.builtin_names()
    engine.client()
    runs: dict[str, int] = collections.Counter()
    failed: dict[str, int] = collections.Counter()
    fails: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    times: dict[str, list[float]] = collections.defaultdict(list)
    leaks: list[str] = []
    t0 = time.monotonic()
    for rnd in range(1, args.rounds + 1):
        t_round = time.monotonic()
        bad = 0
        for name in names:
            t = time.monotonic()
            try:
                result = run_lab(name)
                ok, reasons = result.passed, ([] if result.passed else why(result))
            except ProclabError as err:
                ok, reasons = False, [f"error: {err}"[:160]]
            except Exception as err:  # a harness crash is a failure to count, not a reason to stop
                ok, reasons = False, [f"harness crashed: {type(err).__name__}: {err}"[:160]]
            times[name].append(time.monotonic() - t)
            runs[name] += 1
            for r in reasons:
                fails[name][r] += 1
            bad += not ok
            failed[name] += not ok
            left = ours()
            if left:
                leaks += [f"round {rnd}, after {name}: {x}" for x in left]
        print(f"round {rnd}/{args.rounds}: {len(names) - bad}/{len(names)} labs passed, "
              f"{time.monotonic() - t_round:.1f}s, leaks so far {len(leaks)}", flush=True)

    still_there = sum(1 for c in engine.proclab_containers() if c.labels.get(engine.OWNER_LABEL) == engine.OWNER)
    dead = stale_of_dead_runs()
    print(f"\nsoak: {args.rounds} rounds of {len(names)} labs in {time.monotonic() - t0:.0f}s")
    print(f"{'lab':<22} {'runs':>4} {'failed':>6} {'median s':>8} {'max s':>6}  reasons")
    for name in names:
        reasons = "; ".join(f"{r} x{k}" for r, k in fails[name].most_common(3))
        print(f"{name:<22} {runs[name]:>4} {failed[name]:>6} {statistics.median(times[name]):>8.2f} "
              f"{max(times[name]):>6.2f}  {reasons}")
    print(f"\nleaked resources of this soak: {len(leaks)}; containers of this soak still there: {still_there}; "
          f"left by dead runs (swept by the next proclab command): {len(dead)}")
    for x in leaks[:20] + dead[:20]:
        print(f"  {x}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rounds": args.rounds, "labs": names, "runs": runs, "failed": failed,
                       "failures": {k: dict(v) for k, v in fails.items()},
                       "median_s": {k: statistics.median(v) for k, v in times.items()},
                       "leaks": leaks, "dead_runs_left": dead}, f, indent=2)
    return 0 if not sum(failed.values()) and not leaks and not still_there else 1


if __name__ == "__main__":
    sys.exit(main())

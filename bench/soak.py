"""Soak: run the whole lab suite N times in a row; report failures per lab and leaked resources.

    python bench/soak.py [-n 20] [--labs zombies forkbomb ...] [--load N] [--python 3.14] [--jobs N]
                         [--json soak.json]

Each round runs every built-in lab (or the ones named) through ``proclab.run_lab``,
in real containers. After every lab it looks for resources this process owns that
are still there (containers, networks, volumes carrying the proclab labels): each is
a leak. At the end it also lists proclab containers left by *dead* runs (which the
next proclab command would sweep).

``--load N`` keeps N CPU-burning processes running on the host, outside Docker, for
the whole soak (bench/load.py): the CPU-timing labs must then say *inconclusive*
(counted, allowed), never fail for physics. A traceback is a harness crash or a
check that raised. Goal (issue 14): over 10 rounds 0 failures, 0 leaks, 0 tracebacks.
``--python 3.14`` runs every lab on the Python 3.14 image; ``--jobs N`` runs each round's labs N
at a time as ``proclab run --all --jobs N`` does (the CPU-timing labs alone, after the others):
a race that only shows when labs run side by side then shows here too.
Exit status 0 when all three are 0, else 1. Ctrl-C (or SIGTERM) stops after cleaning
up and prints the summary of the rounds so far; --json is rewritten after every round.
"""

from __future__ import annotations

import argparse
import collections
import json
import signal
import statistics
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from proclab import engine, run_lab
from proclab.errors import ProclabError
from proclab.lab import spec as labspec
from proclab.paths import reports_dir
from proclab.run.runner import is_exclusive

sys.path.insert(0, str(Path(__file__).parent))
from load import Load  # bench/ is a folder of scripts, not a package


def ours() -> list[str]:
    """Every proclab-labelled container, network and volume this process still owns."""
    c = engine.client()
    filt = {"label": [f"{engine.LABEL}=1", f"{engine.OWNER_LABEL}={engine.owner()}"]}
    return (
        [f"container {x.name}" for x in c.containers.list(all=True, filters=filt)]
        + [f"network {x.name}" for x in c.networks.list(filters=filt)]
        + [f"volume {x.name}" for x in c.volumes.list(filters=filt)]
    )


def listed(fn) -> list[str]:
    """What fn() lists, or one line saying the engine could not list (a busy engine is not a leak)."""
    try:
        return fn()
    except ProclabError as err:
        print(f"  (could not list resources: {err})", flush=True)
        return []


def stale_of_dead_runs() -> list[str]:
    out = []
    for cont in engine.proclab_containers():
        owner = cont.labels.get(engine.OWNER_LABEL, "")
        if owner and not cont.labels.get(engine.KEEP_LABEL) and not engine.owner_alive(owner):
            out.append(f"container {cont.name} (owner {owner} is dead)")
    return out


def why(result) -> list[str]:
    """Short reasons a lab result failed: its failed checks, run errors, unexpected timeouts."""
    reasons = [f"check: {c.name}" for c in result.checks if c.failed]
    for r in result.runs:
        if r.error:
            reasons.append(f"run {r.variant}: {r.error[:120]}")
        if r.timed_out != r.expect_timeout:
            reasons.append(f"run {r.variant}: timed_out={r.timed_out}")
    if result.error:
        reasons.append(f"lab: {result.error[:120]}")
    return reasons or ["failed (no reason recorded)"]


@dataclass
class Tally:
    labs: list[str]
    rounds: int = 0  # rounds completed
    runs: collections.Counter = field(default_factory=collections.Counter)
    failed: collections.Counter = field(default_factory=collections.Counter)
    reasons: dict = field(default_factory=lambda: collections.defaultdict(collections.Counter))
    times: dict = field(default_factory=lambda: collections.defaultdict(list))
    leaks: list[str] = field(default_factory=list)
    inconclusive: collections.Counter = field(
        default_factory=collections.Counter
    )  # checks, per lab
    tracebacks: list[str] = field(default_factory=list)
    load: int = 0
    python: str | None = None  # the lab image's Python (None: each lab's own)
    jobs: int = 1  # labs at a time

    def to_dict(self, dead: list[str]) -> dict:
        return {
            "rounds": self.rounds,
            "labs": self.labs,
            "load": self.load,
            "python": self.python,
            "jobs": self.jobs,
            "runs": self.runs,
            "failed": self.failed,
            "inconclusive_checks": self.inconclusive,
            "tracebacks": self.tracebacks,
            "failures": {k: dict(v) for k, v in self.reasons.items()},
            "median_s": {k: round(statistics.median(v), 2) for k, v in self.times.items()},
            "leaks": self.leaks,
            "dead_runs_left": dead,
        }


def keep(result) -> str:
    """Save a failed result whole (the --json document), so its evidence outlives the soak."""
    folder = reports_dir() / "soak-failures"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.lab}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result.to_dict(), indent=1))
    return str(path)


@dataclass
class Outcome:
    ok: bool
    reasons: list[str] = field(default_factory=list)
    inconclusive: int = 0  # checks that could not measure (allowed)
    tracebacks: list[str] = field(default_factory=list)


def run_one(name: str, python: str | None = None) -> Outcome:
    try:
        result = run_lab(name, python=python)
    except ProclabError as err:
        return Outcome(False, [f"error: {err}"[:160]])
    except Exception as err:  # a harness crash is a failure to count, not a reason to stop
        crash = f"harness crashed: {type(err).__name__}: {err}"[:160]
        traceback.print_exc()
        return Outcome(False, [crash], tracebacks=[f"{name}: {crash}"])
    raised = [
        f"{name}: {c.name}: {c.detail}"[:200]
        for c in result.checks
        if "the check raised" in c.detail
    ]
    out = Outcome(not result.failed, [], result.counts()["inconclusive"], raised)
    if result.failed:
        print(f"  {name} failed: evidence in {keep(result)}", flush=True)
        out.reasons = why(result)
    return out


def one_round(rnd: int, total: int, t: Tally) -> None:
    t_round = time.monotonic()
    failing = []
    inconclusive, tracebacks = 0, 0

    def timed(name: str) -> tuple[str, Outcome, float]:
        t0 = time.monotonic()
        out = run_one(name, t.python)
        return name, out, time.monotonic() - t0

    if t.jobs > 1:  # side by side, the CPU-timing labs alone after the others (as run --all --jobs)
        alone = [n for n in t.labs if is_exclusive(labspec.resolve(n))]
        with ThreadPoolExecutor(t.jobs) as pool:
            done = list(pool.map(timed, [n for n in t.labs if n not in alone]))
        done += [timed(n) for n in alone]
    else:
        done = [timed(n) for n in t.labs]
    for name, out, took in done:
        t.times[name].append(took)
        t.runs[name] += 1
        t.failed[name] += not out.ok
        t.reasons[name].update(out.reasons)
        t.inconclusive[name] += out.inconclusive
        t.tracebacks += [f"round {rnd}: {x}" for x in out.tracebacks]
        inconclusive, tracebacks = inconclusive + out.inconclusive, tracebacks + len(out.tracebacks)
        if not out.ok:
            failing.append(f"{name} ({out.reasons[0][:70]})")
        t.leaks += [f"round {rnd}, after {name}: {x}" for x in listed(ours)]
    print(
        f"round {rnd}/{total}: {len(t.labs) - len(failing)}/{len(t.labs)} labs without failure, "
        f"{inconclusive} checks inconclusive, {tracebacks} tracebacks, {time.monotonic() - t_round:.1f}s, "
        f"leaks so far {len(t.leaks)}" + (f"; failed: {', '.join(failing)}" if failing else ""),
        flush=True,
    )


def report(t: Tally, seconds: float, json_path: str | None) -> int:
    still_there = len(listed(ours))
    dead = listed(stale_of_dead_runs)
    print(
        f"\nsoak: {t.rounds} rounds of {len(t.labs)} labs in {seconds:.0f}s"
        + (f", under {t.load} CPU-burning host processes" if t.load else "")
        + (f", on Python {t.python}" if t.python else "")
        + (f", {t.jobs} labs at a time" if t.jobs > 1 else "")
    )
    print(
        f"{'lab':<22} {'runs':>4} {'failed':>6} {'incon.':>6} {'median s':>8} {'max s':>6}  reasons"
    )
    for name in t.labs:
        if t.times[name]:
            reasons = "; ".join(f"{r} x{k}" for r, k in t.reasons[name].most_common(3))
            print(
                f"{name:<22} {t.runs[name]:>4} {t.failed[name]:>6} {t.inconclusive[name]:>6} "
                f"{statistics.median(t.times[name]):>8.2f} {max(t.times[name]):>6.2f}  {reasons}"
            )
    print(
        f"\nfailed runs: {sum(t.failed.values())} of {sum(t.runs.values())}; inconclusive checks: "
        f"{sum(t.inconclusive.values())} (allowed); tracebacks: {len(t.tracebacks)}; leaked resources: "
        f"{len(t.leaks)}; this soak's resources still there: {still_there}; left by dead runs (the next "
        f"proclab command sweeps them): {len(dead)}"
    )
    for x in t.leaks[:20] + dead[:20] + t.tracebacks[:20]:
        print(f"  {x}")
    if json_path:
        with open(json_path, "w") as f:
            json.dump(t.to_dict(dead), f, indent=2)
    return (
        0
        if not sum(t.failed.values()) and not t.leaks and not still_there and not t.tracebacks
        else 1
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "-n", "--rounds", type=int, default=20, help="times to run the suite (default 20)"
    )
    ap.add_argument("--labs", nargs="*", help="only these labs (default: every built-in lab)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON here")
    ap.add_argument(
        "--load",
        type=int,
        default=0,
        metavar="N",
        help="keep N CPU-burning processes running on the host (outside Docker) meanwhile",
    )
    ap.add_argument(
        "--python",
        choices=["3.11", "3.14"],
        help="the lab image's Python (default: each lab's own)",
    )
    ap.add_argument(
        "--jobs", type=int, default=1, metavar="N", help="run N labs at a time (default 1)"
    )
    args = ap.parse_args(argv)

    tally = Tally(
        labs=args.labs or labspec.builtin_names(),
        load=args.load,
        python=args.python,
        jobs=args.jobs,
    )
    engine.client()
    load = Load(args.load, max_s=24 * 3600) if args.load > 0 else None

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)  # the runner then removes its container, as on Ctrl-C
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    t0 = time.monotonic()
    try:
        for rnd in range(1, args.rounds + 1):
            one_round(rnd, args.rounds, tally)
            tally.rounds = rnd
            if args.json:
                with open(args.json, "w") as f:
                    json.dump(tally.to_dict([]), f, indent=2)
    except KeyboardInterrupt:
        print(
            f"interrupted in round {tally.rounds + 1}: the summary counts the labs run so far",
            flush=True,
        )
    finally:
        if load:
            load.stop()
    return report(tally, time.monotonic() - t0, args.json)


if __name__ == "__main__":
    sys.exit(main())

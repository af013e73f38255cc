"""proclab doctor's speed (issue 30 item 9, issue 35 item 5): the whole examination, CLI included,
on a healthy image, a misbehaving one and a daemon with a HEALTHCHECK, from the gallery
(tests/labs/data/doctor-gallery), with where the time went, step by step.

    PROCLAB_IMAGE_TAG=... python bench/doctor.py [--runs 3] [--grace 5]

Targets: a healthy image (tini + a program) in at most 3 s; a misbehaving one (a Python pid 1
with no SIGTERM handler: SIGKILLed at the end of the grace period) in at most grace + 2 s; a
daemon with a HEALTHCHECK (nginx, 1 s interval) within its first healthy report + 2 s. Prints
medians, and per step (the --json document's runs[0].settings.timings) the median seconds and
share of the examination; "outside" is the CLI's own (Python's start, imports, the verdicts,
the document). A busy host makes them slower: read the shares, and the seconds on a quiet one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from typing import Any

from proclab.engine import images

D = "tests/labs/data/doctor-gallery"
CASES = {
    "healthy (tini)": "tini",
    "misbehaving (python pid 1)": "python-pid1",
    "HEALTHCHECK (nginx)": "nginx",
}


def once(tag: str, grace: int) -> tuple[float, dict[str, Any]]:
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "proclab.cli", "doctor", "-t", str(grace), "--json", tag],
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - t
    return took, json.loads(out.stdout)


def steps(took: float, doc: dict[str, Any]) -> dict[str, float]:
    """container/step -> seconds (repeats summed); 'examination' its whole; 'outside' the rest."""
    spans = doc["runs"][0]["settings"].get("timings", [])
    out: dict[str, float] = defaultdict(float)
    for s in spans:
        out[f"{s['container'] or '-'}/{s['step']}"] += s["took_s"]
    whole = max((s["start_s"] + s["took_s"] for s in spans), default=0.0)
    out["examination"] = whole
    out["outside"] = took - whole
    return out


def breakdown(runs: list[tuple[float, dict[str, Any]]]) -> None:
    per = [steps(took, doc) for took, doc in runs]
    keys = sorted({k for p in per for k in p}, key=lambda k: (k in ("examination", "outside"), k))
    whole = statistics.median(p["examination"] for p in per) or 1.0
    for k in keys:
        med = statistics.median(p.get(k, 0.0) for p in per)
        print(f"    {k:34} {med:6.3f} s  {100 * med / whole:5.1f}% of the examination")


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--grace", type=int, default=5)
    args = ap.parse_args()
    images.ensure("doctor")
    failed = False
    for label, stage in CASES.items():
        tag = images.build(
            images.ImageSpec(f"doctor-gallery-{stage}", f"{D}/Dockerfile", (D,), target=stage)
        )
        once(tag, args.grace)  # warm: the kit, the page cache
        runs = [once(tag, args.grace) for _ in range(args.runs)]
        took = [t for t, _ in runs]
        doc = runs[-1][1]
        ready = doc["runs"][0]["settings"]["ready"]
        target = (
            args.grace + 2
            if stage == "python-pid1"
            else ready["after_s"] + 2
            if ready["how"] == "healthy"
            else 3.0
        )
        med = statistics.median(took)
        ok = med <= target
        failed |= not ok
        print(
            f"{label:28} median {med:5.2f} s (min {min(took):.2f}, max {max(took):.2f}, n={len(took)}); "
            f"up by {ready['how']} after {ready['after_s']:.2f} s; target <= {target:.1f} s: "
            f"{'met' if ok else 'NOT met'}; verdict {'HEALTHY' if doc['passed'] else 'problems'}"
        )
        breakdown(runs)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

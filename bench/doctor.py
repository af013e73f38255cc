"""proclab doctor's speed (issue 30 item 9, issue 35 item 5): the whole examination, CLI included,
on a healthy image and a misbehaving one, from the gallery (tests/labs/data/doctor-gallery).

    PROCLAB_IMAGE_TAG=... python bench/doctor.py [--runs 3] [--grace 5]

Targets: a healthy image (tini + a program) in at most 3 s; a misbehaving one (a Python pid 1
with no SIGTERM handler: SIGKILLed at the end of the grace period) in at most grace + 2 s; a
daemon with a HEALTHCHECK (nginx, 1 s interval) within its first healthy report + 2 s. Prints
medians; a busy host makes them slower: read them on a quiet one.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

from proclab.engine import images

D = "tests/labs/data/doctor-gallery"
CASES = {"healthy (tini)": "tini", "misbehaving (python pid 1)": "python-pid1",
         "HEALTHCHECK (nginx)": "nginx"}


def once(tag: str, grace: int) -> tuple[float, dict]:
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "proclab.cli", "doctor", "-t", str(grace), "--json", tag],
                         capture_output=True, text=True)
    took = time.perf_counter() - t
    return took, json.loads(out.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--grace", type=int, default=5)
    args = ap.parse_args()
    images.ensure("doctor")
    failed = False
    for label, stage in CASES.items():
        tag = images.build(images.ImageSpec(f"doctor-gallery-{stage}", f"{D}/Dockerfile", (D,), target=stage))
        once(tag, args.grace)                                   # warm: the kit, the page cache
        runs = [once(tag, args.grace) for _ in range(args.runs)]
        took = [t for t, _ in runs]
        doc = runs[-1][1]
        ready = doc["runs"][0]["settings"]["ready"]
        target = (args.grace + 2 if stage == "python-pid1" else
                  ready["after_s"] + 2 if ready["how"] == "healthy" else 3.0)
        med = statistics.median(took)
        ok = med <= target
        failed |= not ok
        print(f"{label:28} median {med:5.2f} s (min {min(took):.2f}, max {max(took):.2f}, n={len(took)}); "
              f"up by {ready['how']} after {ready['after_s']:.2f} s; target <= {target:.1f} s: "
              f"{'met' if ok else 'NOT met'}; verdict {'HEALTHY' if doc['passed'] else 'problems'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Helpers for lab tests that read a result the way --json shows it."""

from __future__ import annotations

from typing import Any

from proclab.checks import load_checks, run_checks
from proclab.lab import spec as labspec
from tests.support.documents import as_printed


def check_figures(result) -> dict[str, dict[str, Any]]:
    """Each check's figures by check name, from exactly what --json prints."""
    doc = as_printed(result)
    return {c["name"]: c.get("figures", {}) for c in doc["checks"]}


def figures(result, starts: str) -> dict[str, Any]:
    """The figures of the first check whose name starts with ``starts``, as --json prints them."""
    return named(check_figures(result), starts)


def check_verdicts(lab: str, result) -> dict[str, bool]:
    """Run the lab's checks again on a (possibly altered) result: name -> passed."""
    checks = load_checks(labspec.resolve(lab).checks_file, lab)
    return {c.name: c.passed for c in run_checks(checks, result)}


def with_variants_swapped(result, swap: dict[str, str]):
    """A copy of a result whose runs (and their checkpoints) carry each other's variant names:
    the checks then read one configuration's data as another's, and must fail."""
    import dataclasses

    runs = []
    for r in result.runs:
        new = dataclasses.replace(r, variant=swap.get(r.variant, r.variant))
        new.checkpoints = [dataclasses.replace(cp, run=new.variant) for cp in r.checkpoints]
        runs.append(new)
    return dataclasses.replace(result, runs=runs, checks=[], charts=[], artifacts=[])


def named(d: dict, start: str):
    """The value whose key (a check name) starts with ``start``."""
    return next(v for k, v in d.items() if k.startswith(start))


def assert_hang_caught(result, variant: str, main: str = "main") -> None:
    """A hang variant timed out as expected, within a few seconds, with a final
    'timeout' snapshot, while the main variant did not; no container is left."""
    from proclab import engine

    hang = result.run(variant)
    assert hang.timed_out and hang.expect_timeout and hang.error is None
    timeout_s = hang.settings.timeout_s
    assert timeout_s <= 5, "a hang variant should give up within a few seconds"
    assert hang.duration_s < timeout_s + 5, (
        f"caught {hang.duration_s:.1f} s after start (timeout {timeout_s} s)"
    )
    assert [cp.name for cp in hang.checkpoints][-1] == "timeout"
    assert not result.run(main).timed_out
    left = [
        c.name for c in engine.proclab_containers() if c.name in {r.container for r in result.runs}
    ]
    assert not left, f"containers left behind: {left}"

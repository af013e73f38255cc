"""A lab test's verdict on a LabResult: explain() says why it failed, assert_passed() fails,
skips (inconclusive on a busy host) or passes the test."""

from __future__ import annotations

import pytest


def explain(result) -> str:
    """A failure message with the failed checks and the scenario's output."""
    lines = [f"lab {result.lab} failed"]
    if result.error:
        lines.append(f"error: {result.error}")
    for r in result.runs:
        if r.error or (r.timed_out != r.expect_timeout):
            lines.append(
                f"run {r.variant}: exit={r.exit_code} timed_out={r.timed_out} error={r.error}"
            )
    for c in result.checks:
        if not c.passed:
            lines.append(f"  {'?' if c.inconclusive else '✘'} {c.name}: {c.detail}")
    lines.append("output:\n" + result.output[-3000:])
    return "\n".join(lines)


def assert_passed(result) -> None:
    """A lab test's verdict: a failed lab fails the test; a lab whose only trouble is inconclusive
    checks (the host left too little CPU free to measure) skips it with their reasons; never a pass
    without the measurement."""
    assert not result.failed, explain(result)
    if result.verdict == "inconclusive":
        why = "; ".join(f"{c.name}: {c.detail}" for c in result.checks if c.inconclusive)
        pytest.skip(f"lab {result.lab}: inconclusive on a busy host — {why}"[:2000])
    assert result.passed, explain(result)

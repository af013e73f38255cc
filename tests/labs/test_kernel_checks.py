"""The checks only the kernel's record can prove, on real runs (the record needs root and
tracefs, which CI has): in each of the ten labs they pass with the record's events as
evidence; without a record (``trace=False``, as ``--no-trace``) they are inconclusive,
never passed or failed. That each can fail is test_mutations.py's (events mutated)."""
from __future__ import annotations

import pytest

from proclab import run_lab
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]

LABS = ["pid1", "signals", "orphans", "zombies", "reaping", "daemons", "exec-zombies", "outlive-parent",
        "zombie-pileup", "process-exit"]
RECORD = "the kernel's record"


@pytest.mark.parametrize("lab", LABS)
def test_the_records_check_passes_with_events_as_evidence(run_lab_cached, lab):
    result = run_lab_cached(lab)
    assert all(r.kernel.recorded for r in result.runs), [r.kernel.note for r in result.runs]
    checks = [c for c in result.checks if c.name.startswith(RECORD)]
    assert checks, f"{lab} has no check of the kernel's record"
    for c in checks:
        assert c.passed, explain(result)
        assert c.zh.startswith("内核记录"), c.name          # its title in Chinese too
        assert any(w in c.detail for w in ("SIG", "exit", "reap")), c.detail


def test_pid1_stop_no_handler_sigterm_ignored_then_sigkill_after_the_grace_period(run_lab_cached):
    run = run_lab_cached("pid1").run("stop-no-handler")
    (term,) = run.events("signal", target=1, signal="SIGTERM")
    (kill,) = run.events("signal", target=1, signal="SIGKILL")
    assert term.result == "ignored" and term.sender_outside and kill.result == "delivered"
    assert kill.t - term.t >= 1.9 and run.exited(1).exit_signal == "SIGKILL"


def test_without_a_record_the_records_checks_are_inconclusive_not_passed_or_failed():
    result = run_lab("zombies", trace=False)
    assert not result.runs[0].kernel.recorded
    mine = [c for c in result.checks if c.name.startswith(RECORD)]
    others = [c for c in result.checks if not c.name.startswith(RECORD)]
    assert mine and all(c.inconclusive and "no kernel record" in c.detail for c in mine), [c.detail for c in mine]
    assert all(c.passed for c in others), explain(result)
    assert result.verdict == "inconclusive"


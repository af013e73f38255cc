"""The third check status: a check that could not measure is inconclusive — neither a pass nor a
failure — in the result, the JSON, the narration, the summary and the exit code."""

from __future__ import annotations

import pytest
from rich.console import Console

from proclab.checks import Check, host_load, inconclusive, require_free_cpus
from proclab.cli.outcome import combined_verdict, exit_status
from proclab.lab.result import CheckResult, LabResult, RunRecord
from proclab.lab.status import Status
from proclab.ui.narration import Narrator
from proclab.ui.tables import summary_table
from tests.support.documents import as_printed


def lab(*statuses: str) -> LabResult:
    r = LabResult(lab="t", title="t", path="/x", runs=[RunRecord(variant="main", exit_code=0)])
    r.checks = [CheckResult(f"check {i}", s, f"detail {i}") for i, s in enumerate(statuses)]
    return r


def test_status_and_the_bool_it_replaces():
    assert (
        CheckResult("a", Status.PASSED, "").status == "passed"
        and CheckResult("a", Status.FAILED, "").failed
    )
    c = CheckResult("a", Status.INCONCLUSIVE, "only 0.6 CPUs free")
    assert c.inconclusive and not c.passed and not c.failed
    with pytest.raises(ValueError):
        CheckResult("a", "maybe", "")
    with pytest.raises(ValueError):  # a bool is no verdict: passed, failed or inconclusive?
        CheckResult("a", True, "")  # type: ignore[arg-type]


def test_a_check_says_inconclusive_through_the_author_api():
    r = Check("c", lambda lab: inconclusive("only 0.6 CPUs free", free_cpus=0.6)).run(lab())
    assert (
        r.status == "inconclusive"
        and r.detail == "only 0.6 CPUs free"
        and r.figures == {"free_cpus": 0.6}
    )


@pytest.mark.parametrize(
    "statuses, verdict, code, strict_code",
    [
        (("passed", "passed"), "passed", 0, 0),
        (("passed", "inconclusive"), "inconclusive", 0, 1),
        (("inconclusive", "failed"), "failed", 1, 1),
    ],
)
def test_verdict_and_exit_code(statuses, verdict, code, strict_code):
    r = lab(*statuses)
    assert r.verdict == verdict and r.passed == (verdict == "passed")
    assert exit_status([r]) == code and exit_status([r], strict=True) == strict_code
    assert combined_verdict([lab("passed"), r]) == verdict


def test_a_run_error_fails_the_lab_whatever_the_checks():
    r = lab("inconclusive")
    r.runs[0].error = "the container died"
    assert r.verdict == "failed"


def test_json_carries_status_counts_and_lock_wait():
    r = lab("passed", "inconclusive", "failed")
    r.lock_wait_s = 12.3456
    doc = as_printed(r)
    assert [c["status"] for c in doc["checks"]] == ["passed", "inconclusive", "failed"]
    assert [c["passed"] for c in doc["checks"]] == [True, False, False]
    assert doc["verdict"] == "failed" and doc["passed"] is False
    assert doc["check_counts"] == {"passed": 1, "failed": 1, "inconclusive": 1}
    assert doc["lock_wait_s"] == 12.346


def test_narration_shows_a_question_mark_and_the_count():
    r = lab("passed", "inconclusive")
    r.checks[1] = CheckResult("two CPUs", Status.INCONCLUSIVE, "not measured: 0.61 of 2 CPUs free")
    c = Console(record=True, width=120, color_system=None)
    Narrator(console=c).verdict(r)
    text = c.export_text()
    assert "? inconclusive: two CPUs" in text and "0.61 of 2 CPUs free" in text
    assert "INCONCLUSIVE  t" in text and "1 passed, 1 inconclusive" in text and "✘" not in text
    c = Console(record=True, width=120, color_system=None)
    c.print(summary_table([r, lab("passed")]))
    text = c.export_text()
    assert "1/2 (1 inconclusive)" in text and "inconclusive" in text and "FAILED" not in text


def figures(busy: list[float], ours: list[float]) -> tuple[dict, dict]:
    """cgroup_cpu() figures at both ends of a window: host busy and our usage per CPU, in s."""

    def ns(xs: list[float]) -> list[int]:
        return [int(x * 1e9) for x in xs]

    return (
        {"host_busy_ns": [0, 0], "usage_percpu_ns": [0, 0], "usage_ns": 0},
        {"host_busy_ns": ns(busy), "usage_percpu_ns": ns(ours), "usage_ns": int(sum(ours) * 1e9)},
    )


def test_host_load_counts_what_others_took_on_our_cpus():
    a, b = figures(busy=[2.0, 1.5], ours=[1.6, 1.5])  # a 2 s window: others took 0.4 s on CPU 0
    assert host_load(a, b, [0, 1], 2.0).free == pytest.approx(1.8)
    assert host_load(a, b, [1], 2.0).free == pytest.approx(1.0)
    del a["usage_percpu_ns"], b["usage_percpu_ns"]  # cgroup v2: only a total
    assert host_load(a, b, [0, 1], 2.0).free == pytest.approx(1.8)


def test_no_figures_is_not_measured_never_all_free():
    load = host_load({}, {}, [0, 1], 2.0)
    assert load.free is None and not load.enough(0.1)
    r = Check("c", lambda lab: require_free_cpus(load, 1.7)).run(lab())
    assert r.inconclusive and "could not be measured" in r.detail


def test_require_free_cpus_names_the_free_cpus():
    a, b = figures(busy=[2.0, 2.0], ours=[0.6, 0.6])  # others took 2.8 of 4 CPU-s
    load = host_load(a, b, [0, 1], 2.0)
    r = Check("c", lambda lab: require_free_cpus(load, 1.7)).run(lab())
    assert r.inconclusive and "left 0.60 of 2 CPUs free" in r.detail and "needs 1.70" in r.detail
    assert r.figures["free_cpus"] == 0.6
    quiet_a, quiet_b = figures(busy=[2.0, 2.0], ours=[1.9, 2.0])
    ok = Check(
        "c",
        lambda lab: require_free_cpus(host_load(quiet_a, quiet_b, [0, 1], 2.0), 1.7) or "measured",
    )
    assert ok.run(lab()).passed


def test_the_html_report_marks_inconclusive_checks_and_verdict():
    from proclab.ui.html.doc import report
    from proclab.ui.html.page import index, page

    r = lab("passed", "inconclusive")
    rep = report(as_printed(r))
    text = page(rep)
    assert (
        'aria-label="inconclusive">?' in text
        and "INCONCLUSIVE" in text
        and 'aria-label="failed"' not in text
    )
    assert "no lab failed; some checks were inconclusive" in index([(rep, "t.html")])

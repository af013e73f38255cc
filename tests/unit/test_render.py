"""The narration renders a snapshot's tree and evidence, and check verdicts, without Docker."""

from rich.console import Console

from proclab.lab.result import CheckResult, LabResult, RunRecord
from proclab.lab.status import Status
from proclab.ui.narration import Narrator
from proclab.ui.tables import summary_table
from proclab.ui.tree import evidence_lines, process_tree
from tests.support.render import render, snap


def test_tree_shows_the_zombie_under_its_parent_and_hides_the_probe():
    s = snap()
    text = render(process_tree(s))
    child, parent = s.data["child"], s.data["parent"]
    assert f"Z {child}" in text and "<defunct>" in text
    assert text.index(f"S {parent}") < text.index(f"Z {child}")
    assert "labkit.probe" not in text
    assert "labkit.probe" in render(process_tree(s, show_probe=True))


def test_evidence_has_raw_ps_and_top_lines():
    lines = evidence_lines(snap())
    assert any("<defunct>" in ln for ln in lines)
    assert any(ln.startswith("Tasks:") and "1 zombie" in ln for ln in lines)


def test_verdict_and_summary():
    r = LabResult(
        lab="zombies",
        title="Z",
        path="/x",
        runs=[RunRecord("main", exit_code=0)],
        checks=[
            CheckResult("zombie seen", Status.PASSED, "ps: Z"),
            CheckResult("gone", Status.FAILED, "still there"),
        ],
    )
    c = Console(record=True, width=120, color_system=None)
    Narrator(c).verdict(r)
    out = c.export_text()
    assert "✔ zombie seen" in out and "✘ gone" in out and "still there" in out and "FAILED" in out
    assert "1/2" in render(summary_table([r]))


def test_named_pids_skip_codes_and_counts():
    from dataclasses import replace

    from proclab.ui.tree import named_pids

    s = snap()
    child, parent = s.data["child"], s.data["parent"]
    s2 = replace(
        s,
        data={"child": child, "exitcode": 1, "n": parent, "workers": [parent, child], "status": 0},
    )
    assert named_pids(s2) == [child, parent]

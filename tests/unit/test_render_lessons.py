"""Readable narration: only the named processes and their ancestors unless --verbose, long evidence
folded at word boundaries, and the narration's own words in Chinese (evidence left as measured)."""

from dataclasses import replace

from rich.console import Console

from proclab.lab.document import encode
from proclab.lab.result import CheckResult, LabResult, RunRecord
from proclab.lab.status import Status
from proclab.ui.narration import Narrator
from proclab.ui.tables import print_folded
from proclab.ui.tree import process_tree
from tests.support.render import render, snap


def test_the_tree_shows_the_named_processes_and_their_ancestors_only():
    s = snap()  # tini 1 -> scenario 7 -> zombie 8
    parent, child = s.data["parent"], s.data["child"]
    only_parent = replace(s, data={"parent": parent})
    text = render(process_tree(only_parent, only_named=True))
    assert f"S {parent}" in text and "S 1 " in text  # the named one and its ancestor
    assert (
        f"Z {child}" not in text and "… 1 more processes not shown (--verbose shows them)" in text
    )
    assert f"Z {child}" in render(process_tree(only_parent))  # --verbose: everything


def test_a_snapshot_that_names_no_pid_shows_every_process():
    s = replace(snap(), data={})
    assert render(process_tree(s, only_named=True)) == render(process_tree(s))


def test_long_evidence_folds_at_word_boundaries():
    c = Console(record=True, width=60, color_system=None)
    words = [f"word{i}" for i in range(40)]
    print_folded(c, " ".join(words))
    lines = c.export_text().splitlines()
    assert len(lines) > 1 and all(len(ln) <= 60 for ln in lines)
    assert [w for ln in lines for w in ln.split()] == words  # no word cut in two, none lost
    assert all(ln.startswith("      ") for ln in lines[1:])  # continuation indented


def test_the_verdict_in_chinese_keeps_the_evidence():
    r = LabResult(
        lab="zombies",
        title="Z",
        path="/x",
        runs=[RunRecord("main", {}, exit_code=0)],
        checks=[
            CheckResult(
                "zombie seen", Status.PASSED, "ps: 7 6 Z [python3] <defunct>", zh="看到僵尸进程"
            ),
            CheckResult("no zh title", Status.PASSED, "ok"),
        ],
    )
    c = Console(record=True, width=120, color_system=None)
    Narrator(c, lang="zh").verdict(r)
    out = c.export_text()
    assert (
        "✔ 看到僵尸进程" in out
        and "ps: 7 6 Z [python3] <defunct>" in out
        and "✔ no zh title" in out
    )
    assert "通过" in out and "PASSED" not in out
    assert (
        encode(r.checks[0])["name"] == "zombie seen"
        and encode(r.checks[0])["name_zh"] == "看到僵尸进程"
    )

"""priority: the shares follow the CFS weights, the figures reach --json, the charts are drawn,
and the checks really depend on the measurement (they fail on the wrong run's data)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from proclab.ui.narration import Narrator
from tests.support.documents import as_printed
from tests.support.results import check_verdicts, figures, with_variants_swapped
from tests.support.verdicts import assert_passed

pytestmark = [pytest.mark.lab, pytest.mark.docker]


def test_shares_and_figures_in_json(run_lab_cached):
    result = run_lab_cached("priority")
    assert_passed(result)  # inconclusive on a busy host: a skip with the reason
    shares = figures(result, "on one CPU each worker's share")
    assert abs(sum(shares["shares"].values()) - 1.0) < 1e-3
    assert shares["shares"]["0"] > shares["shares"]["5"] > shares["shares"]["10"]
    assert all(0.85 <= r <= 1.15 for r in shares["measured_over_expected"].values())
    assert figures(result, "on two CPUs")["cores"] > 1.0
    assert figures(result, "under --cpus 1.0")["nr_throttled"] > 0


def test_charts_drawn_in_terminal_and_png(run_lab_cached):
    result = run_lab_cached("priority")
    titles = [c.title for c in result.charts]
    assert titles == [
        "one CPU: share of the CPU time per nice level",
        "CPU time of nice 0 / nice 10, per configuration",
    ]
    assert [b.label for b in result.charts[0].bars] == ["nice 0", "nice 5", "nice 10"]
    png = Path(result.artifacts[0])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.parent == result.report_dir
    assert png.parent.parent.name == "priority"
    c = Console(record=True, width=100, color_system=None)
    Narrator(console=c).verdict(result)
    text = c.export_text()
    assert "CFS weight share" in text and "█" in text and f"picture: {png}" in text
    assert as_printed(result)["charts"][0]["bars"][0]["label"] == "nice 0"


def test_checks_fail_on_the_wrong_runs_data(run_lab_cached):
    """Relabel the runs: the one-CPU checks read the two-CPU data (2 workers sharing nothing) and must fail."""
    result = run_lab_cached("priority")
    fake = with_variants_swapped(result, {"one-cpu": "two-cpus", "two-cpus": "one-cpu"})
    verdict = check_verdicts("priority", fake)
    failed = [n for n, ok in verdict.items() if not ok]
    assert any(n.startswith("on one CPU each worker's share") for n in failed), verdict
    assert any(n.startswith("on two CPUs nice makes no visible difference") for n in failed), (
        verdict
    )
    assert any(n.startswith("on one CPU they took turns") for n in failed), verdict

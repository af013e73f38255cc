"""Charts without Docker: the terminal bars, the PNG, and the lab hook that feeds both."""
from __future__ import annotations

import json
import textwrap

from rich.console import Console

from proclab.ui import bar_charts
from proclab.charts import Bar, Chart
from proclab.ui.bar_charts import bar_text
from proclab.checks import load_checks
from proclab.lab.chart_data import chart_data
from proclab.ui.narration import Narrator
from proclab.lab.result import LabResult

SHARES = Chart("CPU share per nice level", "%", (
    Bar("nice 0", 69.0, expected=69.7),
    Bar("nice 5", 23.5, expected=22.8),
    Bar("nice 10", 7.5, expected=7.5),
), expected_label="CFS weight")


def rendered(renderable, width=100) -> str:
    c = Console(record=True, width=width, color_system=None)
    c.print(renderable)
    return c.export_text()


def test_bar_length_is_proportional_in_eighths_of_a_cell():
    assert bar_text(10, 10, 8) == "█" * 8
    assert bar_text(5, 10, 8) == "█" * 4
    assert bar_text(1, 16, 2) == "▏"           # 1/16 of 2 cells = one eighth of a cell
    assert bar_text(0, 10, 8) == ""
    assert bar_text(20, 10, 8) == "█" * 8       # clipped at the top of the scale


def test_terminal_chart_shows_each_label_its_value_and_the_expected_bar():
    text = rendered(bar_charts.terminal(SHARES, width=40))
    lines = text.splitlines()
    assert "CPU share per nice level" in lines[0] and "CFS weight" in lines[0]
    row = next(ln for ln in lines if ln.startswith("nice 0 "))
    assert "69 %" in row
    assert "69.7 % CFS weight" in text and "7.5 % CFS weight" in text
    # the longest bar (69.7, the top of the scale) fills the width; 23.5 is about a third of it
    longest = max(ln.count("█") for ln in lines)
    assert longest == 40
    row5 = next(ln for ln in lines if ln.startswith("nice 5 "))
    assert abs(row5.count("█") - 40 * 23.5 / 69.7) <= 1


def test_terminal_chart_without_expected_values_has_one_row_per_bar():
    wall = Chart("wall time per configuration", "s", (Bar("1 CPU", 1.4), Bar("2 CPUs", 0.7)))
    text = rendered(bar_charts.terminal(wall, width=20))
    assert "expected" not in text
    rows = [ln for ln in text.splitlines()[1:] if "█" in ln]     # line 0 is the title and legend
    assert len(rows) == 2 and rows[0].count("█") == 20 and rows[1].count("█") == 10


def test_png_is_written(tmp_path):
    wall = Chart("wall time", "s", (Bar("1 CPU", 1.4), Bar("2 CPUs", 0.7)))
    out = bar_charts.save_png([SHARES, wall], tmp_path / "x" / "charts.png", title="priority")
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def draw(suite, result) -> list[str]:
    """What a run and then the CLI do: the chart data from the hook, then the picture."""
    result.charts, problems = chart_data(suite.charts, result)
    return problems + bar_charts.write_picture(result)


def _lab_with_hook(tmp_path, body: str):
    (tmp_path / "checks.py").write_text(textwrap.dedent(body))
    return load_checks(tmp_path / "checks.py", "charted")


def test_draw_calls_the_labs_hook_and_writes_the_picture(tmp_path, monkeypatch):
    monkeypatch.setenv("PROCLAB_REPORTS", str(tmp_path / "reports"))
    checks = _lab_with_hook(tmp_path, """
        from proclab.checks import check, expect
        from proclab.charts import Bar, Chart

        @check("always looks at the title")
        def t(lab):
            return expect(lab.title == "T", lab.title)

        def charts(lab):
            return [Chart("c", "s", (Bar(lab.title, 2.0, expected=1.0),))]
    """)
    result = LabResult(lab="charted", title="T", path=str(tmp_path))
    assert draw(checks, result) == []
    assert [c.title for c in result.charts] == ["c"]
    assert len(result.artifacts) == 1 and result.artifacts[0].endswith("charts.png")
    assert result.report_dir is not None and result.report_dir.parent == tmp_path / "reports" / "charted"
    doc = json.loads(json.dumps(result.to_dict()))
    assert doc["charts"][0]["bars"] == [{"label": "T", "value": 2.0, "expected": 1.0}]
    # a second run in the same second gets its own folder
    again = LabResult(lab="charted", title="T", path=str(tmp_path))
    draw(checks, again)
    assert again.report_dir != result.report_dir


def test_a_broken_hook_is_reported_not_raised(tmp_path, monkeypatch):
    monkeypatch.setenv("PROCLAB_REPORTS", str(tmp_path / "reports"))
    checks = _lab_with_hook(tmp_path, """
        from proclab.checks import check, expect

        @check("x")
        def t(lab):
            return expect(True, "x")

        def charts(lab):
            return lab.checkpoint("never")
    """)
    result = LabResult(lab="charted", title="T", path=str(tmp_path))
    problems = draw(checks, result)
    assert len(problems) == 1 and "charts() raised" in problems[0] and "never" in problems[0]
    assert result.charts == [] and result.artifacts == []


def test_without_matplotlib_the_bars_stay_and_the_picture_is_skipped(tmp_path, monkeypatch):
    """The compose harness image has no matplotlib: a charted lab must still finish."""
    import importlib.util

    monkeypatch.setenv("PROCLAB_REPORTS", str(tmp_path / "reports"))
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real(name, *a))
    checks = _lab_with_hook(tmp_path, """
        from proclab.checks import check, expect
        from proclab.charts import Bar, Chart

        @check("x")
        def t(lab):
            return expect(True, "x")

        def charts(lab):
            return [Chart("c", "s", (Bar("b", 2.0),))]
    """)
    result = LabResult(lab="charted", title="T", path=str(tmp_path))
    problems = draw(checks, result)
    assert len(problems) == 1 and "matplotlib is not installed" in problems[0]
    assert [c.title for c in result.charts] == ["c"] and result.artifacts == []
    assert not (tmp_path / "reports").exists()


def test_no_hook_no_pictures(tmp_path):
    checks = _lab_with_hook(tmp_path, """
        from proclab.checks import check, expect

        @check("x")
        def t(lab):
            return expect(True, "x")
    """)
    result = LabResult(lab="plain", title="T", path=str(tmp_path))
    assert draw(checks, result) == [] and result.artifacts == [] and result.charts == []


def test_narrator_draws_the_charts_and_names_the_picture():
    result = LabResult(lab="priority", title="T", path="/x", charts=[SHARES], artifacts=["/r/charts.png"])
    c = Console(record=True, width=100, color_system=None)
    Narrator(console=c).verdict(result)
    text = c.export_text()
    assert "CPU share per nice level" in text and "█" in text
    assert "picture: /r/charts.png" in text


def test_terminal_chart_fits_the_console():
    long = Chart("CPU time of nice 0 / nice 10, per configuration", "x",
                 (Bar("2 CPUs, --cpus 1", 2.1, expected=9.31), Bar("1 CPU", 9.3, expected=9.31)),
                 expected_label="weight ratio")
    for width in (60, 80, 120):
        lines = rendered(bar_charts.terminal(long), width=width).splitlines()
        assert all(len(ln.rstrip()) <= width for ln in lines[1:]), (width, lines)
        assert any("9.31 x weight ratio" in ln for ln in lines)     # the value column is never cut


def test_the_hook_is_found_in_a_checks_file_without_checks(tmp_path):
    """The charts hook is looked up in the module, not through a check's globals."""
    suite = _lab_with_hook(tmp_path, """
        from proclab.charts import Bar, Chart

        def charts(lab):
            return [Chart("c", "s", (Bar("b", 2.0),))]
    """)
    assert len(suite) == 0 and suite.charts is not None
    found, problems = chart_data(suite.charts, LabResult(lab="x", title="T", path=str(tmp_path)))
    assert problems == [] and [c.title for c in found] == ["c"]

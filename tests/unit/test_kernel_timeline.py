"""The timeline drawn from the kernel's record, without Docker: saved ``--json`` documents of
real recorded runs (pid1's no-init, stop-no-handler and stop-init; zombies) read back into the
timeline model, its SVG and the text timeline. The live page is tested in a real browser in
tests/labs/test_html_record_browser.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rich.console import Console

from proclab.lab.result import LabResult, RunRecord
from proclab.ui import html
from proclab.ui.html.svg import RESULT_COLOUR, Axis, timeline_svg
from proclab.ui.timeline_text import timeline_text

FIXTURES = Path(__file__).parent / "fixtures"


def report(name: str) -> LabResult:
    return html.report(json.loads((FIXTURES / f"result_{name}.json").read_text()))


def run(rep: LabResult, variant: str) -> RunRecord:
    return next(r for r in rep.runs if r.variant == variant)


def test_a_zombies_life_has_its_exact_exit_and_reap_around_the_checkpoint_that_saw_it():
    rep = report("zombies_recorded")
    r = rep.runs[0]
    cp = r.checkpoints[0]
    lane = html.timeline(r).lane(cp.data["child"])
    life = lane.life
    assert (
        life.parent == cp.data["parent"]
        and life.how == "exit code 0"
        and life.reaper == cp.data["parent"]
    )
    assert life.forked_s < life.exited_s <= cp.at_s <= life.reaped_s
    assert life.zombie_s == life.reaped_s - life.exited_s
    # its SIGCHLD went to the parent, and the kernel dropped it (Python leaves SIGCHLD at its default)
    (chld,) = [a for a in html.timeline(r).arrows if a.sender == cp.data["child"]]
    assert (chld.signal, chld.target, chld.result) == ("SIGCHLD", cp.data["parent"], "ignored")


def test_a_process_that_lived_only_between_two_checkpoints_gets_a_lane_of_its_own():
    r = run(report("pid1_recorded"), "no-init")
    in_tables = {p.pid for cp in r.checkpoints for p in cp.processes}
    between = html.timeline(r).between_only()
    assert between, "pid1 no-init: each orphan's parent forks, and exits between two checkpoints"
    for lane in between:
        assert lane.pid not in in_tables and lane.cells and not any(c.state for c in lane.cells)
        assert (
            lane.life.forked_s < lane.life.exited_s <= lane.life.reaped_s and lane.ending == "gone"
        )
        # its place: after the checkpoints before its fork
        assert all(c.at_s < lane.life.forked_s for c in html.timeline(r).columns[: lane.slot])
    svg = timeline_svg(html.timeline(r))
    for lane in between:
        start = svg.index(f'<g class="lane between" data-pid="{lane.pid}"')
        drawn = svg[start : svg.find('<g class="lane', start + 1)]
        assert (
            'data-mark="forked"' in drawn
            and 'data-mark="exited"' in drawn
            and 'data-mark="reaped"' in drawn
        )


def test_marks_between_two_checkpoints_are_drawn_in_the_order_they_happened_and_between_the_cells():
    r = run(report("pid1_recorded"), "no-init")
    t = html.timeline(r)
    axis = Axis(t)
    lane = t.between_only()[0]
    xs = [axis.x(v) for v in (lane.life.forked_s, lane.life.exited_s, lane.life.reaped_s)]
    assert xs == sorted(xs) and len(set(xs)) == 3, xs
    i = lane.slot  # the checkpoint after it: its marks are left of that cell
    assert xs[-1] < axis.cell_x(i) and (i == 0 or xs[0] > axis.cell_x(i - 1))


def test_signals_are_arrows_coloured_by_the_kernels_result_and_outside_senders_start_at_the_top():
    r = run(report("pid1_recorded"), "stop-no-handler")
    t = html.timeline(r)
    assert [(a.signal, a.sender, a.target, a.result) for a in t.arrows] == [
        ("SIGTERM", None, 1, "ignored"),
        ("SIGKILL", None, 1, "delivered"),
    ]
    svg = timeline_svg(t)
    for a in t.arrows:
        g = re.search(
            rf'<g class="signal sig-{a.result}"[^>]*data-signal="{a.signal}"[^>]*>.*?</g>', svg
        ).group(0)
        assert (
            'data-from="outside"' in g
            and f'stroke="{RESULT_COLOUR[a.result]}"' in g
            and "<title>" in g
        )
    assert '<g class="outside">' in svg
    page = html.page(report("pid1_recorded"))
    for result in ("delivered", "ignored", "blocked", "pending"):  # the legend names each colour
        assert (
            f'data-result="{result}"><span class="arrow-key" style="background:{RESULT_COLOUR[result]}"'
            in page
        )


def test_tini_forwards_docker_stops_sigterm_an_arrow_from_lane_1_to_the_scenario():
    r = run(report("pid1_recorded"), "stop-init")
    scenario = r.checkpoints[0].data["scenario"]
    forwarded = [a for a in html.timeline(r).arrows if a.signal == "SIGTERM" and a.sender == 1]
    assert [(a.target, a.result, a.handler) for a in forwarded] == [
        (scenario, "delivered", "default")
    ]
    assert html.timeline(r).lane(scenario).life.how == "killed by SIGTERM"


def test_the_text_timeline_shows_the_same_rows_times_and_signals():
    rep = report("pid1_recorded")
    console = Console(record=True, width=200, color_system=None)
    for r in rep.runs:
        console.print(timeline_text(html.timeline(r)))
    out = console.export_text()
    no_init = html.timeline(run(rep, "no-init"))
    for lane in no_init.between_only():
        row = next(ln for ln in out.splitlines() if ln.strip().startswith(f"{lane.pid} "))
        assert "+✕ gone" in row and f"reaped by {lane.life.reaper}" in row
    assert re.search(r"⚡\s+[\d.]+s\s+SIGTERM\s+outside → 1\s+ignored", out)
    assert re.search(r"⚡\s+[\d.]+s\s+SIGTERM\s+1 → \d+\s+delivered", out)
    assert "the kernel's record" in out and "killed by SIGKILL at" in out


def test_a_document_without_a_record_draws_the_checkpoints_as_before_and_says_why():
    rep = report("zombies")  # written before proclab kept the kernel's record
    t = html.timeline(rep.runs[0])
    assert not t.recorded and not t.arrows and all(ln.life is None for ln in t.lanes)
    assert "before proclab kept the kernel's record" in t.note
    page = html.page(rep)
    assert "no kernel record:" in page and 'class="legend kernel"' not in page


def test_the_timeline_png_draws_the_record_too(tmp_path):
    from PIL import Image

    from proclab.ui.timeline_png import save_timeline_png

    rep = report("pid1_recorded")
    png = save_timeline_png([html.timeline(r) for r in rep.runs], tmp_path / "t.png", "pid1")
    with Image.open(png) as img:
        colours = {c for _, c in img.convert("RGB").getcolors(maxcolors=1 << 20)}
    for result in (
        "ignored",
        "delivered",
        "blocked",
    ):  # the three results these runs have, as arrows
        want = tuple(int(RESULT_COLOUR[result][i : i + 2], 16) for i in (1, 3, 5))
        assert want in colours, result


def test_the_page_in_chinese_has_its_own_words_and_the_checks_chinese_titles():
    rep = report("pid1_recorded")
    page = html.page(rep, "zh")
    assert '<html lang="zh-CN">' in page and "<h3>时间线</h3>" in page and "<h2>检查</h2>" in page
    assert "内核记录，精确时刻：" in page and "被忽略：内核当场丢弃" in page
    for (
        c
    ) in rep.checks:  # the record's checks all have Chinese titles; the evidence stays as measured
        assert c.zh and c.zh in page and c.name not in page
    assert "<h3>Timeline</h3>" in html.page(rep) and '<html lang="en">' in html.page(rep)

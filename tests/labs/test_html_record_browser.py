"""The kernel's record in the HTML report of real runs, opened in a real headless Chromium
(Debian's, network off): signals as arrows from sender to target coloured by what the kernel
did with them, the legend's colours the same, and a lane of its own for a process that lived
only between two checkpoints, its fork, exit and reap in order between two columns; the page
in Chinese drawn with real glyphs (a CJK font: .ci/run installs fonts-noto-cjk), not boxes."""

from __future__ import annotations

import pytest

from proclab.cli.html_report import write_reports
from proclab.ui.html.svg import RESULT_COLOUR
from tests.support.browser import chromium
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker, pytest.mark.browser]


def rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i : i + 2], 16) for i in (0, 2, 4)))


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.fixture(scope="module")
def pid1_page(run_lab_cached, browser, tmp_path_factory):
    result = run_lab_cached("pid1")
    # what these tests read is the record, not pid1's timings (a loaded host can fail those: test_labs says so)
    assert all(r.kernel.recorded for r in result.runs), explain(result)
    (written,) = write_reports(
        [result], str(tmp_path_factory.mktemp("record") / "pid1.html"), many=False
    )
    visit = browser.open(written.page)
    assert visit.errors == [] and visit.foreign_requests() == [], (
        visit.errors,
        visit.foreign_requests(),
    )
    return visit


def test_signals_are_arrows_coloured_by_result_with_the_legends_colours(pid1_page):
    page = pid1_page.page
    page.locator(".tab[data-tab='stop-no-handler']").click()
    run = page.locator("section.run.active")
    term = run.locator("svg.timeline g.signal[data-signal='SIGTERM']")
    kill = run.locator("svg.timeline g.signal[data-signal='SIGKILL']")
    assert (
        term.get_attribute("data-result") == "ignored"
        and kill.get_attribute("data-result") == "delivered"
    )
    assert term.get_attribute("data-from") == "outside" and term.get_attribute("data-to") == "1"
    for arrow, result in ((term, "ignored"), (kill, "delivered")):
        assert arrow.is_visible()
        line = arrow.locator("line")
        assert line.evaluate("e => getComputedStyle(e).stroke") == rgb(RESULT_COLOUR[result])
        key = run.locator(f".legend.kernel li[data-result='{result}'] .arrow-key")
        assert key.is_visible() and key.evaluate("e => getComputedStyle(e).backgroundColor") == rgb(
            RESULT_COLOUR[result]
        )
        # from the outside row down to pid 1's lane
        box, lane = (
            line.bounding_box(),
            run.locator("svg.timeline g.lane[data-pid='1'] line.life").bounding_box(),
        )
        outside = run.locator("svg.timeline g.outside line").bounding_box()
        assert box["y"] <= outside["y"] + 2 and box["y"] + box["height"] <= lane["y"] + 8
    assert (
        term.bounding_box()["x"] < kill.bounding_box()["x"]
    )  # ignored first, SIGKILL after the grace
    # tini forwards: an arrow from lane 1 to the scenario's lane, delivered
    page.locator(".tab[data-tab='stop-init']").click()
    run = page.locator("section.run.active")
    scenario = run.locator("article.cp dt:text-is('scenario') + dd").first.inner_text()
    fwd = run.locator(
        f"svg.timeline g.signal[data-signal='SIGTERM'][data-from='1'][data-to='{scenario}']"
    )
    assert fwd.get_attribute("data-result") == "delivered" and fwd.is_visible()
    top = run.locator("svg.timeline g.lane[data-pid='1'] line.life").bounding_box()["y"]
    bottom = run.locator(f"svg.timeline g.lane[data-pid='{scenario}'] line.life").bounding_box()[
        "y"
    ]
    box = fwd.locator("line").bounding_box()
    assert abs(box["y"] - top) < 3 and box["y"] + box["height"] <= bottom + 1


def test_a_process_between_checkpoints_has_its_own_lane_with_fork_exit_reap_in_order(pid1_page):
    page = pid1_page.page
    page.locator(".tab[data-tab='no-init']").click()
    run = page.locator("section.run.active")
    lanes = run.locator("svg.timeline g.lane.between")
    assert lanes.count() >= 3, "each orphan's parent lives between two checkpoints"
    in_tables = set(
        run.locator("article.cp .tree li").evaluate_all("els => els.map(e => e.dataset.pid)")
    )
    cols = [c.bounding_box()["x"] for c in run.locator("svg.timeline g.col").all()]
    for k in range(lanes.count()):
        lane = lanes.nth(k)
        pid = lane.get_attribute("data-pid")
        assert pid not in in_tables and lane.locator("g.cell").count() == 0 and lane.is_visible()
        xs = [
            lane.locator(f"g.mark[data-mark='{m}']").bounding_box()["x"]
            for m in ("forked", "exited", "reaped")
        ]
        assert xs == sorted(xs), xs
        # between two columns' cells: after the previous checkpoint's cell, before the next one's
        after = [x for x in cols if x > xs[-1]]
        assert after and all(x > xs[0] for x in after[:1])
        assert "only between two checkpoints" in lane.locator("title").first.text_content()
    assert run.locator(".legend.kernel .between-key").is_visible()


def test_the_chinese_page_draws_chinese_glyphs_not_missing_glyph_boxes(
    run_lab_cached, browser, tmp_path
):
    result = run_lab_cached("pid1")
    (written,) = write_reports([result], str(tmp_path / "pid1.zh.html"), many=False, lang="zh")
    visit = browser.open(written.page)
    assert visit.errors == [] and visit.foreign_requests() == []
    page = visit.page
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    key = page.locator("section.run.active .legend.kernel li.dim").first
    assert key.inner_text().startswith("内核记录")
    assert page.locator("#checks .checkname", has_text="内核记录").count() >= 2
    # the same two characters beside two code points no font has: a missing font draws both as the same boxes
    page.evaluate("""() => {
        for (const [id, text] of [["zh-probe", "内核"], ["tofu-probe", "\\u0378\\u0379"]]) {
            const s = document.createElement("span"); s.id = id; s.textContent = text;
            s.style.cssText = "font-size:40px;position:fixed;top:0;left:0;background:#fff;color:#000";
            document.body.appendChild(s);
        }
    }""")
    zh = page.locator("#zh-probe").screenshot()
    page.locator("#zh-probe").evaluate("e => e.remove()")
    tofu = page.locator("#tofu-probe").screenshot()
    assert zh != tofu, (
        "Chinese text is drawn as missing-glyph boxes: install a CJK font (fonts-noto-cjk)"
    )

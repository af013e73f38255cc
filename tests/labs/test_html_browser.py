"""The HTML report of real runs, opened in a real headless Chromium with the network off:
no console error, no request; the zombie's lane, the orphan's new parent, stepping through
the checkpoints with the keys and the buttons, the tabs, the print layout, a screenshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from proclab.cli.html_report import write_reports
from proclab.paths import reports_dir
from tests.support.browser import Visit, chromium
from tests.support.cli import run_cli
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker, pytest.mark.browser]


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


def page_of(run_lab_cached, lab: str, folder: Path) -> Path:
    result = run_lab_cached(lab)
    assert result.passed, explain(result)
    (written,) = write_reports([result], str(folder / f"{lab}.html"), many=False)
    return written.page


def clean(visit: Visit) -> None:
    assert visit.errors == [], visit.errors
    assert visit.foreign_requests() == [], visit.foreign_requests()


def screenshot(visit: Visit, name: str) -> Path:
    """A full-page screenshot under reports/browser/, and proof that it is not blank."""
    from PIL import Image

    path = reports_dir() / "browser" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=str(path), full_page=True)
    with Image.open(path) as img:
        colours = img.convert("RGB").getcolors(maxcolors=1 << 16)
        assert img.width >= 800 and img.height >= 600, img.size
    assert colours is None or len(colours) > 20, f"{path} looks blank: {len(colours)} colours"
    return path


def current(visit: Visit) -> str:
    return visit.page.locator("section.run.active article.cp.current .cpname").inner_text()


def test_zombies_lane_is_Z_from_zombie_created_until_reaped(run_lab_cached, browser, tmp_path):
    visit = browser.open(page_of(run_lab_cached, "zombies", tmp_path))
    clean(visit)
    child = run_lab_cached("zombies").checkpoint("zombie-created").data["child"]
    lane = visit.page.locator(f"section.run.active svg.timeline g.lane[data-pid='{child}']")
    cells = lane.locator("g.cell")
    assert cells.count() == 1
    cell = cells.first
    assert (
        cell.get_attribute("data-cp") == "zombie-created"
        and cell.locator("text.letter").text_content() == "Z"
    )
    assert cell.is_visible()
    mark = lane.locator("g.mark[data-mark='reaped']")
    assert mark.get_attribute("data-cp") == "reaped" and "reaped" in mark.text_content()
    # the zombie's box is drawn after zombie-created's column header and ends before reaped's
    zc, reaped = (
        visit.page.locator(f"section.run.active g.col[data-goto='main|{n}']").bounding_box()
        for n in ("zombie-created", "reaped")
    )
    box = cell.locator("rect").bounding_box()
    assert zc["x"] - 5 <= box["x"] and box["x"] + box["width"] <= reaped["x"] + 5
    screenshot(visit, "zombies")


def test_orphans_page_from_the_cli_shows_the_grandchild_move_to_pid_1(browser, tmp_path):
    page_file = tmp_path / "orphans.html"
    proc = run_cli("run", "orphans", "--html", str(page_file))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "timeline of run init" in proc.stdout  # the text timeline at the end of the narration
    assert (tmp_path / "orphans.timeline.png").stat().st_size > 10_000
    visit = browser.open(page_file)
    clean(visit)
    page = visit.page
    assert current(visit) == "family"
    grandchild = page.locator(
        "section.run.active article.cp.current .tree li .role", has_text="grandchild"
    )
    g_li = grandchild.locator("xpath=ancestor::li[1]")
    g_pid = g_li.get_attribute("data-pid")
    parent_of = "e => e.parentElement.closest('li').dataset.pid"
    assert g_li.evaluate(parent_of) != "1"
    page.keyboard.press("ArrowRight")  # step with the keys
    assert current(visit) == "orphaned"
    g_li = page.locator(f"section.run.active article.cp.current .tree li[data-pid='{g_pid}']")
    assert g_li.is_visible() and g_li.evaluate(parent_of) == "1"
    assert (
        page.locator("section.run.active article.cp.current .tree > ul > li").get_attribute(
            "data-pid"
        )
        == "1"
    )
    # the timeline shows the same move: the lane's cell at 'orphaned' is re-parented to 1
    moved = page.locator(
        f"section.run.active g.lane[data-pid='{g_pid}'] g.cell[data-cp='orphaned']"
    )
    assert "reparented" in moved.get_attribute("class") and moved.locator(
        "text.ppid"
    ).text_content().endswith("→1")
    page.keyboard.press("ArrowLeft")
    assert current(visit) == "family"
    # the other variant, by its tab and the buttons: there main (the subreaper) adopts the orphan
    page.locator(".tab[data-tab='subreaper']").click()
    assert page.locator("section.run.active").get_attribute("data-run") == "subreaper"
    page.locator("section.run.active .stepper .next").click()
    assert current(visit) == "orphaned"
    main_pid = page.locator(
        "section.run.active article.cp.current dt:text-is('main') + dd"
    ).inner_text()
    g = page.locator("section.run.active article.cp.current .tree li .role", has_text="grandchild")
    assert g.locator("xpath=ancestor::li[1]").evaluate(parent_of) == main_pid != "1"
    screenshot(visit, "orphans")


def test_pid1_page_tabs_check_links_and_print_layout(run_lab_cached, browser, tmp_path):
    visit = browser.open(page_of(run_lab_cached, "pid1", tmp_path))
    clean(visit)
    page = visit.page
    result = run_lab_cached("pid1")
    assert page.locator(".tab").count() == len(result.runs)
    # without an init the scenario is pid 1: at orphan-3 its three adopted orphans are zombies under it
    page.locator("section.run.active g.col[data-goto='no-init|orphan-3']").click()
    assert current(visit) == "orphan-3"
    orphans = page.locator(
        "section.run.active article.cp.current .tree > ul > li[data-pid='1'] > ul > li[data-state='Z']"
    )
    assert orphans.count() == 3
    # a check's link opens its variant's tab at the checkpoint it read
    link = page.locator("#checks a.cplink[data-goto^='stop-init|']").first
    target = link.get_attribute("data-goto").split("|")[1]
    link.click()
    assert page.locator("section.run.active").get_attribute("data-run") == "stop-init"
    assert (
        current(visit) == target
        and page.locator("section.run.active article.cp.current").is_visible()
    )
    screenshot(visit, "pid1")
    # on paper every variant and every checkpoint is printed, and no button
    page.emulate_media(media="print")
    assert page.locator("article.cp:visible").count() == len(result.checkpoints)
    assert page.locator("section.run:visible").count() == len(result.runs)
    assert page.locator(".stepper button:visible, .tabs:visible").count() == 0
    assert len(page.pdf()) > 20_000

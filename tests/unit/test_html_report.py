"""The HTML report built from saved ``--json`` documents, without Docker: the timeline's
facts, a self-contained page, the PNG and text timelines, and ``proclab report``'s errors."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rich.console import Console

from proclab.ui import html
from proclab.ui.timeline_png import save_timeline_png
from proclab.ui.timeline_text import timeline_table
from tests.support.cli import run_cli

FIXTURES = Path(__file__).parent / "fixtures"


def doc(lab: str) -> dict:
    return json.loads((FIXTURES / f"result_{lab}.json").read_text())


class Refs(HTMLParser):
    """Every tag and every attribute that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.refs += [
            v or "" for k, v in attrs if k in ("src", "href", "action", "srcset", "poster", "data")
        ]


def test_the_zombie_lane_is_Z_at_zombie_created_then_reaped():
    rep = html.report(doc("zombies"))
    t = html.timeline(rep.runs[0])
    cp = next(s for s in rep.runs[0].checkpoints if s.name == "zombie-created")
    lane = t.lane(cp.data["child"])
    names = [c.name for c in t.columns]
    assert lane.cells[names.index("zombie-created")].state == "Z"
    assert lane.cells[names.index("reaped")].state is None
    assert lane.ending == "reaped" and lane.last == names.index("zombie-created")
    assert all(ln.pid not in rep.runs[0].checkpoints[0].probe_pids for ln in t.lanes), (
        "the probe has no lane"
    )


def test_the_orphans_lane_moves_to_pid_1_and_its_parent_is_gone():
    rep = html.report(doc("orphans"))
    run = next(r for r in rep.runs if r.variant == "init")
    family = run.checkpoints[0]
    names = [c.name for c in html.timeline(run).columns]
    grandchild = html.timeline(run).lane(family.data["grandchild"])
    before, after = (
        grandchild.cells[names.index("family")],
        grandchild.cells[names.index("orphaned")],
    )
    assert (before.ppid, before.reparented) == (family.data["child"], False)
    assert (after.ppid, after.reparented) == (1, True)
    assert grandchild.role == "grandchild"
    assert html.timeline(run).lane(family.data["child"]).ending == "gone"


def test_checks_link_to_the_checkpoints_they_read():
    rep = html.report(doc("orphans"))
    adopted = next(c for c in rep.checks if c.name.startswith("the orphan is adopted by pid 1"))
    assert html.links(adopted, rep) == [("init", "family"), ("init", "orphaned")]
    page = html.page(rep)
    assert 'href="#cp-init-orphaned"' in page and 'id="cp-init-orphaned"' in page


def test_without_recorded_reads_a_check_links_to_the_checkpoint_it_quotes():
    d = doc("orphans")
    for c in d["checks"]:
        c.pop("checkpoints", None)
    rep = html.report(d)
    agree = next(c for c in rep.checks if "agree at 'orphaned'" in c.name)
    assert html.links(agree, rep) == [("init", "orphaned")]


@pytest.mark.parametrize("lab", ["zombies", "orphans"])
def test_the_page_is_one_self_contained_file(lab):
    page = html.render(doc(lab))
    parser = Refs()
    parser.feed(page)
    assert parser.tags.count("script") == 1 and parser.tags.count("style") == 1
    assert not {"link", "img", "iframe", "object", "embed"} & set(parser.tags)
    assert all(r.startswith("#") for r in parser.refs), parser.refs
    # the only URL on the page is SVG's namespace name, which a browser never fetches
    assert set(re.findall(r"https?://[^\s\"'<>)]+", page)) <= {"http://www.w3.org/2000/svg"}
    assert "url(" not in page and "@import" not in page


def test_the_page_says_what_the_lab_is_and_shows_every_checkpoint_and_check():
    d = doc("orphans")
    page = html.render(d)
    assert d["title"] in page and "only its parent can <code>wait()</code>" in page
    assert page.count('<article class="cp"') == len(d["checkpoints"])
    assert page.count('class="check pass"') == sum(c["passed"] for c in d["checks"])
    assert page.count('role="tab"') == len(d["runs"]) == 2
    assert "@media print" in page


def test_a_failed_check_shows_a_cross_and_its_evidence():
    d = doc("zombies")
    d["checks"][0] = {
        **d["checks"][0],
        "status": "failed",
        "passed": False,
        "detail": "pid 8 was <S>, not Z",
    }
    d["passed"] = False
    page = html.render(d)
    assert 'class="check fail"><span class="cross"' in page and "pid 8 was &lt;S&gt;, not Z" in page
    assert "FAILED" in page


def test_charts_become_inline_svg():
    d = doc("zombies")
    d["charts"] = [
        {
            "title": "CPU share",
            "unit": "%",
            "bars": [{"label": "nice 0", "value": 68.9, "expected": 69.7}],
        }
    ]
    page = html.render(d)
    assert '<svg class="chart"' in page and "68.9 %" in page and "69.7 % expected" in page


def test_the_text_timeline_has_a_row_per_process_and_letters(tmp_path):
    rep = html.report(doc("zombies"))
    console = Console(record=True, width=120, color_system=None)
    console.print(timeline_table(html.timeline(rep.runs[0])))
    text = console.export_text()
    child = rep.runs[0].checkpoints[0].data["child"]
    row = next(ln for ln in text.splitlines() if ln.split()[:2] == [str(child), "child"])
    assert row.split()[2:5] == ["Z", "✕", "reaped"]


def test_the_timeline_png_is_written(tmp_path):
    rep = html.report(doc("orphans"))
    png = save_timeline_png([html.timeline(r) for r in rep.runs], tmp_path / "t.png", "orphans")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_report_writes_the_page_and_the_picture_beside_it(tmp_path):
    target = tmp_path / "out" / "orphans.html"
    code, _, err = run_cli("report", str(FIXTURES / "result_orphans.json"), "--html", str(target))
    assert code == 0, err
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "out" / "orphans.timeline.png").is_file()
    assert str(target) in err


def test_report_of_several_labs_writes_a_folder_with_an_index(tmp_path):
    both = tmp_path / "all.json"
    both.write_text(json.dumps({"passed": True, "labs": [doc("zombies"), doc("orphans")]}))
    code, _, err = run_cli("report", str(both), "--html", str(tmp_path / "class"))
    assert code == 0, err
    index = (tmp_path / "class" / "index.html").read_text()
    assert 'href="zombies.html"' in index and 'href="orphans.html"' in index
    assert (tmp_path / "class" / "orphans.html").is_file()


@pytest.mark.parametrize(
    "content, says",
    [
        (None, "cannot read"),
        ("{not json", "is not JSON"),
        ('{"hello": 1}', "is not a proclab result"),
        ('{"lab": "x", "checks": [], "checkpoints": [{"name": "a"}], "runs": []}', "is malformed"),
    ],
)
def test_report_of_a_bad_document_is_one_error_line(tmp_path, content, says):
    src = tmp_path / "r.json"
    if content is not None:
        src.write_text(content)
    code, out, err = run_cli("report", str(src), "--html", str(tmp_path / "r.html"))
    assert code == 2 and err.startswith("Error:") and says in err, err
    assert "Traceback" not in err and not (tmp_path / "r.html").exists()


def test_run_all_with_html_naming_a_file_fails_before_anything_runs(tmp_path):
    a_file = tmp_path / "taken"
    a_file.write_text("")
    code, _, err = run_cli("run", "--all", "--html", str(a_file))
    assert code == 2 and "several labs need a folder" in err


def test_report_into_a_folder_names_the_page_after_the_lab(tmp_path):
    code, _, err = run_cli(
        "report", str(FIXTURES / "result_zombies.json"), "--html", f"{tmp_path}/new/"
    )
    assert code == 0, err
    assert (tmp_path / "new" / "zombies.html").is_file() and (
        tmp_path / "new" / "zombies.timeline.png"
    ).is_file()

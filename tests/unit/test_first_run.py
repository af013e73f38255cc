"""A newcomer's first run (issue 23): what the narration, `proclab list` and a broken checks.py say.
No Docker: a recorded snapshot, the real CLI, a real checks file with a real syntax error."""

import importlib.util
import json
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from proclab.cli import main
from proclab.errors import LabFormatError
from proclab.lab.checking import load_checks
from proclab.lab.course import COURSE
from proclab.paths import labs_dir
from proclab.snapshot.table import Snapshot
from proclab.ui.narration import Narrator, header_data
from proclab.ui.tree import evidence_lines
from tests.support.cli import signals_reach_pytest

FIX = Path(__file__).parent / "fixtures"


def snap() -> Snapshot:
    return Snapshot.from_dict(json.loads((FIX / "snapshot_zombie.json").read_text()))


def narrated(s: Snapshot, width: int = 80, verbose: bool = False) -> str:
    c = Console(record=True, width=width, color_system=None)
    Narrator(c, verbose=verbose).checkpoint(None, s)
    return c.export_text()


CGROUP = {"usage_usec": 123456789, "nr_periods": 40, "nr_throttled": 3, "quota_us": 100000}
JOBS = [{"name": "A", "burst": 0.4, "pid": 9}, {"name": "B", "burst": 0.1, "pid": 10}]


def test_checkpoint_header_shows_pids_and_codes_not_tables():
    s = replace(
        snap(),
        data={
            "child": 8,
            "exitcode": 3,
            "name": "worker-1",
            "workers": [7, 8],
            "cgroup": CGROUP,
            "jobs": JOBS,
        },
    )
    text = narrated(s)
    header = " ".join(text[: text.index("pid namespace")].split())
    assert "child=8" in header and "exitcode=3" in header and "name=worker-1" in header
    assert "workers=[7, 8]" in header
    assert (
        "usage_usec" not in header and "burst" not in header
    )  # the raw figures are not printed...
    assert "(+cgroup, jobs: --json or --verbose)" in header  # ...but named, with where to see them
    verbose = narrated(s, width=400, verbose=True)
    assert "usage_usec" in verbose and "'burst': 0.4" in verbose


def test_attempts_and_cpu_lists_are_not_pids():
    from proclab.ui.tree import named_pids

    s = replace(snap(), data={"attempt": 1, "cpus": [0, 1], "workers": [7, 8]})
    assert named_pids(s) == [7, 8]


def test_header_data_rounds_floats_and_shortens_long_strings():
    text = header_data({"wall_s": 1.23456789, "note": "x" * 100})
    assert "wall_s=1.235" in text and len(text) < 70


def test_top_rows_stay_under_their_header_and_fit_80_columns():
    lines = evidence_lines(snap())
    head = next(ln for ln in lines if ln.split()[:2] == ["PID", "USER"])
    rows = lines[lines.index(head) + 1 :]
    assert [r.split()[0] for r in rows] == ["7", "8"]
    for row in rows:  # the state letter and the command start where their headers do
        assert row[head.index(" S ") + 1] in "RSZDT"
        assert row[head.index("COMMAND") :].strip() == "python3"
    text = narrated(snap(), width=80)
    tasks = next(ln for ln in text.splitlines() if "Tasks:" in ln)
    assert "5 total, 1 running, 3 sleeping, 0 stopped, 1 zombie" in tasks  # whole, on one line
    assert all(len(ln) <= 80 for ln in text.splitlines())
    top_rows = [ln for ln in text.splitlines() if ln.strip().startswith(("8 lab", "7 lab"))]
    assert len(top_rows) == 2 and all(ln.rstrip().endswith("python3") for ln in top_rows)


def test_ps_block_says_it_holds_only_the_named_pids():
    lines = evidence_lines(snap())
    i = lines.index("$ ps -eo pid,ppid,stat,ni,comm,args")
    assert "only the rows of the pids named: 7, 8" in lines[i + 1]
    assert lines[i + 2].split()[:2] == ["PID", "PPID"]


def test_a_syntax_error_in_checks_py_points_at_its_own_line(tmp_path):
    f = tmp_path / "checks.py"
    f.write_text("from proclab.checks import check\n\n\n@check('x')\ndef x(lab)\n    return 'ok'\n")
    with pytest.raises(LabFormatError) as err:
        load_checks(f, "broken")
    assert f"{f}:5:" in str(err.value) and "SyntaxError" in str(err.value)


def test_an_error_at_import_points_at_the_checks_line_not_proclabs(tmp_path):
    f = tmp_path / "checks.py"
    f.write_text("from proclab.checks import expect\n\nexpect(False, 'at import')\n")
    with pytest.raises(LabFormatError) as err:
        load_checks(f, "broken")
    assert f"{f}:3:" in str(err.value) and "CheckFailed" in str(err.value)


def run_cli(capsys, *argv):
    with signals_reach_pytest():  # main() installs its SIGTERM handler: pytest's is given back
        try:
            main(list(argv))
        except SystemExit as exit_:
            assert not exit_.code
    return capsys.readouterr().out


def test_list_is_in_course_order_with_sections_and_predict_marks(capsys):
    out = run_cli(capsys, "list", "--lang", "en")
    lines = out.splitlines()
    course = [n for sec in COURSE for n in sec.labs]
    order = [ln.split()[0] for ln in lines if ln.split()[:1] and ln.split()[0] in course]
    assert order == course
    for sec in COURSE:  # each section heads its labs
        assert lines.index(next(ln for ln in lines if ln.startswith(sec.title))) < lines.index(
            next(ln for ln in lines if ln.split()[:1] == [sec.labs[0]])
        )
    zombies = next(ln for ln in lines if ln.split()[:1] == ["zombies"])
    assert "✓" in zombies and (labs_dir() / "zombies" / "questions.toml").is_file()
    zh = run_cli(capsys, "list", "--lang", "zh")
    assert "进程的生命周期" in zh and "预测" in zh


def test_every_builtin_lab_is_in_a_section():
    from proclab.lab import spec as labspec

    assert sorted(n for sec in COURSE for n in sec.labs) == sorted(labspec.builtin_names())


def priority_checks():
    spec = importlib.util.spec_from_file_location(
        "priority_checks_words", labs_dir() / "priority" / "checks.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize(
    "cores, ran_at_once", [(1.02, False), (1.08, False), (1.3, None), (1.95, True)]
)
def test_priority_two_cpu_words_match_the_number(cores, ran_at_once):
    words = priority_checks().overlap_words(cores)
    if ran_at_once is False:
        assert "did NOT run at once" in words
    elif ran_at_once is None:
        assert "only part of the time" in words and "30%" in words
    else:
        assert "both CPUs were busy" in words
    assert ("both" in words) == (ran_at_once is True)

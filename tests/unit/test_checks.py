"""Checks: evidence on pass and fail, figures, and bugs in a check reported as failures."""

import pytest

from proclab.checks import Check, CheckFailed, close_to, expect, load_checks
from proclab.errors import LabFormatError
from proclab.lab.checking import Ending
from proclab.lab.document import encode
from proclab.lab.result import CheckpointMissing, LabResult, RunRecord


def result():
    return LabResult(lab="t", title="t", path="/x", runs=[RunRecord(variant="main", exit_code=3)])


def test_expect_passes_with_evidence_and_figures():
    assert expect(True, "fine", n=2) == ("fine", {"n": 2})
    with pytest.raises(CheckFailed) as err:
        expect(False, "exit code 3", code=3)
    assert err.value.figures == {"code": 3}


def test_check_results():
    ok = Check(
        "exits 3", lambda lab: expect(lab.exit_code == 3, f"exit {lab.exit_code}", code=3)
    ).run(result())
    assert ok.passed and ok.detail == "exit 3" and ok.figures == {"code": 3}
    bad = Check("exits 0", lambda lab: expect(lab.exit_code == 0, f"exit {lab.exit_code}")).run(
        result()
    )
    assert not bad.passed and bad.detail == "exit 3"


def test_missing_checkpoint_fails_the_check_with_what_was_reached():
    r = Check("c", lambda lab: lab.checkpoint("nope")).run(result())
    assert not r.passed and "never reached checkpoint 'nope'" in r.detail


def test_unreadable_ps_fails_the_check_naming_the_checkpoint_not_the_checks_bug():
    from proclab.snapshot import Snapshot

    lab = result()
    lab.runs[0].checkpoints = [Snapshot("made", {}, 0.1, 1, [], "PID USER TIME COMMAND\n", None)]
    outcome = Check("c", lambda lab: lab.checkpoint("made").ps_line(1)).outcome(lab)
    assert outcome.kind is Ending.REFUTED and not outcome.result.passed
    assert outcome.result.detail.startswith(
        "checkpoint 'made': the probe could not read ps's output"
    )


def test_a_buggy_check_is_a_failure_not_a_crash():
    r = Check("c", lambda lab: 1 / 0).run(result())
    assert not r.passed and "ZeroDivisionError" in r.detail


def test_close_to():
    assert close_to(1.1, 1.0, 0.15) and not close_to(1.2, 1.0, 0.15)


def test_load_checks_keeps_order(tmp_path):
    f = tmp_path / "checks.py"
    f.write_text(
        "from proclab.checks import check, expect\n"
        "@check('b first')\ndef b(lab): return 'x'\n"
        "@check('a second')\ndef a(lab): return 'y'\n"
        "def helper(lab): pass\n"
    )
    assert [c.name for c in load_checks(f, "t")] == ["b first", "a second"]


def test_broken_checks_file_is_a_format_error(tmp_path):
    f = tmp_path / "checks.py"
    f.write_text("import nothing_here\n")
    with pytest.raises(LabFormatError, match="checks.py:1"):
        load_checks(f, "t")


def test_result_lookup_errors():
    with pytest.raises(CheckpointMissing):
        result().run("other")


# -- the verdict is honest: only evidence passes --------------------------------------------


@pytest.mark.parametrize(
    "returned, shown",
    [
        (False, "returned False"),
        (None, "returned None"),
        (0, "returned 0"),
        ("", "returned ''"),
        (("a", {}, 3), "returned ('a', {}, 3)"),
        (42, "returned 42"),
        (("", {}), "returned ('', {})"),
    ],
    ids=["False", "None", "zero", "empty", "3-tuple", "number", "empty-evidence"],
)
def test_anything_but_evidence_fails_and_says_what_it_returned(returned, shown):
    r = Check("c", lambda lab: returned).run(result())
    assert not r.passed and shown in r.detail, r.detail


def test_a_bare_true_passes_with_a_warning_that_it_carries_no_evidence():
    r = Check("c", lambda lab: True).run(result())
    assert r.passed and r.detail == "returned True" and "no evidence" in r.warning
    assert encode(r)["warning"] == r.warning


def test_evidence_passes():
    assert Check("c", lambda lab: "pid 7 is Z").run(result()).passed
    assert Check("c", lambda lab: ("pid 7 is Z", {"z": 1})).run(result()).figures == {"z": 1}


def test_the_check_comparison_that_looks_like_evidence_fails(tmp_path):
    f = tmp_path / "checks.py"
    f.write_text(
        "from proclab.checks import check\n"
        "@check('n is 999')\ndef n(lab):\n    return lab.exit_code == 999\n"
    )
    (c,) = load_checks(f, "t")
    r = c.run(result())
    assert not r.passed and "returned False" in r.detail


def test_a_raising_check_names_the_exception_and_its_line_in_checks_py(tmp_path):
    f = tmp_path / "checks.py"
    f.write_text(
        "from proclab.checks import check\n"
        "@check('c')\ndef c(lab):\n    d = {}\n    return d['missing'] + 1 / 0\n"
    )
    (c,) = load_checks(f, "t")
    r = c.run(result())
    assert not r.passed and "checks.py:5" in r.detail, r.detail
    f.write_text("from proclab.checks import check\n@check('c')\ndef c(lab):\n    return 1 / 0\n")
    (c,) = load_checks(f, "t2")
    r = c.run(result())
    assert "ZeroDivisionError" in r.detail and "checks.py:4" in r.detail, r.detail


@pytest.mark.parametrize("code", [0, 1, None])
def test_sys_exit_in_a_check_fails_it_and_does_not_end_the_harness(code):
    import sys

    r = Check("c", lambda lab: sys.exit(code)).run(result())
    assert not r.passed and f"called sys.exit({code!r})" in r.detail


def test_a_check_past_its_time_limit_fails():
    import threading
    import time

    never = threading.Event()
    t = time.monotonic()
    r = Check("c", lambda lab: never.wait()).run(result(), timeout_s=0.3)
    never.set()  # let the abandoned thread end
    assert not r.passed and "took longer than 0.3 s" in r.detail
    assert time.monotonic() - t < 5


def test_check_timeout_s_is_read_from_lab_toml(tmp_path):
    from proclab.lab import spec as labspec

    (tmp_path / "scenario.py").write_text("")
    (tmp_path / "lab.toml").write_text("check_timeout_s = 2.5\n")
    assert labspec.load(tmp_path).check_timeout_s == 2.5
    (tmp_path / "lab.toml").write_text("check_timeout_s = -1\n")
    with pytest.raises(LabFormatError, match="check_timeout_s"):
        labspec.load(tmp_path)


@pytest.mark.parametrize(
    "value, ok",
    [
        ("1", True),
        ('"signal"', True),
        ("256", False),
        ('"sometimes"', False),
        ("true", False),
        ("-1", False),
    ],
)
def test_expect_exit_is_a_code_or_signal(tmp_path, value, ok):
    from proclab.lab import spec as labspec

    (tmp_path / "scenario.py").write_text("")
    (tmp_path / "lab.toml").write_text(f'[[variant]]\nname = "v"\nexpect_exit = {value}\n')
    if ok:
        assert labspec.load(tmp_path).variants[0].expect_exit in (1, "signal")
    else:
        with pytest.raises(LabFormatError, match="expect_exit"):
            labspec.load(tmp_path)


def test_the_checkpoints_a_check_reads_are_recorded_in_its_own_thread():
    from proclab.snapshot.table import Snapshot

    r = result()
    r.runs[0].checkpoints = [Snapshot("ready", {"n": 1}, 0.0, 1, [], "", None)]
    c = Check(
        "reads ready", lambda lab: expect(lab.checkpoint("ready").data["n"] == 1, "n = 1")
    ).run(r)
    assert c.passed and c.checkpoints == [("main", "ready")]


def test_within_is_close_to_with_a_warning():
    """A lab folder written when the tolerance was called ``within`` still loads."""
    import proclab.checks

    with pytest.warns(DeprecationWarning, match="close_to"):
        old = proclab.checks.within
    assert old is close_to


def test_a_memory_read_the_kernel_refused_is_inconclusive_not_failed():
    """what-is-a-process reads its copies' /proc/PID/mem, which a strict ptrace policy refuses
    (Yama's ptrace_scope 2 or 3): nothing was measured, so the check cannot say failed."""
    from types import SimpleNamespace

    from proclab.lab.checking import CheckInconclusive
    from proclab.paths import labs_dir

    checks = load_checks(labs_dir() / "what-is-a-process" / "checks.py", "what-is-a-process")
    (own,) = [c for c in checks if c.name.startswith("each has its own memory")]
    copies = [{"name": n, "pid": p, "memory": None} for n, p in (("A", 12), ("B", 13))]
    cp = SimpleNamespace(data={"copies": copies, "address": "0x10000", "ptrace_scope": "2"})
    lab = SimpleNamespace(checkpoint=lambda name: cp)
    with pytest.raises(CheckInconclusive, match="ptrace_scope is 2"):
        own.fn(lab)

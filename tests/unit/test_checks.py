"""Checks: evidence on pass and fail, figures, and bugs in a check reported as failures."""
import pytest

from proclab.checks import Check, CheckFailed, expect, load_checks, within
from proclab.errors import LabFormatError
from proclab.lab.result import CheckpointMissing, LabResult, RunRecord


def result():
    return LabResult(lab="t", title="t", path="/x", runs=[RunRecord(variant="main", settings={}, exit_code=3)])


def test_expect_passes_with_evidence_and_figures():
    assert expect(True, "fine", n=2) == ("fine", {"n": 2})
    with pytest.raises(CheckFailed) as err:
        expect(False, "exit code 3", code=3)
    assert err.value.figures == {"code": 3}


def test_check_results():
    ok = Check("exits 3", lambda lab: expect(lab.exit_code == 3, f"exit {lab.exit_code}", code=3)).run(result())
    assert ok.passed and ok.detail == "exit 3" and ok.figures == {"code": 3}
    bad = Check("exits 0", lambda lab: expect(lab.exit_code == 0, f"exit {lab.exit_code}")).run(result())
    assert not bad.passed and bad.detail == "exit 3"


def test_missing_checkpoint_fails_the_check_with_what_was_reached():
    r = Check("c", lambda lab: lab.checkpoint("nope")).run(result())
    assert not r.passed and "never reached checkpoint 'nope'" in r.detail


def test_a_buggy_check_is_a_failure_not_a_crash():
    r = Check("c", lambda lab: 1 / 0).run(result())
    assert not r.passed and "ZeroDivisionError" in r.detail


def test_within():
    assert within(1.1, 1.0, 0.15) and not within(1.2, 1.0, 0.15)


def test_load_checks_keeps_order(tmp_path):
    f = tmp_path / "checks.py"
    f.write_text("from proclab.checks import check, expect\n"
                 "@check('b first')\ndef b(lab): return 'x'\n"
                 "@check('a second')\ndef a(lab): return 'y'\n"
                 "def helper(lab): pass\n")
    assert [c.name for c in load_checks(f, "t")] == ["b first", "a second"]


def test_broken_checks_file_is_a_format_error(tmp_path):
    f = tmp_path / "checks.py"
    f.write_text("import nothing_here\n")
    with pytest.raises(LabFormatError, match="checks.py:1"):
        load_checks(f, "t")


def test_result_lookup_errors():
    with pytest.raises(CheckpointMissing):
        result().run("other")

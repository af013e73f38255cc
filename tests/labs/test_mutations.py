"""The mutation meta-test: every check of every built-in lab can fail.

For each lab, the real result of its passing run (``run_lab_cached``: the run the rest of
the suite uses, never a second one) is changed one fact at a time (``proclab.lab.mutate``)
and the lab's checks run on each change; every check must fail on at least one. A check
that no generic mutation fails needs a lab-specific one in the lab's ``mutations.py``.
The table (lab, check, the mutation that failed it) is printed with the results.
"""
from __future__ import annotations

import pytest

from proclab.lab import mutate
from proclab.lab import spec as labspec
from proclab.lab.checking import load_checks

pytestmark = [pytest.mark.lab, pytest.mark.docker]


@pytest.mark.parametrize("name", labspec.builtin_names())
def test_every_check_can_fail(name, run_lab_cached, capsys):
    result = run_lab_cached(name)
    if not result.passed:
        pytest.skip(f"lab {name} did not pass, so there is no real result to mutate (test_labs says why)")
    spec = labspec.resolve(name)
    extra = mutate.load_extra(spec.path)
    verdicts = mutate.find_failing(load_checks(spec.checks_file, name), result,
                                   extra(result) if extra else (), spec.check_timeout_s)
    with capsys.disabled():      # the table is the report: shown whether the test passes or not
        print()
        for v in verdicts:
            print(f"  {name} | {v.check[:70]} | {v.failed_by or 'NONE: ' + v.note}")
    cannot = [v.check for v in verdicts if not v.can_fail and not v.inconclusive]
    if all(v.inconclusive for v in verdicts if not v.can_fail) and any(v.inconclusive for v in verdicts):
        pytest.skip(f"lab {name}: inconclusive on this host: " +
                    "; ".join(v.check for v in verdicts if v.inconclusive))
    assert verdicts, f"lab {name} has no checks"
    assert not cannot, f"lab {name}: no one-fact mutation fails these checks: {cannot}"

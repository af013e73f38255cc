"""The mutation engine (pure): one-fact changes that stay well-formed, never touch the
original, and find, for each check, a change that fails it — or say that none can."""

import json
from pathlib import Path

import pytest

from proclab.checks import Check, expect, set_data
from proclab.lab import mutate
from proclab.lab.document import encode
from proclab.lab.result import LabResult, RunRecord
from proclab.snapshot.table import Snapshot

FIX = Path(__file__).parent / "fixtures"


def result():
    snap = Snapshot.from_dict(json.loads((FIX / "snapshot_zombie.json").read_text()))
    run = RunRecord(variant="main", exit_code=0, checkpoints=[snap])
    return LabResult(lab="t", title="t", path="/x", runs=[run])


def zombie_is_z(lab):
    cp = lab.checkpoint(lab.checkpoints[0].name)
    z = cp.process(cp.data["child"])
    return expect(z.state == "Z" and cp.ps_row(z.pid).defunct, f"{z}")


def test_every_mutation_is_well_formed_and_leaves_the_original_alone():
    r = result()
    before = json.dumps(encode(r), sort_keys=True)
    seen = set()
    for m in mutate.generic(r):
        changed = m.make()
        doc = json.dumps(encode(changed), sort_keys=True)
        assert doc != before, f"{m.what} changed nothing"
        for cp in changed.checkpoints:  # ps and top still parse
            assert cp.ps_rows and (cp.top is None or cp.top_tasks is not None)
        seen.add(m.what.split(": ", 1)[1].split(" ")[0])
    assert json.dumps(encode(r), sort_keys=True) == before
    assert {"pid", "data['child']", "top", "exit", "one"} <= seen | {w.split("[")[0] for w in seen}


def test_a_vacuous_check_is_named_and_a_real_one_is_failed_by_one_fact():
    checks = [
        Check("always", lambda lab: expect(True, "ok")),
        Check("zombie is Z", zombie_is_z),
        Check("exits 0", lambda lab: expect(lab.exit_code == 0, f"exit {lab.exit_code}")),
    ]
    found = {v.check: v for v in mutate.find_failing(checks, result())}
    assert not found["always"].can_fail and "no one-fact mutation" in found["always"].note
    assert "state Z→S" in found["zombie is Z"].failed_by
    assert found["exits 0"].failed_by == "main: exit code 0→1"


def test_a_check_that_fails_already_is_not_called_testable():
    (v,) = mutate.find_failing(
        [Check("exits 3", lambda lab: expect(lab.exit_code == 3, "no"))], result()
    )
    assert not v.can_fail and "does not pass on the real result" in v.note


def test_a_check_that_only_crashes_on_mutations_has_not_judged_them():
    def fragile(lab):
        cp = lab.checkpoints[0]
        if cp.process(cp.data["child"]).state != "Z":
            raise RuntimeError("confused")
        return "Z"

    (v,) = mutate.find_failing([Check("fragile", fragile)], result())
    # state mutations make it raise (not judged); only 'absent' fails it the honest way
    assert v.can_fail and "absent" in v.failed_by


def test_a_labs_own_mutation_is_tried_first():
    r = result()
    cp = r.checkpoints[0]
    own = set_data(r, cp.name, "child", 1)
    (v,) = mutate.find_failing([Check("zombie is Z", zombie_is_z)], r, [own])
    assert "the lab's own mutation" in v.failed_by
    with pytest.raises(LookupError):
        set_data(r, "nowhere", "child", 1)


def test_retoken_keeps_the_columns():
    from proclab.lab.mutate_table import retoken

    line = "   12     1 Ss     0 python3              python3 x.py"
    assert retoken(line, 1, "999") == "   12   999 Ss     0 python3              python3 x.py"
    assert (
        retoken(line, 2, "R", "left")
        == "   12     1 Rs     0 python3              python3 x.py"[:0]
        + "   12     1 R      0 python3              python3 x.py"
    )
    with pytest.raises(ValueError):
        retoken(line, 0, "1234567")

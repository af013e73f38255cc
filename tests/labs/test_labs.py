"""Every built-in lab runs in real containers and every one of its checks passes (or, for the
CPU-timing labs on a busy host, is inconclusive: then the test is a skip with the reason)."""

from __future__ import annotations

import pytest

from proclab.lab import spec as labspec
from tests.support.verdicts import assert_passed

pytestmark = [pytest.mark.lab, pytest.mark.docker]


@pytest.mark.parametrize("name", labspec.builtin_names())
def test_lab_passes(name, run_lab_cached):
    result = run_lab_cached(name)
    assert result.checks, f"lab {name} ran no check"
    # every container the lab used is gone again (whatever the verdict)
    from proclab import engine

    names = {r.container for r in result.runs}
    left = [c.name for c in engine.proclab_containers() if c.name in names]
    assert not left, f"containers left behind: {left}"
    assert_passed(result)  # an inconclusive lab (a busy host) is a skip with the reason

"""Every built-in lab runs in real containers and every one of its checks passes."""
from __future__ import annotations

import pytest

from proclab.lab import spec as labspec
from tests.conftest import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]


@pytest.mark.parametrize("name", labspec.builtin_names())
def test_lab_passes(name, run_lab_cached):
    result = run_lab_cached(name)
    assert result.checks, f"lab {name} ran no check"
    assert result.passed, explain(result)
    # every container the lab used is gone again
    from proclab import engine

    names = {r.container for r in result.runs}
    left = [c.name for c in engine.proclab_containers() if c.name in names]
    assert not left, f"containers left behind: {left}"

"""A lab's hang variant hangs by design and is caught by its timeout, as the expected outcome,
within a few seconds, leaving nothing running (tests/support/results.assert_hang_caught)."""

from __future__ import annotations

import pytest

from tests.support.results import assert_hang_caught
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]


@pytest.mark.parametrize(
    "lab, variant",
    [("pipes", "one-end-open"), ("queues", "no-sentinel")],
    ids=["pipes-one-end-open", "queues-no-sentinel"],
)
def test_hang_is_the_expected_outcome(run_lab_cached, lab, variant):
    result = run_lab_cached(lab)
    assert result.passed, explain(result)
    assert_hang_caught(result, variant)

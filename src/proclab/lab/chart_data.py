"""Chart data a lab's checks.py hands out: bars of measured (and expected) figures.

A lab's ``checks.py`` may define one more function besides its checks::

    from proclab.charts import Bar, Chart

    def charts(lab):                      # lab: the LabResult, as in a check
        return [Chart("CPU share per nice level", "%", (
            Bar("nice 0", 68.9, expected=69.7),
            Bar("nice 5", 23.1, expected=22.8),
        ))]

It is found when checks.py is loaded (``LabChecks.charts``); after the checks
the runner calls it and keeps the charts on ``LabResult.charts`` (and in
``--json``). Drawing them, as terminal bars and a PNG, is the UI's job
(``proclab.ui.bar_charts``). One set of figures, two pictures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..jsonform import JsonForm

HOOK = "charts"


@dataclass(frozen=True)
class Bar:
    json_form = JsonForm(digits={"value": 4, "expected": 4}, unless_none=frozenset({"expected"}))

    label: str
    value: float
    expected: float | None = None  # drawn beside the measured bar when given


@dataclass(frozen=True)
class Chart:
    json_form = JsonForm(keys=("title", "unit", "measured_label", "expected_label", "bars"))

    title: str
    unit: str  # "%", "s", "CPU-s", ...
    bars: tuple[Bar, ...]
    measured_label: str = "measured"
    expected_label: str = "expected"

    @property
    def top(self) -> float:
        vals = [b.value for b in self.bars] + [
            b.expected for b in self.bars if b.expected is not None
        ]
        return max([v for v in vals if v > 0], default=1.0)


def chart_data(hook: Callable[[Any], Any] | None, result: Any) -> tuple[list[Chart], list[str]]:
    """Call a lab's charts hook on its result: (the charts with bars, problems as sentences).

    A broken hook does not change the verdict; the caller reports its problem.
    """
    if hook is None or result.error:
        return [], []
    try:
        found = [c for c in (hook(result) or []) if c.bars]
    except Exception as err:  # a bug in the lab's charts(): say so, keep the checks' verdict
        return [], [f"{result.lab}: charts() raised {type(err).__name__}: {err}"]
    return found, []

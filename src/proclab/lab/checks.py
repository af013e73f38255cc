"""Lab checks: functions that state a fact about the process table or an exit code.

In a lab's ``checks.py``::

    from proclab.checks import check, expect

    @check("the zombie shows as Z in psutil and ps")
    def zombie_visible(lab):
        cp = lab.checkpoint("zombie-created")
        z = cp.process(cp.data["child"])
        return expect(z.state == "Z" and cp.ps_row(z.pid).stat.startswith("Z"),
                      f"psutil: {z}; ps: {cp.ps_line(z.pid)}")

A check returns its evidence (a string, or ``(string, figures_dict)``) and
fails by ``expect`` raising ``CheckFailed`` with the same evidence. When the
world did not allow the measurement (a busy host left too little CPU free), it
calls ``inconclusive(why)``: neither a pass nor a failure. The same checks run
under the CLI and under pytest (where an inconclusive check is a skip).
"""
from __future__ import annotations

import importlib.util
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, NoReturn

from ..errors import LabFormatError
from .charts import HOOK
from .hostload import HostLoad
from .result import FAILED, INCONCLUSIVE, PASSED, CheckResult, LabResult, recording_reads

CheckFn = Callable[[LabResult], Any]


class CheckFailed(AssertionError):
    def __init__(self, detail: str, figures: dict[str, Any] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.figures = figures or {}


class CheckInconclusive(Exception):
    """The measurement a check needs could not be made: the check neither passed nor failed."""

    def __init__(self, detail: str, figures: dict[str, Any] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.figures = figures or {}


def inconclusive(detail: str, **figures: Any) -> NoReturn:
    """End the check as inconclusive: say what was measured and why it is not enough."""
    raise CheckInconclusive(detail, figures)


def require_free_cpus(load: HostLoad, needed: float, note: str = "", **figures: Any) -> None:
    """Inconclusive unless the host's other processes left ``needed`` CPUs free in the window
    ``load`` describes (see ``host_load``). ``note``: what else the evidence should say."""
    if load.enough(needed):
        return
    free = load.free
    why = (load.describe() if free is None else
           f"{load.describe()} in the window, and this claim needs {needed:.2f}")
    inconclusive(f"not measured: {why}{note}; run again on a quieter host (proclab's lab lock keeps other "
                 "labs away, not other programs)",
                 free_cpus=None if free is None else round(free, 3), needed_free_cpus=needed, **figures)


def expect(condition: Any, detail: str, **figures: Any) -> tuple[str, dict[str, Any]]:
    """Pass with ``detail`` as evidence, or fail with it. ``figures`` go into the JSON."""
    if not condition:
        raise CheckFailed(detail, figures)
    return detail, figures


def within(measured: float, expected: float, tolerance: float) -> bool:
    """True when measured is within ``tolerance`` (a fraction) of expected."""
    return abs(measured - expected) <= tolerance * abs(expected)


@dataclass(frozen=True)
class Check:
    name: str
    fn: CheckFn
    zh: str = ""                  # the title in Chinese, if the lab gives one

    def run(self, result: LabResult) -> CheckResult:
        with recording_reads() as read:
            verdict = self._verdict(result)
        verdict.checkpoints = list(read)
        return verdict

    def _verdict(self, result: LabResult) -> CheckResult:
        try:
            out = self.fn(result)
        except CheckFailed as fail:
            return CheckResult(self.name, FAILED, fail.detail, fail.figures, zh=self.zh)
        except CheckInconclusive as why:
            return CheckResult(self.name, INCONCLUSIVE, why.detail, why.figures, zh=self.zh)
        except LookupError as err:  # a checkpoint or process the check needs is not there
            return CheckResult(self.name, FAILED, str(err).strip("'\""), zh=self.zh)
        except Exception as err:  # a bug in the check itself: report it as a failure with its cause
            where = traceback.extract_tb(err.__traceback__)[-1]
            return CheckResult(self.name, FAILED,
                               f"the check raised {type(err).__name__}: {err} "
                               f"({Path(where.filename).name}:{where.lineno})", zh=self.zh)
        if isinstance(out, tuple):
            detail, figures = out
        else:
            detail, figures = (out if out is not None else "ok"), {}
        return CheckResult(self.name, PASSED, str(detail), dict(figures), zh=self.zh)


def check(name: str, zh: str = "") -> Callable[[CheckFn], CheckFn]:
    """Mark a function in a lab's checks.py as a check called ``name`` (``zh``: its title
    in Chinese, shown by ``proclab run --lang zh``; the evidence stays as measured)."""
    def mark(fn: CheckFn) -> CheckFn:
        fn.__proclab_check__ = name  # type: ignore[attr-defined]
        fn.__proclab_check_zh__ = zh  # type: ignore[attr-defined]
        return fn
    return mark


@dataclass(frozen=True)
class LabChecks:
    """What a lab's checks.py defines: its checks, in the order written, and its charts hook."""

    checks: tuple[Check, ...] = ()
    charts: Callable[[LabResult], Any] | None = None

    def __iter__(self) -> Iterator[Check]:
        return iter(self.checks)

    def __len__(self) -> int:
        return len(self.checks)


def load_checks(path: Path, lab: str) -> LabChecks:
    """The checks (and charts hook) of a lab's checks.py; none when it has no such file."""
    if not path.is_file():
        return LabChecks()
    mod_name = f"proclab_lab_checks_{lab.replace('-', '_')}_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(mod_name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as err:
        tb = traceback.extract_tb(err.__traceback__)[-1]
        raise LabFormatError(f"{path}:{tb.lineno}: the checks file fails to load: {type(err).__name__}: {err}") from err
    found = tuple(Check(fn.__proclab_check__, fn, getattr(fn, "__proclab_check_zh__", ""))
                  for fn in vars(module).values()
                  if callable(fn) and hasattr(fn, "__proclab_check__"))
    hook = getattr(module, HOOK, None)
    return LabChecks(found, hook if callable(hook) else None)


def run_checks(checks: LabChecks | list[Check], result: LabResult) -> list[CheckResult]:
    return [c.run(result) for c in checks]

"""Lab checks: functions that state a fact about the process table or an exit code.

In a lab's ``checks.py``::

    from proclab.checks import check, expect

    @check("the zombie shows as Z in psutil and ps")
    def zombie_visible(lab):
        cp = lab.checkpoint("zombie-created")
        z = cp.process(cp.data["child"])
        return expect(z.state == "Z" and cp.ps_row(z.pid).stat.startswith("Z"),
                      f"psutil: {z}; ps: {cp.ps_line(z.pid)}")

A check passes only by returning its evidence: a string, or ``expect()``'s result
(``(string, figures_dict)``). It fails by ``expect`` raising ``CheckFailed`` with the
same evidence, or by returning anything else (False, None, a number, a 3-tuple: the
verdict says what it returned). ``True`` alone passes, with the evidence "returned
True" and a warning that it carries none. A check that raises, calls ``sys.exit()``
or runs past its time limit fails and says so. When the world did not allow the
measurement (a busy host left too little CPU free), it calls ``inconclusive(why)``:
neither a pass nor a failure. The same checks run under the CLI and under pytest
(where an inconclusive check is a skip).
"""
from __future__ import annotations

import importlib.util
import sys
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, NoReturn

from ..errors import LabFormatError, ProbeError, ProclabError
from .chart_data import HOOK
from ..snapshot.table import ProcessMissing
from .hostload import HostLoad
from .kernel_record import NoKernelRecord
from .result import INCONCLUSIVE as INCONCLUSIVE_STATUS
from .result import CheckpointMissing, CheckResult, LabResult, recording_reads
from .spec import CHECK_TIMEOUT_S   # each check's own time limit, unless lab.toml sets check_timeout_s

CheckFn = Callable[[LabResult], Any]


class CheckFailed(ProclabError, AssertionError):
    def __init__(self, detail: str, figures: dict[str, Any] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.figures = figures or {}


class CheckInconclusive(ProclabError):
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


def close_to(measured: float, expected: float, tolerance: float) -> bool:
    """True when measured is within ``tolerance`` (a fraction) of expected."""
    return abs(measured - expected) <= tolerance * abs(expected)


# How a check ended: the verdict's kind. Only FAILED says the check judged the result and
# found it wrong (the mutation test counts those); RAISED, TIMEOUT and EXITED are bugs in the check;
# INCONCLUSIVE: the world did not allow the measurement.
PASSED, FAILED, RAISED, TIMEOUT, EXITED = "passed", "failed", "raised", "timeout", "exited"
INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class Outcome:
    result: CheckResult
    kind: str


def _where(err: BaseException) -> str:
    """The innermost line of the traceback that is in the lab's checks file (else the innermost)."""
    frames = traceback.extract_tb(err.__traceback__)
    mine = [f for f in frames if Path(f.filename).name == "checks.py"] or frames
    return f"{Path(mine[-1].filename).name}:{mine[-1].lineno}" if mine else "?"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def judge(name: str, out: Any) -> Outcome:
    """The verdict on what a check returned (it did not raise)."""
    if out is True:
        return Outcome(CheckResult(name, True, "returned True",
                                   warning="the check returned True, which carries no evidence: "
                                           "return expect(condition, 'what was seen')"), PASSED)
    if isinstance(out, str) and out.strip():
        return Outcome(CheckResult(name, True, out), PASSED)
    if (isinstance(out, tuple) and len(out) == 2 and isinstance(out[0], str) and out[0].strip()
            and isinstance(out[1], dict)):
        return Outcome(CheckResult(name, True, out[0], dict(out[1])), PASSED)
    return Outcome(CheckResult(name, False, f"the check returned {_short(out)}, not evidence: a check passes "
                                            "only by returning a string or expect(...)'s result"), FAILED)


@dataclass(frozen=True)
class Check:
    name: str
    fn: CheckFn
    zh: str = ""                  # the title in Chinese, if the lab gives one

    def run(self, result: LabResult, timeout_s: float = CHECK_TIMEOUT_S) -> CheckResult:
        return self.outcome(result, timeout_s).result

    def outcome(self, result: LabResult, timeout_s: float = CHECK_TIMEOUT_S) -> Outcome:
        """Run the check in a thread of its own under its time limit. A check past the limit is
        abandoned, not stopped (Python cannot kill a thread): it is a daemon thread, so it never
        keeps the harness alive, and its verdict is already written."""
        box: list[Outcome] = []
        worker = threading.Thread(target=lambda: box.append(self._call(result)), daemon=True,
                                  name=f"check: {self.name[:40]}")
        worker.start()
        worker.join(timeout_s)
        if worker.is_alive() or not box:
            return Outcome(CheckResult(self.name, False, f"the check took longer than {timeout_s:g} s "
                                                         "(its time limit: check_timeout_s in lab.toml)", zh=self.zh),
                           TIMEOUT)
        return box[0]

    def _call(self, result: LabResult) -> Outcome:
        # in the check's own thread: the record of the checkpoints it reads is per thread (a ContextVar)
        with recording_reads() as read:
            outcome = self._judged(result)
        outcome.result.checkpoints = list(read)
        outcome.result.zh = self.zh
        return outcome

    def _judged(self, result: LabResult) -> Outcome:
        try:
            out = self.fn(result)
        except CheckFailed as fail:
            return Outcome(CheckResult(self.name, False, fail.detail, fail.figures), FAILED)
        except CheckInconclusive as why:
            return Outcome(CheckResult(self.name, INCONCLUSIVE_STATUS, why.detail, why.figures), INCONCLUSIVE)
        except NoKernelRecord as why:   # the run has no kernel record (no root, no tracefs, --no-trace)
            return Outcome(CheckResult(self.name, INCONCLUSIVE_STATUS, str(why).strip("'\""), {}), INCONCLUSIVE)
        except (CheckpointMissing, ProcessMissing) as err:  # a checkpoint or process the check needs is not there
            return Outcome(CheckResult(self.name, False, str(err).strip("'\"")), FAILED)
        except ProbeError as err:       # the probe's ps or top text cannot be read: the lab's, not the check's
            return Outcome(CheckResult(self.name, False, str(err)), FAILED)
        except SystemExit as err:   # a check must not end the harness
            return Outcome(CheckResult(self.name, False, f"the check called sys.exit({err.code!r}) "
                                                         f"({_where(err)})"), EXITED)
        except Exception as err:  # a bug in the check itself: report it as a failure with its cause
            return Outcome(CheckResult(self.name, False,
                                       f"the check raised {type(err).__name__}: {err} ({_where(err)})"), RAISED)
        return judge(self.name, out)


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


def _load_line(err: BaseException, path: Path) -> int | str:
    """The line of the lab's own checks.py that broke its loading. A SyntaxError is raised by
    the compiler (its traceback ends in importlib), so its own lineno is the one that counts;
    for any other error the innermost frame in that file (not proclab's code it called)."""
    if isinstance(err, SyntaxError) and err.lineno and Path(err.filename or "").resolve() == path.resolve():
        return err.lineno
    frames = [f for f in traceback.extract_tb(err.__traceback__) if Path(f.filename).resolve() == path.resolve()]
    return frames[-1].lineno if frames and frames[-1].lineno else "?"


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
        raise LabFormatError(f"{path}:{_load_line(err, path)}: the checks file fails to load: "
                             f"{type(err).__name__}: {err}") from err
    found = tuple(Check(fn.__proclab_check__, fn, getattr(fn, "__proclab_check_zh__", ""))
                  for fn in vars(module).values()
                  if callable(fn) and hasattr(fn, "__proclab_check__"))
    hook = getattr(module, HOOK, None)
    return LabChecks(found, hook if callable(hook) else None)


def run_checks(checks: LabChecks | list[Check], result: LabResult,
               timeout_s: float = CHECK_TIMEOUT_S) -> list[CheckResult]:
    return [c.run(result, timeout_s) for c in checks]

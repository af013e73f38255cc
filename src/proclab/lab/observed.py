"""The small language of a question's ``observed`` expression.

One Python *expression*, read from the ``LabResult`` after the run, with these names:
``lab`` (the LabResult), ``cp(name, variant=None)`` (a checkpoint's Snapshot),
``proc(checkpoint, data_key, variant=None)`` (the process whose pid the checkpoint's
data names), ``figure(name)`` (a check's figure), ``find(rows, **match)`` (the first
dict in a list with those values), and len, min, max, sum, sorted, round, abs, any,
all, int, float, str, set, list, tuple, range. No imports, assignments, lambdas or f-strings, and only the
attributes in ``ATTRIBUTES``: those of the lab's results and a few read-only str,
list and dict methods. Not ``format``: ``"{0.__globals__}".format(cp)`` would walk
from a result into the harness's internals.

This is a guard against a careless question, not a sandbox: a lab folder is code
(its checks.py runs as the user), see docs/writing-labs.md.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

from ..errors import LabFormatError
from ..snapshot import Process, Snapshot
from .result import LabResult

SAFE_BUILTINS: dict[str, Any] = {
    f.__name__: f
    for f in (
        len,
        min,
        max,
        sum,
        sorted,
        round,
        abs,
        any,
        all,
        int,
        float,
        str,
        set,
        list,
        tuple,
        range,
    )
}
SAFE_NODES = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Attribute,
    ast.Subscript,
    ast.Slice,
    ast.Call,
    ast.keyword,
    ast.Compare,
    ast.BoolOp,
    ast.BinOp,
    ast.UnaryOp,
    ast.IfExp,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.ListComp,
    ast.GeneratorExp,
    ast.comprehension,
    ast.Store,
    ast.And,
    ast.Or,
    ast.Not,
    ast.USub,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.Is,
    ast.IsNot,
    ast.In,
    ast.NotIn,
)
ATTRIBUTES = frozenset(
    """
    lab title runs checks duration_s run checkpoint checkpoints passed exit_code output
    variant timed_out expect_timeout error actions action has stdout stderr lines_with host_alive_after_exit
    name detail figures at do grace_s signal command took_s stream text at_s
    data announced_by processes ps top overhead_ms host host_pids scenario get process find pids children
    zombies in_state ps_rows ps_row ps_line top_rows top_row top_tasks top_header disagreements
    pid ppid state status nice cmdline cpu_user_s cpu_system_s create_time threads user probe key cpu_s
    stat comm args line defunct total running sleeping stopped zombie pr cpu_pct
    keys values items index count startswith endswith lower upper strip split splitlines isdigit
""".split()
)


def check_expression(expr: str, where: str = "observed") -> ast.Expression:
    """Parse ``expr`` and allow only the language above; LabFormatError names what is refused."""
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as err:
        raise LabFormatError(f"{where}: observed is not a Python expression: {err.msg}") from None
    except ValueError as err:  # a NUL byte in the expression
        raise LabFormatError(f"{where}: observed is not a Python expression: {err}") from None
    for node in ast.walk(tree):
        if not isinstance(node, SAFE_NODES):
            raise LabFormatError(f"{where}: observed may not use {type(node).__name__}")
        name = (
            getattr(node, "attr", None) or getattr(node, "id", None) or getattr(node, "arg", None)
        )
        if isinstance(name, str) and name.startswith("_"):
            raise LabFormatError(f"{where}: observed may not use names starting with '_' ({name})")
        if isinstance(node, ast.Attribute) and node.attr not in ATTRIBUTES:
            raise LabFormatError(
                f"{where}: observed may not use the attribute '.{node.attr}': only those of "
                "the lab's results (see docs/writing-labs.md) and a few str/list/dict methods"
            )
    return tree


def _names(result: LabResult) -> dict[str, Any]:
    def cp(name: str, variant: str | None = None) -> Snapshot:
        return result.checkpoint(name, variant)

    def proc(checkpoint: str, key: str, variant: str | None = None) -> Process:
        snap = result.checkpoint(checkpoint, variant)
        return snap.process(snap.data[key])

    def figure(name: str) -> Any:
        for c in result.checks:
            if name in c.figures:
                return c.figures[name]
        raise LookupError(f"no check reported a figure named '{name}'")

    def find(rows: Iterable[dict[str, Any]], **match: Any) -> dict[str, Any]:
        for r in rows:
            if all(r.get(k) == v for k, v in match.items()):
                return r
        raise LookupError(f"no row with {match}")

    return {**SAFE_BUILTINS, "lab": result, "cp": cp, "proc": proc, "figure": figure, "find": find}


def evaluate(expr: str, name: str, result: LabResult) -> Any:
    """The expression's value on the result (LookupError etc. propagate)."""
    code = compile(check_expression(expr, name), f"<{name}>", "eval")
    # the names are globals, so comprehensions (their own scope) see them too
    return eval(code, {"__builtins__": {}, **_names(result)})  # eval of a checked language

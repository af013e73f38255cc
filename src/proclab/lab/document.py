"""The one serializer: every ``--json`` document proclab prints is made here from the typed
records (docs/result-model.md), and ``docs/schema/proclab-result-1.json`` says its shape.

One lab's result (``proclab run LAB``, ``proclab doctor IMAGE``) is a lab document; several
(``run --all``, ``run A B``) are ``{"passed", "verdict", "labs": [lab documents]}``. Every
document printed carries ``schema_version`` first (``stamped``); ``read`` turns a lab document
back into a ``LabResult``. Every record is written by ``proclab.jsonform.encode``, by the
``json_form`` its class declares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..jsonform import encode
from .result import LabResult
from .status import Status

__all__ = ["SCHEMA_FILE", "SCHEMA_VERSION", "document", "encode", "stamped", "verdict_of"]

SCHEMA_VERSION = 1
SCHEMA_FILE = f"proclab-result-{SCHEMA_VERSION}.json"


def stamped(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with ``schema_version`` first (what it says of itself is kept)."""
    rest = {k: v for k, v in doc.items() if k != "schema_version"}
    return {"schema_version": SCHEMA_VERSION, **rest}


def verdict_of(results: Sequence[LabResult]) -> Status:
    """Of several labs: failed if one failed, else inconclusive if one was, else passed."""
    verdicts = {r.verdict for r in results}
    for worst in (Status.FAILED, Status.INCONCLUSIVE):
        if worst in verdicts:
            return worst
    return Status.PASSED


def document(results: Sequence[LabResult], many: bool = False) -> dict[str, Any]:
    """The ``--json`` document: one lab's result, or (``many``, or not exactly one) every lab's."""
    if len(results) == 1 and not many:
        return stamped(encode(results[0]))
    return stamped(
        {
            "passed": all(r.passed for r in results),
            "verdict": verdict_of(results),
            "labs": [encode(r) for r in results],
        }
    )

"""Every ``--json`` document a test reads goes through here: parsed strictly, checked for its
``schema_version`` and validated against the published schema (docs/schema/), so a change of
shape fails the test that saw it. tests/unit/test_documents.py keeps tests from bypassing it."""

from __future__ import annotations

import json
from typing import Any

from proclab.cli.jsonout import dumps
from proclab.lab.document import SCHEMA_VERSION, document
from proclab.lab.schema import violation


def printed(text: str, kind: str | None = None) -> Any:
    """The one document a command printed with ``--json``, valid, or the test fails saying why."""

    def no(name: str) -> None:
        raise AssertionError(f"{name} in the --json document: strict parsers reject it")

    doc = json.loads(text, parse_constant=no)
    assert isinstance(doc, dict) and doc.get("schema_version") == SCHEMA_VERSION, (
        f"a --json document without schema_version {SCHEMA_VERSION}: {str(doc)[:200]}"
    )
    wrong = violation(doc, kind)
    assert wrong is None, f"the --json document breaks docs/schema/: {wrong}"
    return doc


def as_printed(*results: Any, many: bool = False) -> Any:
    """Exactly what ``--json`` prints for these results (one lab's document, or several's)."""
    return printed(dumps(document(results, many=many)))

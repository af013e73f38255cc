"""The HTML report: one self-contained page per lab result, drawn from its ``LabResult``
(a run's, or a ``--json`` document read back: ``report``).

Pure: it reads the records and returns text; writing files is the caller's.
"""

from __future__ import annotations

from typing import Any

from ...lab.document_read import DocumentError, lab_docs
from .doc import links, report, timeline
from .page import index, page, slug

__all__ = [
    "DocumentError",
    "lab_docs",
    "links",
    "report",
    "timeline",
    "index",
    "page",
    "page_name",
    "render",
]


def render(lab_doc: dict[str, Any], lang: str = "en") -> str:
    """The page for one lab's result document (``lang="zh"``: its own words and the checks' titles in Chinese)."""
    return page(report(lab_doc), lang)


def page_name(lab: str) -> str:
    """A file name for a lab's page in a folder of several."""
    return slug(lab)

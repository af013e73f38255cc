"""The HTML report: one self-contained page per lab result, drawn from the ``--json`` document.

Pure: it reads the document (a dict) and returns text; writing files is the caller's.
"""
from __future__ import annotations

from typing import Any

from .doc import Report, ReportFormatError, lab_docs, report
from .page import index, page, slug

__all__ = ["Report", "ReportFormatError", "lab_docs", "report", "index", "page", "page_name", "render"]


def render(lab_doc: dict[str, Any]) -> str:
    """The page for one lab's result document."""
    return page(report(lab_doc))


def page_name(lab: str) -> str:
    """A file name for a lab's page in a folder of several."""
    return slug(lab)

"""The HTML report: one self-contained page per lab result, drawn from the ``--json`` document.

Pure: it reads the document (a dict) and returns text; writing files is the caller's.
"""
from __future__ import annotations

from typing import Any

from .doc import Report, ReportFormatError, lab_docs, report
from .page import index, page, slug

__all__ = ["Report", "ReportFormatError", "lab_docs", "report", "index", "page", "page_name", "render"]


def render(lab_doc: dict[str, Any], lang: str = "en") -> str:
    """The page for one lab's result document (``lang="zh"``: its own words and the checks' titles in Chinese)."""
    return page(report(lab_doc), lang)


def page_name(lab: str) -> str:
    """A file name for a lab's page in a folder of several."""
    return slug(lab)

"""``proclab report RESULT.json --html FILE``: draw the HTML report from a saved ``--json``
document, e.g. results collected from a class."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from ..errors import UsageError
from .output import err_console

if TYPE_CHECKING:
    from ..lab.result import LabResult


@click.command("report")
@click.argument("result", metavar="RESULT.json")
@click.option(
    "--html",
    "html_target",
    metavar="FILE",
    required=True,
    help="Write the page here (a folder, with an index.html, for a document of several labs).",
)
@click.option(
    "--lang",
    metavar="en|zh",
    help="The page's own words and the checks' titles in this language (default: from LANG).",
)
def report(result: str, html_target: str, lang: str | None = None) -> None:
    """Draw the HTML report of a saved result ('proclab run LAB --json > RESULT.json'; '-' for stdin)."""
    from ..lab.lesson import language
    from .html_report import write_reports

    lang = language(lang)

    try:
        with click.open_file(result, encoding="utf-8") as stream:  # '-': stdin
            text = stream.read()
    except OSError as err:
        raise UsageError(
            f"cannot read {result}: {err.strerror or err}; "
            "give the file written by 'proclab run LAB --json > FILE'"
        ) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise UsageError(
            f"{result} is not JSON ({err.msg} at line {err.lineno}); "
            "give the file written by 'proclab run LAB --json'"
        ) from None
    results = _results(doc, result)
    many = isinstance(doc, dict) and "labs" in doc
    written = write_reports(results, html_target, many=many, lang=lang)
    for w in written:
        err_console.print(
            f"{'index' if w.index else 'report'}: {w.page}"
            + (f"  (timeline picture: {w.picture})" if w.picture else ""),
            highlight=False,
        )


def _results(doc: Any, name: str) -> list[LabResult]:
    """The results a saved document holds, once it follows the published schema."""
    from ..lab.document_read import DocumentError, lab_docs, read
    from ..lab.schema import violation

    try:
        labs = lab_docs(doc)
        try:
            wrong = violation(doc, "labs" if isinstance(doc, dict) and "labs" in doc else "lab")
        except ImportError:  # a Debian-packaged proclab (the compose harness) may lack it
            raise UsageError(
                "reading a saved result needs jsonschema, which is not installed: "
                "pip install jsonschema (Debian: apt install python3-jsonschema)"
            ) from None
        if wrong:
            raise UsageError(
                f"{name} is malformed: {wrong} (docs/schema/proclab-result-1.json); "
                "give a file written by 'proclab run LAB --json > FILE'"
            )
        return [read(d) for d in labs]
    except DocumentError as err:
        raise UsageError(f"{name}: {err}") from None

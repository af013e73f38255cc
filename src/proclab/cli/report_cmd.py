"""``proclab report RESULT.json --html FILE``: draw the HTML report from a saved ``--json``
document, e.g. results collected from a class."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import UsageError
from .output import err_console


@click.command("report")
@click.argument("result", metavar="RESULT.json")
@click.option("--html", "html_target", metavar="FILE", required=True,
              help="Write the page here (a folder, with an index.html, for a document of several labs).")
@click.option("--lang", metavar="en|zh", help="The page's own words and the checks' titles in this language (default: from LANG).")
def report(result: str, html_target: str, lang: str | None = None) -> None:
    """Draw the HTML report of a saved result ('proclab run LAB --json > RESULT.json'; '-' for stdin)."""
    from ..lab.lesson import language
    from ..ui.html import ReportFormatError
    from .html_report import write_reports

    lang = language(lang)

    try:
        text = click.get_text_stream("stdin").read() if result == "-" else Path(result).read_text(encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot read {result}: {err.strerror or err}; "
                         "give the file written by 'proclab run LAB --json > FILE'") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise UsageError(f"{result} is not JSON ({err.msg} at line {err.lineno}); "
                         "give the file written by 'proclab run LAB --json'") from None
    try:
        written = write_reports([doc], html_target, many=isinstance(doc, dict) and "labs" in doc, lang=lang)
    except ReportFormatError as err:
        raise UsageError(f"{result}: {err}") from None
    for w in written:
        err_console.print(f"{'index' if w.index else 'report'}: {w.page}" +
                          (f"  (timeline picture: {w.picture})" if w.picture else ""), highlight=False)

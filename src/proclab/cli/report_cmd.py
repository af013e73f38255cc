"""``proclab report RESULT.json --html FILE``: draw the HTML report from a saved ``--json``
document, e.g. results collected from a class."""
from __future__ import annotations

import json

import click

from .output import err_console, fail


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
        with click.open_file(result, encoding="utf-8") as stream:    # '-': stdin
            text = stream.read()
    except OSError as err:
        fail(f"cannot read {result}: {err.strerror or err}; give the file written by 'proclab run LAB --json > FILE'")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        fail(f"{result} is not JSON ({err.msg} at line {err.lineno}); give the file written by 'proclab run LAB --json'")
    try:
        written = write_reports([doc], html_target, many=isinstance(doc, dict) and "labs" in doc, lang=lang)
    except ReportFormatError as err:
        fail(f"{result}: {err}")
    for w in written:
        err_console.print(f"{'index' if w.index else 'report'}: {w.page}" +
                          (f"  (timeline picture: {w.picture})" if w.picture else ""), highlight=False)

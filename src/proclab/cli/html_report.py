"""Write HTML reports (and the timeline PNG beside each) from lab result documents:
for ``proclab run ... --html`` and ``proclab report RESULT.json --html``."""
from __future__ import annotations

import datetime
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import UsageError
from ..paths import reports_dir
from ..ui import html
from ..ui.bar_charts import report_folder
from ..ui.timeline_png import save_timeline_png


@dataclass(frozen=True)
class Written:
    page: Path
    picture: Path | None
    index: bool = False


def _one(doc: dict[str, Any], page: Path, lang: str = "en") -> Written:
    rep = html.report(doc)
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(html.page(rep, lang), encoding="utf-8")
    if importlib.util.find_spec("matplotlib") is None:     # e.g. the compose harness image: the page has the SVG
        return Written(page, None)
    png = page.with_name(page.stem + ".timeline.png")
    save_timeline_png([r.timeline for r in rep.runs], png, title=f"{rep.lab}: {rep.title}")
    return Written(page, png)


def check_target(target: str, many: bool) -> None:
    """Before anything runs: a target that cannot hold what will be written is named now."""
    path = Path(target)
    if many and path.exists() and not path.is_dir():
        raise UsageError(f"--html {target}: that is a file, and several labs need a folder; "
                         "give a folder name")
    if not many and target.endswith("/") and path.exists() and not path.is_dir():
        raise UsageError(f"--html {target}: that is a file, not a folder")


def _folder(target: str | None, default: Path) -> Path:
    if target is None:
        return default
    check_target(target, many=True)
    return Path(target)


def write_reports(docs: Sequence[dict[str, Any]], target: str | None, many: bool,
                  default_folder: Path | None = None, lang: str = "en") -> list[Written]:
    """One page for one lab (at ``target``, a file or a folder), or a folder of pages and an
    index.html for several (``many``). Without a target: a new folder under reports/."""
    labs = [d for doc in docs for d in html.lab_docs(doc)]
    try:
        if not many and len(labs) == 1:
            if target is None:
                page = (default_folder or report_folder(labs[0]["lab"])) / "report.html"
            else:
                page = Path(target)
                if page.is_dir() or target.endswith(("/", os.sep)):
                    page = page / f"{labs[0]['lab']}.html"
            return [_one(labs[0], page, lang)]
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        folder = _folder(target, reports_dir() / f"all-{stamp}")
        out = [_one(d, folder / f"{html.page_name(d['lab'])}.html", lang) for d in labs]
        index = folder / "index.html"
        index.write_text(html.index([(html.report(d), w.page.name) for d, w in zip(labs, out)]), encoding="utf-8")
        return out + [Written(index, None, index=True)]
    except OSError as err:
        raise UsageError(f"cannot write the HTML report: {err}; "
                         "give --html a path you can write to") from None


def report_run(results: Sequence[Any], target: str | None, many: bool, say: Callable[[str], None],
               lang: str = "en") -> None:
    """After ``proclab run --html``: the pages (beside the chart picture when there is one),
    named to the user and added to each result's artifacts."""
    written = write_reports([r.to_dict() for r in results], target, many,
                            default_folder=results[0].report_dir if len(results) == 1 else None, lang=lang)
    for w in written:
        say(f"{'index' if w.index else 'report'}: {w.page}")
    pages = [w for w in written if not w.index]
    for result, w in zip(results, pages):
        result.artifacts += [str(w.page)] + ([str(w.picture)] if w.picture else [])

"""A lab's lesson in two layers and two languages: the short part first, the deep part after.

A README holds the short part (what you will see, the one idea, what to predict, the
one command to see it by hand) up to a heading ``## Going deeper`` (``## 深入`` in a
``README.zh.md``); everything from that heading on is the deep part. The language is
``--lang`` if given, else the environment's (``LANG=zh_CN.UTF-8`` means Chinese).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import LabFormatError, UsageError

LANGS = ("en", "zh")
DEEP = re.compile(r"^## +(Going deeper|深入)", re.M)
SHORT_WORDS = 250  # the short part's budget, in words (English lessons)


def language(option: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """``en`` or ``zh``: the option when given, else LC_ALL / LC_MESSAGES / LANG."""
    if option:
        lang = option.strip().lower().split("_")[0].split("-")[0]
        if lang not in LANGS:
            raise UsageError(
                f"--lang {option!r}: proclab speaks {' and '.join(LANGS)}; use --lang en or --lang zh"
            )
        return lang
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:  # the first one set decides, as in the C library
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


@dataclass(frozen=True)
class Lesson:
    path: Path
    short: str  # the title and the short part
    deep: str  # from the 'Going deeper' heading on ('' when the README has none)

    @property
    def full(self) -> str:
        return self.short + ("\n\n" + self.deep if self.deep else "")


def readme_path(lab_dir: Path, lang: str) -> Path:
    """README.zh.md for Chinese when the lab has one, else README.md."""
    zh = lab_dir / "README.zh.md"
    return zh if lang == "zh" and zh.is_file() else lab_dir / "README.md"


def split(text: str) -> tuple[str, str]:
    m = DEEP.search(text)
    if not m:
        return text.strip(), ""
    return text[: m.start()].strip(), text[m.start() :].strip()


def load(lab_dir: Path, lang: str = "en") -> Lesson | None:
    path = readme_path(lab_dir, lang)
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise LabFormatError(
            f"{path}: not UTF-8 text (byte {err.object[err.start]:#04x} at offset {err.start}); "
            "save it as UTF-8"
        ) from None
    short, deep = split(text)
    return Lesson(path, short, deep)


def words(markdown: str) -> int:
    """Words a reader meets in a short part: the title line not counted, code counted
    (a command is read too), markdown marks not words."""
    body = "\n".join(ln for ln in markdown.splitlines() if not ln.startswith("# "))
    return len([w for w in re.split(r"\s+", body) if re.search(r"\w", w)])


def intro(lab_dir: Path, lang: str, fallback: str) -> str:
    """The short part's first paragraph: what the narration shows before a run."""
    lesson = load(lab_dir, lang)
    if lesson is None:
        return fallback
    for p in (p.strip() for p in lesson.short.split("\n\n")):
        if p and not p.startswith("#"):
            return p
    return fallback


# --- a checkpoint's paragraph, for a learner paused there (``proclab run --step``, key ``l``) ---
# A lesson marks a paragraph as a checkpoint's with an HTML comment on the line before it,
# invisible when the Markdown is rendered:
#
#     <!-- checkpoint: zombie-created -->
#     **Stop here and look** (`zombie-created`): `ps -o pid,ppid,stat,cmd` shows the child as `Z` ...
#
# The paragraph runs to the next blank line; one comment may name several checkpoints.

MARK = re.compile(r"^\s*<!--\s*checkpoint:\s*(?P<names>[^>]*?)\s*-->\s*$")


def marked_paragraphs(text: str) -> dict[str, str]:
    """Checkpoint name -> the paragraph the lesson marks for it (the first, if marked twice)."""
    found: dict[str, str] = {}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = MARK.match(line)
        if not m:
            continue
        para: list[str] = []
        for nxt in lines[i + 1 :]:
            if not nxt.strip():
                if para:
                    break
                continue  # blank lines between the mark and its paragraph
            if MARK.match(nxt):
                break
            para.append(nxt)
        for name in (n.strip() for n in m["names"].split(",")):
            if name and para:
                found.setdefault(name, "\n".join(para))
    return found


def paragraph_for(lab_dir: Path, checkpoint: str, lang: str = "en") -> str | None:
    """The paragraph the lesson marks for ``checkpoint`` (in ``lang``'s README, else the English one), or None."""
    for readme in dict.fromkeys((readme_path(lab_dir, lang), lab_dir / "README.md")):
        if readme.is_file() and (para := marked_paragraphs(readme.read_text()).get(checkpoint)):
            return para
    return None

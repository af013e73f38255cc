"""One lab's result as one self-contained HTML page (inline CSS, JS and SVG; no network),
and an index page for several. Pure: it reads the ``--json`` document's records."""
from __future__ import annotations

import re
from html import escape
from importlib.resources import files
from typing import Any, Sequence

from ...snapshot import Process, Snapshot
from ..tree import named_pids
from .doc import CheckView, Report, RunView
from ..kernel_events import describe as describe_event
from ..translations import word
from .svg import RESULT_COLOUR, chart_svg, timeline_svg
from .timeline import STATE_WORD, Timeline


def asset(name: str) -> str:
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


def cp_id(run: str, name: str) -> str:
    return f"cp-{slug(run)}-{slug(name)}"


def inline_markdown(text: str) -> str:
    """The lesson's paragraph: `code` and **bold**, everything else as text."""
    out = escape(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)


def state_badge(letter: str, lang: str = "en") -> str:
    name = word(STATE_WORD.get(letter, letter), lang)
    return f'<span class="st st-{slug(letter)}" title="{escape(name)}">{escape(letter)}</span>'


# What the kernel did with a signal, in words, for the legend (lab.kernel_record.SignalResult).
RESULT_WORDS = {"delivered": "delivered: the target took it", "ignored": "ignored: dropped by the kernel at once",
                "blocked": "blocked: queued, never taken", "pending": "pending: merged into the same signal"}


RECORD_AT, REAPED_BY = "from the kernel's record, at the exact time:", "reaped (its parent's wait4)"


def legend(t: Timeline | None = None, lang: str = "en") -> str:
    def w(text: str) -> str:
        return escape(word(text, lang))
    items = "".join(f"<li>{state_badge(k, lang)} {w(v)}</li>" for k, v in STATE_WORD.items() if k not in ("t", "X", "I"))
    if t is None or not t.recorded:
        return (f'<ul class="legend">{items}<li><span class="born-dot"></span> {w("born between two checkpoints")}</li>'
                f'<li>✕ {w("reaped / gone: no longer in the table")}</li>'
                f'<li><b class="moved">ppid a→b</b> {w("re-parented")}</li></ul>')
    arrows = "".join(f'<li class="sig-key" data-result="{r}"><span class="arrow-key" style="background:{c}"></span>'
                     f" {w(RESULT_WORDS[r])}</li>" for r, c in RESULT_COLOUR.items() if r in RESULT_WORDS)
    return (f'<ul class="legend">{items}<li><b class="moved">ppid a→b</b> {w("re-parented")}</li></ul>'
            f'<ul class="legend kernel"><li class="dim">{w(RECORD_AT)}</li>'
            f'<li><span class="born-dot"></span> {w("fork")}</li><li><b class="exit-key">✕</b> {w("exit")}</li>'
            f'<li><span class="reap-key"></span> {w(REAPED_BY)}</li>'
            f'<li><span class="zombie-key"></span> {w("zombie: exited, not yet reaped")}</li>'
            f'<li><span class="between-key">pid</span> {w("lived only between two checkpoints")}</li>'
            f'<li class="dim">{w("signals, sender → target:")}</li>{arrows}</ul>')


def record_html(run: RunView, lang: str = "en") -> str:
    """The kernel's record as lines (the narration's), or why there is none."""
    k = run.kernel
    if not k.recorded:
        return f'<p class="dim norecord">{escape(word("no kernel record", lang))}: {escape(k.note)}</p>'
    lost = (f'<p class="fail">the kernel dropped {k.lost} events (its buffer overran): a missing event proves '
            'nothing</p>' if k.lost else "")
    there = ", ".join(str(p) for p in k.already_there)
    rows = escape("\n".join(describe_event(e) for e in k.events))
    title = escape(word("the kernel's record", lang))
    return (f'{lost}<details class="record"><summary>{title}: {len(k.events)} '
            f'{escape(word("events", lang))} ({escape(word("already there when it began", lang))}: '
            f'{escape(there) or escape(word("none", lang))})</summary><pre>{rows}</pre></details>')


def tree_html(snap: Snapshot) -> str:
    procs = snap.scenario
    pids = {p.pid for p in procs}
    kids: dict[int, list[Process]] = {}
    for p in procs:
        kids.setdefault(p.ppid if p.ppid in pids else 0, []).append(p)
    wanted, named = set(named_pids(snap)), {}
    for key, value in snap.data.items():     # the first key that names a pid is its role
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, int) and v in wanted:
                named.setdefault(v, key)

    def walk(parent: int) -> str:
        items = []
        for p in sorted(kids.get(parent, []), key=lambda p: p.pid):
            role = f' <span class="role">{escape(named[p.pid])}</span>' if p.pid in named else ""
            items.append(f'<li data-pid="{p.pid}" data-ppid="{p.ppid}" data-state="{escape(p.state)}">'
                         f'<span class="node">{state_badge(p.state)} <b>{p.pid}</b>{role} '
                         f'<span class="dim">ppid {p.ppid} · ni {p.nice}</span> '
                         f'<code class="{"zombie" if p.state == "Z" else ""}">{escape(p.command[:120])}</code></span>'
                         f'{walk(p.pid)}</li>')
        return f"<ul>{''.join(items)}</ul>" if items else ""

    probe = len(snap.processes) - len(procs)
    note = f'<p class="dim">({probe} of the probe\'s processes left out)</p>' if probe else ""
    return f'<div class="tree">{walk(0)}</div>{note}'


def checkpoint_html(run: RunView, i: int, snap: Snapshot) -> str:
    data = "".join(f"<dt>{escape(str(k))}</dt><dd>{escape(str(v))}</dd>" for k, v in snap.data.items())
    top = (f'<details><summary>raw <code>top -b -n 1</code></summary><pre>{escape(snap.top)}</pre></details>'
           if snap.top else "")
    return (f'<article class="cp" id="{cp_id(run.variant, snap.name)}" data-cp="{escape(snap.name)}" '
            f'data-run="{escape(run.variant)}"><h4>{i + 1}. <span class="cpname">{escape(snap.name)}</span> '
            f'<span class="dim">at {snap.at_s:.2f}s, announced by pid {snap.announced_by}</span></h4>'
            f'<dl class="data">{data}</dl>{tree_html(snap)}'
            f'<details><summary>raw <code>ps -eo pid,ppid,stat,ni,comm,args</code></summary>'
            f'<pre>{escape(snap.ps)}</pre></details>{top}</article>')


def _settings(run: RunView) -> str:
    keys = ("init", "cpus", "cpuset_cpus", "pids_limit", "cap_add", "user", "timeout_s")
    shown = [f"{k}={run.settings[k]}" for k in keys if run.settings.get(k) not in (None, [], False)]
    return escape(", ".join(shown))


def run_html(run: RunView, active: bool, lang: str = "en") -> str:
    status = f"exit code {run.exit_code}, {run.duration_s:.2f}s"
    if run.timed_out:
        status += " — timed out" + (" (as this variant expects)" if run.expect_timeout else "")
    if run.error:
        status += f" — {run.error}"
    acts = "".join(f"<li><b>{escape(str(a.get('do')))}</b> at <code>{escape(str(a.get('at')))}</code>: "
                   + escape(", ".join(f"{k}={v}" for k, v in a.items() if k not in ("do", "at", "stdout", "stderr")))
                   + "</li>" for a in run.actions)
    output = escape("\n".join(f"{'! ' if o.get('stream') == 'stderr' else ''}{o.get('text', '')}" for o in run.output))
    cps = "".join(checkpoint_html(run, i, s) for i, s in enumerate(run.checkpoints))
    n = len(run.checkpoints)
    return (f'<section class="run{" active" if active else ""}" id="run-{slug(run.variant)}" '
            f'data-run="{escape(run.variant)}" role="tabpanel"><h2>variant <code>{escape(run.variant)}</code></h2>'
            f'<p>{escape(run.summary)}</p><p class="dim">{escape(status)}; container: {_settings(run)}</p>'
            f'<h3>{escape(word("Timeline", lang))}</h3>{legend(run.timeline, lang)}'
            f'<div class="scroll">{timeline_svg(run.timeline, lang)}</div>{record_html(run, lang)}'
            f'<h3>{escape(word("The tree at each checkpoint", lang))}</h3>'
            f'<div class="stepper"><button type="button" class="prev" aria-label="previous checkpoint">◀ previous</button>'
            f' <span class="where">{n} checkpoint{"s" if n != 1 else ""}</span> '
            f'<button type="button" class="next" aria-label="next checkpoint">next ▶</button>'
            f' <span class="dim">(or the ← → keys)</span></div><div class="cps">{cps}</div>'
            + (f"<h3>{escape(word('What the harness did', lang))}</h3><ul>{acts}</ul>" if acts else "")
            + f'<details><summary>the scenario\'s output ({len(run.output)} lines)</summary><pre>{output}</pre></details>'
            '</section>')


def check_html(c: CheckView, lang: str = "en") -> str:
    links = " ".join(f'<a class="cplink" href="#{cp_id(run, name)}" data-goto="{escape(run)}|{escape(name)}">'
                     f"'{escape(name)}' ({escape(run)})</a>" for run, name in c.links)
    mark = '<span class="tick" aria-label="passed">✔</span>' if c.passed else \
        '<span class="unsure" aria-label="inconclusive">?</span>' if c.inconclusive else \
        '<span class="cross" aria-label="failed">✘</span>'
    kind = "pass" if c.passed else "unsure" if c.inconclusive else "fail"
    name = c.zh if lang == "zh" and c.zh else c.name
    return (f'<li class="check {kind}">{mark} <span class="checkname">{inline_markdown(name)}</span>'
            f'{" — at " + links if links else ""}<div class="evidence"><code>{escape(c.detail)}</code></div></li>')


def document(title: str, body: str, lang: str = "en") -> str:
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)}</title><style>{asset("page.css")}</style></head>'
            f'<body>{body}<script>{asset("page.js")}</script></body></html>')


def verdict_html(rep: Report, lang: str = "en") -> str:
    if rep.verdict == "inconclusive":      # no failure, but a check could not measure
        return f'<b class="unsure">{word("INCONCLUSIVE", lang)}</b>'
    return f'<b class="pass">{word("PASSED", lang)}</b>' if rep.passed else f'<b class="fail">{word("FAILED", lang)}</b>'


def page(rep: Report, lang: str = "en") -> str:
    """The page; ``lang="zh"``: the page's own words and the checks' titles in Chinese (evidence as measured)."""
    verdict = verdict_html(rep, lang)
    passed = sum(c.passed for c in rep.checks)
    tabs = "".join(f'<button type="button" role="tab" class="tab{" active" if i == 0 else ""}" '
                   f'data-tab="{escape(r.variant)}">{escape(r.variant)}</button>' for i, r in enumerate(rep.runs))
    body = (f'<header><h1>{escape(rep.title)}</h1><p class="meta">lab <code>{escape(rep.lab)}</code> · {verdict} · '
            + (f'{passed}／{len(rep.checks)} 项检查通过 · {len(rep.runs)} 次运行 · ' if lang == "zh" else
               f'{passed} of {len(rep.checks)} checks passed · {len(rep.runs)} run{"s" if len(rep.runs) != 1 else ""} · ')
            + f'{rep.duration_s:.1f}s</p>'
            + (f'<p class="lesson">{inline_markdown(rep.lesson)}</p>' if rep.lesson else "")
            + (f'<p class="fail">the lab could not run: {escape(rep.error)}</p>' if rep.error else "") + '</header>'
            + (f'<nav class="tabs" role="tablist" aria-label="variants">{tabs}</nav>' if len(rep.runs) > 1 else "")
            + "".join(run_html(r, i == 0, lang) for i, r in enumerate(rep.runs))
            + f'<section id="checks"><h2>{word("Checks", lang)}</h2><ul class="checks">'
            + "".join(check_html(c, lang) for c in rep.checks)
            + '</ul></section>'
            + (f'<section id="charts"><h2>{word("Charts", lang)}</h2>{"".join(chart_svg(c) for c in rep.charts)}</section>'
               if rep.charts else "")
            + '<footer class="dim">drawn by proclab from the lab\'s JSON result</footer>')
    return document(f"proclab: {rep.lab} — {rep.title}", body, lang)


def index(entries: Sequence[tuple[Report, str]]) -> str:
    """An index of several reports: (report, relative link to its page)."""
    rows: list[Any] = []
    for rep, href in entries:
        passed = sum(c.passed for c in rep.checks)
        verdict = verdict_html(rep)
        rows.append(f'<tr><td><a href="{escape(href, quote=True)}">{escape(rep.lab)}</a></td>'
                    f'<td>{escape(rep.title)}</td><td>{verdict}</td><td>{passed} of {len(rep.checks)}</td></tr>')
    all_ok = all(rep.passed for rep, _ in entries)
    failed = any(not rep.passed and rep.verdict != "inconclusive" for rep, _ in entries)
    body = (f'<header><h1>proclab: {len(entries)} labs</h1><p class="meta">'
            f'{"every lab passed" if all_ok else "some labs failed" if failed else "no lab failed; some checks were inconclusive"}'
            '</p></header>'
            f'<table class="index"><thead><tr><th>lab</th><th>title</th><th>verdict</th><th>checks</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')
    return document("proclab: labs", body)

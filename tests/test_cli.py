import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from playground.cli import APP, build_parser


def test_help_lists_the_run_command():
    out = subprocess.run(
        [sys.executable, "-m", "playground", "--help"], capture_output=True, text=True, check=True
    )
    assert "run" in out.stdout


def test_router_lives_inside_pages():
    assert APP.parent.name == "pages" and APP.exists()
    assert not list(APP.parent.parent.glob("*.py")), "no Streamlit script may sit in the repo root"


def test_run_defaults():
    args = build_parser().parse_args(["run"])
    assert (args.port, args.address) == (8501, "localhost")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_playground_run_serves_the_dashboard():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground", "run", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 45
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://localhost:{port}/_stcore/health", timeout=2
                ) as r:
                    assert r.read() == b"ok"
                    return
            except OSError:
                time.sleep(0.5)
        pytest.fail("the dashboard did not answer within 45 s")
    finally:
        proc.terminate()
        proc.wait(10)

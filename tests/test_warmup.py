"""The warm-up that `playground run` starts beside a fresh server (pages/warmup.py)."""

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest

from playground.cli import ROOT, build_parser, local_url
from tests.e2e.conftest import _free_port, start_server

sys.path.insert(0, str(ROOT / "pages"))
import views
import warmup

VIEWS = {v.url_path for v in views.VIEWS}


def _warm_a_fresh_server(app: Path | None = None, **options) -> list:
    """Start a server of ``app`` (the dashboard by default), warm it, stop it."""
    proc, url = start_server(app=app)
    try:
        return asyncio.run(warmup.warm(url, timeout=60 if app else 180.0, **options))
    finally:
        proc.terminate()
        proc.wait(30)


def test_router_declares_the_views_the_warm_up_should_find():
    assert {"home", "race", "loss-surface"} <= VIEWS and len(VIEWS) >= 7


def test_warm_up_opens_every_view_in_both_languages_without_an_error():
    opened = _warm_a_fresh_server()
    for lang in warmup.LANGUAGES:
        paths = [o.path for o in opened if o.lang == lang]
        assert paths[0] == ""  # the home view first: it starts the compute workers
        # the home view is reached at "" (the default page); every other view by its path
        assert set(paths[1:]) == VIEWS - {"home"}, lang
    assert [o for o in opened if o.errors] == []
    line = warmup.report(opened, 12.3)
    assert f"opened the {len(VIEWS)} views once in 2 languages in 12.3 s" in line


def test_warm_up_reports_a_view_that_raises(tmp_path):
    app = tmp_path / "app.py"
    (tmp_path / "fine.py").write_text("import streamlit as st\nst.write('fine')\n")
    (tmp_path / "broken.py").write_text("raise ValueError('a bug in this view')\n")
    app.write_text(
        "import streamlit as st\n"
        "st.navigation([st.Page('fine.py', default=True), "
        "st.Page('broken.py', url_path='broken')]).run()\n"
    )
    opened = _warm_a_fresh_server(app, languages=("en",))
    broken = [o for o in opened if o.path == "broken"]
    assert len(broken) == 1 and broken[0].errors  # (the details stay in the server's log)
    assert not [o for o in opened if o.path != "broken" and o.errors]
    assert "/broken (en) showed an error" in warmup.report(opened, 1.0)


def test_warm_up_waits_for_a_page_that_finishes_its_work_in_the_background(tmp_path):
    # like the from-scratch view: a fragment polls on a timer until the work is done, then
    # the whole page is drawn again, complete
    done = tmp_path / "complete"
    app = tmp_path / "app.py"
    app.write_text(
        "from pathlib import Path\n"
        "import streamlit as st\n"
        "ss = st.session_state\n"
        "ss.setdefault('polls', 0)\n"
        "if ss.polls < 3:\n"
        "    @st.fragment(run_every=0.2)\n"
        "    def wait():\n"
        "        ss.polls += 1\n"
        "        if ss.polls >= 3:\n"
        "            st.rerun(scope='app')\n"
        "    wait()\n"
        "else:\n"
        f"    Path({str(done)!r}).write_text('drawn')\n"
    )
    opened = _warm_a_fresh_server(app, languages=("en",))
    assert [o.errors for o in opened] == [()]
    assert done.exists(), "the warm-up reported before the page was complete"


def test_warm_up_without_a_server_says_so_and_fails(capsys):
    url = f"http://127.0.0.1:{_free_port()}"
    assert warmup.main([url, "--wait", "0.5"]) == 1
    assert f"no server answered at {url}" in capsys.readouterr().err


def test_warm_up_stops_waiting_when_the_server_process_has_ended(capsys):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    url = f"http://127.0.0.1:{_free_port()}"
    start = time.monotonic()
    assert warmup.main([url, "--wait", "60", "--pid", str(gone.pid)]) == 1
    assert time.monotonic() - start < 5  # not the 60 s it would wait for a starting server
    assert f"no server answered at {url}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("address", "extra", "url"),
    [
        ("localhost", [], "http://localhost:8501"),
        ("0.0.0.0", [], "http://127.0.0.1:8501"),
        ("::", [], "http://[::1]:8501"),
        ("10.0.0.5", ["--server.baseUrlPath", "/class/"], "http://10.0.0.5:8501/class"),
        ("localhost", ["--server.baseUrlPath=playground"], "http://localhost:8501/playground"),
    ],
)
def test_warm_up_reaches_the_server_where_it_listens(address, extra, url):
    assert local_url(address, 8501, extra) == url


def test_run_warms_by_default_and_no_warm_turns_it_off():
    assert build_parser().parse_args(["run"]).warm is True
    assert build_parser().parse_args(["run", "--no-warm"]).warm is False


def _warm_up_processes(port: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(c.endswith(b"warmup.py") for c in cmd) and f":{port}".encode() in b" ".join(cmd):
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").exists(), reason="finds processes in /proc (Linux)")
def test_playground_run_warms_the_server_and_reports_it_in_its_terminal():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground", "run", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # what a teacher's terminal shows: both
        text=True,
    )
    try:
        deadline = time.time() + 240
        lines = []
        for line in proc.stdout:  # (the warm-up writes to the server's terminal)
            lines.append(line)
            if line.startswith("Warm-up") or time.time() > deadline:
                break
        assert lines[-1].startswith(f"Warm-up: opened the {len(VIEWS)} views"), lines
        # a quiet start: the address and the warm-up's line, nothing else (there were ~53
        # Streamlit "bare mode" warnings from a worker that re-ran the app, and its info lines)
        said = [line.strip() for line in lines if line.strip()]
        assert said[0].startswith("Serving the playground on http://"), said
        extra = [s for s in said[1:-1] if not s.startswith(("You can now view", "URL: http"))]
        assert extra == [], extra
        deadline = time.time() + 10
        while _warm_up_processes(port) and time.time() < deadline:
            time.sleep(0.2)
        assert not _warm_up_processes(port), "the warm-up did not end after its report"
        # it was not the server's child: the server has no process left to reap
        assert [s for s in _children(proc.pid) if s.startswith("Z")] == []
    finally:
        proc.terminate()
        proc.wait(30)


def _children(pid: int) -> list[str]:
    """The states (R, S, Z…) of the processes whose parent is ``pid``."""
    states = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid):
            states.append(fields[0])
    return states

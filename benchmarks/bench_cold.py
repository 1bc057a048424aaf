"""A fresh server's first visit, with and without the warm-up (not a timed test).

`playground run` opens every view once when the server starts (pages/warmup.py), so that the
first visitor does not pay the server's one-off costs: torch's imports and first autograd
call, the compute workers' start, each view's default runs and figures. The naive way is the
same server started with ``--no-warm``.

For each view measured, each round starts a server through the launcher (the same port every
time, so the browser's cache stays warm, as for a student who has visited before), waits for
it to be healthy (and, with the warm-up, for the warm-up's report in its terminal), then opens
that view in a new tab of headless Chromium, timed to all its figures drawn: a class that
opens a shared link to it right after the teacher started the server. Then, on the same
server, the other views one after another. Rounds alternate between the two ways.

Run: .venv/bin/python benchmarks/bench_cold.py [--rounds 1] [--view race ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from _util import machine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench_latency import VIEWS, View, browser_path, open_in_tab  # noqa: E402

from tests.e2e.conftest import ARGS, _free_port, healthy  # noqa: E402

HOME = View("/", "Home", 0, ready="Optimizer & loss playground")


def launch(port: int, warm: bool) -> tuple[subprocess.Popen, threading.Event, list[str]]:
    """``playground run`` on ``port``; an event set when the warm-up has reported."""
    cmd = [sys.executable, "-m", "playground", "run", "--port", str(port)]
    cmd += ["--address", "127.0.0.1", "--server.headless", "true"]
    if not warm:
        cmd.append("--no-warm")
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    reported, lines = threading.Event(), []

    def read() -> None:
        for line in proc.stdout:
            lines.append(line.rstrip())
            if line.startswith("Warm-up"):
                reported.set()

    threading.Thread(target=read, daemon=True).start()
    return proc, reported, lines


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
    time.sleep(1.0)  # (the port is free again)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=1, help="rounds of each way (alternating)")
    parser.add_argument(
        "--view",
        action="append",
        choices=["home", *(v.path.strip("/") for v in VIEWS)],
        help="the view opened first (repeatable; default: home, loss-surface, race)",
    )
    args = parser.parse_args()
    names = args.view or ["home", "loss-surface", "race"]
    firsts = [HOME if n == "home" else next(v for v in VIEWS if v.path == "/" + n) for n in names]
    path = browser_path()
    if path is None:
        return 0
    from playwright.sync_api import sync_playwright

    print(f"machine: {machine()}, Chromium headless (software rendering), 1280 × 900")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    first: dict[tuple[str, bool], list[float]] = {}
    rest: dict[bool, list[float]] = {False: [], True: []}
    warm_seconds = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        proc, _, _ = launch(port, warm=False)  # fills the browser's cache; not measured
        try:
            healthy(url, 120)
            for view in [HOME, *VIEWS]:
                open_in_tab(context, url, view)
        finally:
            stop(proc)
        for r in range(args.rounds):
            for view in firsts:
                for warm in (True, False) if r % 2 == 0 else (False, True):
                    start = time.perf_counter()
                    proc, reported, lines = launch(port, warm)
                    try:
                        if not healthy(url, 120):
                            print("the server did not start:", *lines[-5:], sep="\n  ")
                            return 1
                        if warm:
                            reported.wait(300)
                            warm_seconds.append(time.perf_counter() - start)
                        took = open_in_tab(context, url, view)
                        others = sum(open_in_tab(context, url, v) for v in VIEWS if v != view)
                    finally:
                        stop(proc)
                    first.setdefault((view.path, warm), []).append(took)
                    rest[warm].append(others)
                    way = "warmed" if warm else "fresh "
                    print(f"round {r + 1}, {way}: {view.path} first {took:.2f} s", flush=True)
        browser.close()
    print()
    print(f"{'view opened first on a fresh server':<44} {'fresh':>8} {'warmed':>8}  ratio")
    for view in firsts:
        fresh = statistics.median(first[view.path, False])
        warmed = statistics.median(first[view.path, True])
        print(f"{view.path:<44} {fresh:>7.2f}s {warmed:>7.2f}s  {fresh / warmed:.1f}× faster")
    fresh, warmed = statistics.median(rest[False]), statistics.median(rest[True])
    name = "then the other views, one after another"
    print(f"{name:<44} {fresh:>7.2f}s {warmed:>7.2f}s  {fresh / warmed:.1f}×")
    print(
        "the warm-up itself: server started and every view opened in both languages, "
        f"background work included, in {statistics.median(warm_seconds):.1f} s (median)"
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())

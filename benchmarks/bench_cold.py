"""A fresh server's first visits, with and without the warm-up (not a timed test).

`playground run` opens every view once when the server starts (pages/warmup.py), so that the
first student does not pay the server's one-off costs: torch's imports and first autograd
call, the compute workers' start, each view's default runs and figures. The naive way is the
same server started with ``--no-warm``.

Each round starts a server through the launcher (the same port every time, so the browser's
cache stays warm, as for a student who has visited before), waits for it to be healthy (and,
with the warm-up, for the warm-up's report), then opens the home view and every view in turn
in new tabs of headless Chromium, each timed to all its figures drawn: what a teacher sees
right after starting the server. Rounds alternate between the two ways.

Run: .venv/bin/python benchmarks/bench_cold.py [--rounds 2]
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


def first_visits(browser, url: str) -> dict[str, float]:
    """The home view, then every view, each opened once in a new tab: seconds to drawn."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    times = {view.path: open_in_tab(context, url, view) for view in [HOME, *VIEWS]}
    context.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each way (alternating)")
    args = parser.parse_args()
    path = browser_path()
    if path is None:
        return 0
    from playwright.sync_api import sync_playwright

    print(f"machine: {machine()}, Chromium headless (software rendering), 1280 × 900")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    results: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    warm_seconds = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=ARGS)
        proc, _, _ = launch(port, warm=False)  # fills the browser's cache; not measured
        try:
            healthy(url, 120)
            first_visits(browser, url)
        finally:
            stop(proc)
        for r in range(args.rounds):
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
                    times = first_visits(browser, url)
                finally:
                    stop(proc)
                results[warm].append(times)
                way = "warmed" if warm else "fresh "
                print(
                    f"round {r + 1}, {way}: "
                    + ", ".join(f"{k} {v:.2f} s" for k, v in times.items())
                )
                print("  " + "\n  ".join(line for line in lines if "Warm-up" in line))
        browser.close()
    print()
    print(f"{'view (first visit after the server starts)':<44} {'fresh':>8} {'warmed':>8}  ratio")
    for view in [HOME, *VIEWS]:
        fresh = statistics.median(t[view.path] for t in results[False])
        warmed = statistics.median(t[view.path] for t in results[True])
        print(f"{view.path:<44} {fresh:>7.2f}s {warmed:>7.2f}s  {fresh / warmed:.1f}× faster")
    total = [sum(t.values()) for t in results[False]], [sum(t.values()) for t in results[True]]
    fresh, warmed = statistics.median(total[0]), statistics.median(total[1])
    name = "every view, one after another"
    print(f"{name:<44} {fresh:>7.2f}s {warmed:>7.2f}s  {fresh / warmed:.1f}×")
    print(
        f"the warm-up itself: server started and every view opened in both languages in "
        f"{statistics.median(warm_seconds):.1f} s (median), before the first student"
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())

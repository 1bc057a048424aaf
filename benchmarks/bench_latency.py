"""Latency a student feels, in headless Chromium against a local server (not a timed test).

For every view: the time from opening the page to all its figures drawn, and the median and
95th percentile time from changing a control to the updated figure (the figure's SVG has changed).
Budgets: first draw under 3 s, control change under 500 ms median.

Run: make bench   (or .venv/bin/python benchmarks/bench_latency.py)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from _util import machine, row

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.e2e.conftest import ARGS, chromium_path, start_server  # noqa: E402

# view path, figures on the page, (control label, two values to alternate, figure index)
VIEWS = [
    ("/loss-surface", 6, ("Steps", ("120", "100"), -1)),
    ("/race", 4, ("Steps", ("120", "100"), 0)),
    ("/ewa", 5, ("Noise σ", ("3.5", "3"), 0)),
]
SIGNATURE = """gd => { const paths = gd.querySelectorAll('.scatterlayer path');
  return Array.from(paths).map(p => p.getAttribute('d') || '').join('|').length + ':' +
         (paths.length ? (paths[paths.length - 1].getAttribute('d') || '').slice(-60) : ''); }"""


def figures_drawn(page, count: int) -> None:
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {count}", timeout=60_000
    )


def main() -> int:
    path = chromium_path()
    if path is None:
        print("no Chromium: install Debian's 'chromium' package to run this benchmark")
        return 0
    from playwright.sync_api import sync_playwright

    print(f"machine: {machine()}, Chromium headless")
    proc, url = start_server()
    ok = True
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=path, args=ARGS)
            warm = browser.new_page()
            for view, count, _ in VIEWS:  # the server's first visit pays one-off costs
                warm.goto(url + view)
                figures_drawn(warm, count)
            warm.close()
            for view, count, (label, values, index) in VIEWS:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                start = time.perf_counter()
                page.goto(url + view)
                figures_drawn(page, count)
                first = time.perf_counter() - start
                row(f"{view}: open → {count} figures drawn", f"{first:.2f} s", "< 3 s", first < 3.0)
                ok &= first < 3.0
                box = page.get_by_role("spinbutton", name=label).first
                times = []
                for i in range(10):
                    figure = page.locator(".js-plotly-plot").nth(index)
                    before = figure.evaluate(SIGNATURE)
                    start = time.perf_counter()
                    box.fill(values[i % 2])
                    box.press("Enter")
                    page.wait_for_function(
                        f"([sel, before]) => {{ const gds = document.querySelectorAll(sel);"
                        f" const gd = gds[{index} < 0 ? gds.length + {index} : {index}];"
                        f" return gd && ({SIGNATURE})(gd) !== before; }}",
                        arg=[".js-plotly-plot", before],
                        timeout=30_000,
                        polling=10,
                    )
                    times.append(time.perf_counter() - start)
                    page.wait_for_timeout(300)
                median = statistics.median(times)
                p95 = sorted(times)[int(0.95 * (len(times) - 1) + 0.5)]
                row(
                    f"{view}: change '{label}' → figure",
                    f"{median * 1e3:.0f} ms",
                    "< 500 ms",
                    median < 0.5,
                    f"95th percentile {p95 * 1e3:.0f} ms over {len(times)} changes",
                )
                ok &= median < 0.5
                page.close()
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(url + "/overfit")
            page.wait_for_selector("text=Press Train", timeout=60_000)
            first = time.perf_counter() - start
            row("/overfit: open → ready to train", f"{first:.2f} s", "< 3 s", first < 3.0)
            ok &= first < 3.0
            browser.close()
    finally:
        proc.terminate()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

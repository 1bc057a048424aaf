"""The browser's time to draw each 2-D figure of the views, with fitted margins and without.

Every figure is taken from a running dashboard as the browser received it (Streamlit's theme
applied), then drawn alone in a blank page with plotly.js (``Plotly.newPlot``, timed to the
next frame), in turns: as built (margins fitted to its labels, figures/common.py) and the
naive way, with the 10 px margins the figures had before, which plotly.js grows to fit and
then lays the figure out again. Median of ``--repeat`` draws each (the first two are dropped).

Run: .venv/bin/python benchmarks/bench_draw.py [--repeat 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import plotly
from _util import machine, row

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.bench_latency import VIEWS, browser_path, drawn  # noqa: E402
from tests.e2e.conftest import ARGS, start_server  # noqa: E402

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
SPECS = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(gd => !gd._fullLayout._has('gl3d'))
  .map(gd => JSON.stringify({data: gd.data, layout: gd.layout, width: gd.clientWidth}))"""
DRAW = """async ([spec, naive]) => {
  const s = JSON.parse(spec);
  if (naive) s.layout.margin = {...s.layout.margin, l: 10, r: 10, b: 10};
  const old = document.getElementById('gd');
  if (old) { Plotly.purge(old); old.remove(); }
  const gd = document.createElement('div');
  gd.id = 'gd';
  gd.style.width = s.width + 'px';
  document.body.appendChild(gd);
  const start = performance.now();
  await Plotly.newPlot(gd, s.data, s.layout, {});
  await new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
  return performance.now() - start;
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    path = browser_path()
    if path is None:
        return 0
    from playwright.sync_api import sync_playwright

    print(f"machine: {machine()}, Chromium headless (software rendering)")
    proc, url = start_server()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=path, args=ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            specs = []
            for view in VIEWS:
                if not view.figures:
                    continue
                page = context.new_page()
                page.goto(url + view.path)
                drawn(page, view)
                page.wait_for_timeout(500)
                specs += [(f"{view.path} #{i}", s) for i, s in enumerate(page.evaluate(SPECS))]
                page.close()
            page = context.new_page()
            page.set_content("<html><body></body></html>")
            page.add_script_tag(path=str(PLOTLY_JS))
            fitted_all, naive_all = 0.0, 0.0
            for name, spec in specs:
                times = {False: [], True: []}
                for i in range(args.repeat + 2):
                    for naive in (False, True):
                        took = page.evaluate(DRAW, [spec, naive])
                        if i >= 2:
                            times[naive].append(took)
                fitted, naive = (statistics.median(times[k]) for k in (False, True))
                fitted_all, naive_all = fitted_all + fitted, naive_all + naive
                row(
                    f"{name}: drawn alone",
                    f"{fitted:.0f} ms",
                    "—",
                    True,
                    f"{naive / fitted:.2f}× faster than grown margins ({naive:.0f} ms)",
                )
            row(
                "all of them",
                f"{fitted_all:.0f} ms",
                "—",
                True,
                f"{naive_all / fitted_all:.2f}× faster ({naive_all:.0f} ms)",
            )
    finally:
        proc.terminate()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

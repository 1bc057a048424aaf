"""The browser's time to show one frame of an animation, with lines cut into fewer pieces.

An animation draws its paths as it plays by showing pieces of each line (figures/common.py,
``growing``). Each frame costs plotly.js a pass over *every* trace of the figure (its
defaults and data arrays: ``supplyDefaults``, ``doCalcdata``), whatever the frame moves, so
the figure's number of traces sets the pace: at 24 pieces a line (the naive way, the count
before) the saddle lesson's 101 frames took 17-22 s at "1×" in headless Chromium instead of
the 8 s its 80-ms frames ask for. Each figure is built twice, with today's pieces and with 24
(12 on the race's small maps), and played in a blank page with plotly.js, frame after frame
with no pause (``Plotly.animate``, as ▶ shows them); the median of the frames' times.

Run: .venv/bin/python benchmarks/bench_frames.py
"""

from __future__ import annotations

import json
import statistics
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import plotly
from _util import machine, row

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from playground import landscapes, runs  # noqa: E402
from playground.figures import common  # noqa: E402
from playground.figures import race as rf  # noqa: E402
from playground.optimizers import RunSpec  # noqa: E402
from tests.e2e.conftest import ARGS, chromium_path  # noqa: E402

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
NAIVE_PIECES, NAIVE_SMALL = 24, 12  # the pieces a line had before (common.PIECES, race's)
WAYS = (("now", common.PIECES, rf.SMALL_PIECES), ("naive", NAIVE_PIECES, NAIVE_SMALL))
PLAY = """async (spec) => {
  const s = JSON.parse(spec);
  const old = document.getElementById('gd');
  if (old) { Plotly.purge(old); old.remove(); }
  const gd = document.createElement('div');
  gd.id = 'gd';
  gd.style.width = '1100px';
  document.body.appendChild(gd);
  await Plotly.newPlot(gd, s.data, s.layout, {});
  await Plotly.addFrames(gd, s.frames);
  const took = [];
  for (const frame of s.frames) {
    const start = performance.now();
    await Plotly.animate(gd, [frame.name],
      {frame: {duration: 0, redraw: false}, transition: {duration: 0}, mode: 'immediate'});
    await new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
    took.push(performance.now() - start);
  }
  return took;
}"""


@contextmanager
def pieces(n: int, small: int):
    """Figures built while inside cut their growing lines into ``n`` pieces (``small`` on the
    race's small maps)."""
    saved = common.growing.__defaults__, common.add_growing.__defaults__, rf.SMALL_PIECES
    grow, add = list(saved[0]), list(saved[1])
    grow[grow.index(common.PIECES)] = n
    add[add.index(common.PIECES)] = n
    common.growing.__defaults__, common.add_growing.__defaults__ = tuple(grow), tuple(add)
    rf.SMALL_PIECES = small
    try:
        yield
    finally:
        common.growing.__defaults__, common.add_growing.__defaults__, rf.SMALL_PIECES = saved


def race_figure(surface: str, names: list[str], steps: int):
    """The race view's animation of ``names`` on ``surface`` for ``steps`` steps."""
    land = landscapes.get(surface)
    contestants = [RunSpec.parse(name) for name in names]
    paths = runs.race(land, contestants, runs.RaceConfig(land.start, steps))
    xs, ys = land.axes(151)
    labels = [r.label() for r in contestants]
    xy = [p.xy for p in paths]
    minima = np.array([[p.x, p.y] for p in land.minima]).reshape(-1, 2)  # (M, 2)
    saddles = np.array([[p.x, p.y] for p in land.saddles]).reshape(-1, 2)  # (S, 2)
    return rf.race_animation(xs, ys, land.grid(151), xy, labels, minima, saddles, True)


CASES = {
    "race: 2 runs × 100 steps (the saddle lesson)": (
        "saddle",
        ["sgd:lr=0.01", "momentum:lr=0.01"],
        100,
    ),
    "race: 5 runs × 500 steps (Rosenbrock)": ("rosenbrock", None, 500),
}


def main() -> int:
    path = chromium_path()
    if path is None:
        print("no Chromium: install Debian's 'chromium' package to run this benchmark")
        return 0
    from playwright.sync_api import sync_playwright

    print(f"machine: {machine()}, Chromium headless (software rendering)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_content("<html><body></body></html>")
        page.add_script_tag(path=str(PLOTLY_JS))
        ok = True
        for name, (surface, names, steps) in CASES.items():
            names = names or list(landscapes.get(surface).race)
            built = {}
            for label, n, small in WAYS:
                with pieces(n, small):
                    fig = race_figure(surface, names, steps)
                built[label] = (len(fig.data), fig.to_json())
            ms = {}
            for label, (_, spec) in built.items():
                ms[label] = statistics.median(page.evaluate(PLAY, spec)[2:])
            traces = {label: n for label, (n, _) in built.items()}
            frames = len(json.loads(built["now"][1])["frames"])
            mb = {label: len(spec) / 1e6 for label, (_, spec) in built.items()}
            row(
                name,
                f"{ms['now']:.0f} ms",
                f"< {common.BASE_FRAME_MS} ms",
                ms["now"] < common.BASE_FRAME_MS,
                f"{traces['now']} traces, {mb['now']:.2f} MB; {traces['naive']} traces, "
                f"{mb['naive']:.2f} MB: {ms['naive']:.0f} ms ({ms['naive'] / ms['now']:.1f}×); "
                f"{frames} frames",
            )
            ok &= ms["now"] < common.BASE_FRAME_MS
        browser.close()
    largest(landscapes.get("rosenbrock"))
    return 0 if ok else 1


def largest(land) -> None:
    """The JSON of the largest race (8 runs × 2,000 steps) both ways: each frame's tip carries
    up to a piece of its line, so fewer pieces send more of it."""
    names = [*land.race, "adamw:lr=0.01", "adamax:lr=0.01", "nadam:lr=0.01"][:8]
    size = {}
    for label, n, small in WAYS:
        with pieces(n, small):
            size[label] = len(race_figure("rosenbrock", names, runs.MAX_STEPS).to_json()) / 1e6
    print(
        f"{'race: 8 runs × 2,000 steps, JSON':<44} {size['now']:>9.2f} MB  "
        f"(with {NAIVE_PIECES} pieces: {size['naive']:.2f} MB, ×{size['now'] / size['naive']:.2f})"
    )


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of "Inside the network", each against the naive way in the same run:

* one redraw of the network picture with every node's map, for a 4 × 8 network on a 50 × 50
  grid (budget 50 ms of server time: the maps from one forward pass with hooks, the figure, and
  its conversion for the browser), against one forward pass per node;
* training that network on 500 points while the picture is redrawn every 0.5 s (budget at least
  50 epochs a second).

Run: make bench   (or .venv/bin/python benchmarks/bench_inside.py)
"""

from __future__ import annotations

import sys
import time

import numpy as np
import torch
from _util import best_of, machine, row

from playground import inside
from playground.figures import export
from playground.figures import inside as fi

torch.set_num_threads(1)
SPEC = inside.NetSpec(hidden=(8, 8, 8, 8), activations=("tanh",) * 4)


def redraw(model, spec: inside.NetSpec) -> None:
    """What the server does for one redraw: maps, the figure, its conversion for the browser."""
    maps = inside.node_maps(model, spec, 50)
    weights = inside.weights_of(inside.state_of(model), spec)
    names = [inside.FEATURE_LABELS[f] for f in spec.features]
    export.to_send(fi.network_figure(spec.sizes, weights, maps, names))


def maps_per_node(model, spec: inside.NetSpec) -> list[np.ndarray]:
    """The naive way: one forward pass per node, cut at its layer."""
    x = inside.inputs(inside.grid(50), spec.features)
    out = []
    with torch.no_grad():
        for depth in range(len(model) + 1):
            part = model[:depth] if depth else (lambda v: v)
            width = part(x).shape[1]
            for j in range(width):
                out.append(part(x)[:, j].numpy())
    return out


def nudge(model) -> None:
    with torch.no_grad():  # new weights each time: the maps' images are not cached
        for p in model.parameters():
            p.add_(1e-3)


def main() -> int:
    print(f"machine: {machine()}")
    model = inside.build(SPEC)
    redraw(model, SPEC)  # (plotly's first figure: one-off costs)

    def one() -> None:
        nudge(model)
        redraw(model, SPEC)

    fast = best_of(one, 7)
    slow = best_of(lambda: (nudge(model), maps_per_node(model, SPEC), redraw(model, SPEC)), 3)
    ms, ok = 1000 * fast, fast < 0.05
    row("redraw, 4 × 8 network, 50 × 50 maps", f"{ms:.1f} ms", "< 50 ms", ok,
        f"a pass per node {1000 * slow:.1f} ms, ×{slow / fast:.1f}")  # fmt: skip
    points = inside.preset("spirals", 500)
    epochs, drawn = 300, 0
    start = last = time.perf_counter()
    picture = model
    for item in inside.train((points, SPEC, None, 0), inside.Steps(epochs)):
        due = time.perf_counter() - last >= 0.5  # a redraw every 0.5 s, as the view's
        if isinstance(item, inside.Record) and item.state is not None and due:
            redraw(inside.load(picture, item.state), SPEC)
            drawn += 1
            last = time.perf_counter()
    rate = epochs / (time.perf_counter() - start)
    ok2 = rate >= 50
    row("training 4 × 8 on 500 points, redrawing", f"{rate:.0f} epochs/s", ">= 50/s", ok2,
        f"{drawn} redraws")  # fmt: skip
    return 0 if ok and ok2 else 1


if __name__ == "__main__":
    sys.exit(main())

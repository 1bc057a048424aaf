"""What it costs the server to start its worker processes, the way it does and the naive ways.

The server starts five workers and a queue manager (three compute workers with the first
session, two training workers and the manager with the first visit to the lab), while the
first students are opening their pages. Each way starts a pool of three workers and waits
until each has done its warm-up (a short race: torch and its optimizers' lazy imports):

- spawn, main script: what the server did. Each worker starts a fresh interpreter and first
  imports the parent's ``__main__``, which in the server is the app's script (streamlit,
  plotly, the pages), then torch.
- spawn: the same without the main script (``jobs.plain_main``).
- forkserver (the app's way, ``jobs.context``): a forkserver imports torch once; workers are
  forked from it. Its start is counted in the first pool; a second pool reuses it.

Each way runs in a fresh interpreter, so no way inherits another's imports. CPU is that of
every process the way started (the workers and, for the forkserver, the server).

Run: make bench   (or .venv/bin/python benchmarks/bench_workers.py)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from _util import machine, row

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 3

ONE_WAY = r"""
import json, os, sys, time, types
from concurrent.futures import ProcessPoolExecutor
import multiprocessing as mp
sys.path.insert(0, {root!r})
from benchmarks._util import cpu_seconds, tree
from playground import jobs

way, workers = sys.argv[1], int(sys.argv[2])
app = types.ModuleType("__main__")
app.__file__ = os.path.join({root!r}, "pages", "app.py")  # what __main__ is in the server
if way == "spawn-main":
    sys.path.insert(0, os.path.join({root!r}, "pages"))  # as Streamlit puts it (for `import frame`)


def tree_cpu() -> float:  # CPU seconds of this process's descendants (workers, forkserver)
    return cpu_seconds(tree(os.getpid())[1:])


def start_pool():
    t0 = time.perf_counter()
    ctx = jobs.context() if way == "forkserver" else mp.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=jobs.init)
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = app if way == "spawn-main" else types.ModuleType("__main__")
    try:
        futures = [pool.submit(jobs.warm) for _ in range(workers)]
    finally:
        sys.modules["__main__"] = saved
    for f in futures:
        f.result()  # (a worker that failed to start raises here)
    return pool, time.perf_counter() - t0


first, wall = start_pool()
result = {{"wall": wall, "cpu": tree_cpu()}}
if way == "forkserver":  # a second pool (the lab's) forks from the running forkserver
    cpu0 = tree_cpu()
    second, result["wall2"] = start_pool()
    result["cpu2"] = tree_cpu() - cpu0
    second.shutdown()
first.shutdown()
print(json.dumps(result))
"""


def measure(way: str) -> dict[str, float]:
    """Start a pool ``way`` in a fresh interpreter; its wall time and its processes' CPU."""
    out = subprocess.run(
        [sys.executable, "-c", ONE_WAY.format(root=str(ROOT)), way, str(WORKERS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    print(f"machine: {machine()}")
    print(f"{WORKERS} workers started, each until its warm-up is done:")
    naive_main, naive, fork = measure("spawn-main"), measure("spawn"), measure("forkserver")
    for name, m in (("spawn, re-importing the app's script", naive_main), ("spawn", naive)):
        row(f"{name}: wall / CPU", f"{m['wall']:.1f} s / {m['cpu']:.1f} s", "-", True)
    ok = fork["cpu"] < naive_main["cpu"] / 2
    row(
        "forkserver (the app): wall / CPU",
        f"{fork['wall']:.1f} s / {fork['cpu']:.1f} s",
        "< ½ CPU",
        ok,
        f"{naive_main['cpu'] / fork['cpu']:.1f}× less CPU than spawn with the main script, "
        f"{naive['cpu'] / fork['cpu']:.1f}× less than spawn",
    )
    row(
        "forkserver running: a second pool",
        f"{fork['wall2']:.2f} s / {fork['cpu2']:.1f} s",
        "-",
        True,
        f"{naive_main['cpu'] / max(fork['cpu2'], 0.01):.0f}× less CPU than spawn, main script",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

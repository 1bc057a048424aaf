"""Small helpers shared by the benchmark commands."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable

import torch


def machine() -> str:
    """One line naming the machine the figures come from."""
    import os

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next(
                line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    py = platform.python_version()
    return f"{cpu}, {os.cpu_count()} cores, Python {py}, torch {torch.__version__}"


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Best wall time of ``repeat`` calls, in seconds (the least disturbed by other work)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def row(name: str, value: str, budget: str, ok: bool, ratio: str = "") -> None:
    print(f"{name:<44} {value:>12}  budget {budget:<10} {'OK ' if ok else 'MISS'}  {ratio}")

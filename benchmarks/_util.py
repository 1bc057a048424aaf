"""Small helpers shared by the benchmark commands."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import torch


def machine() -> str:
    """One line naming the machine the figures come from."""
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


# ------------------------------------------------------------------ processes (Linux /proc)


def tree(pid: int) -> list[int]:
    """pid and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def rss_mb(pids: list[int]) -> float:
    """Resident memory of the processes, in MB, from /proc."""
    return _kb(pids, "status", "VmRSS:") / 1024


def _kb(pids: list[int], name: str, field: str) -> int:
    """The sum of one field (in kB) of ``/proc/<pid>/<name>`` over the processes still alive."""
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/{name}").read_text().splitlines():
                if line.startswith(field):
                    total += int(line.split()[1])
                    break
        except OSError:
            pass
    return total


def pss_mb(pids: list[int]) -> float:
    """Proportional set size of the processes, in MB, from /proc: what they use together.

    RSS counts a page shared by n processes n times; workers forked from the forkserver share
    torch's pages, so the sum of their RSS is several times the memory they take. PSS counts a
    shared page 1/n in each.
    """
    return _kb(pids, "smaps_rollup", "Pss:") / 1024


def cpu_seconds(pids: list[int]) -> float:
    """CPU seconds (user + system) the processes have used, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / tick

"""How many CPUs this server may use: its share of the machine, for sizing its worker pools.

Light on purpose (no torch): the command line reads it too.
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path

VARIABLE = "PLAYGROUND_CPUS"
CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")
log = logging.getLogger(__name__)


def parse(text: str) -> int | None:
    """``text`` as a whole number of CPUs (1 or more), or None if it is not one."""
    try:
        cpus = int(text)
    except ValueError:
        return None
    return cpus if cpus >= 1 else None


def quota(cpu_max: Path = CGROUP_CPU_MAX) -> int | None:
    """CPUs a container's CPU quota allows (cgroup v2 ``cpu.max``, rounded up), if it sets one.

    Docker's ``--cpus`` and Kubernetes' CPU limits set it; the CPUs a process may run on
    (its affinity) are still all of the host's.
    """
    try:
        limit, period = cpu_max.read_text().split()[:2]
        return None if limit == "max" else max(1, math.ceil(int(limit) / int(period)))
    except (OSError, ValueError, ZeroDivisionError):
        return None


def available(environ: dict[str, str] | None = None, cpu_max: Path = CGROUP_CPU_MAX) -> int:
    """The CPUs this server may use.

    ``PLAYGROUND_CPUS`` if set (replicas sharing one machine: each replica's share of it, 1 for
    two replicas on two cores); else the container's CPU quota, if any; else the CPUs this
    process may run on. A ``PLAYGROUND_CPUS`` that is not a whole number of at least 1 is
    logged and ignored.
    """
    environ = os.environ if environ is None else environ
    text = environ.get(VARIABLE, "").strip()
    if text:
        cpus = parse(text)
        if cpus is not None:
            return cpus
        log.warning("%s=%r is not a whole number of CPUs (1 or more); ignored", VARIABLE, text)
    affinity = (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )
    return min(affinity, quota(cpu_max) or affinity)

"""Computations a page hands to a worker process: top-level functions of picklable arguments.

The server is one Python process: while a rerun computes, its GIL holds every other student's
rerun back. The heavy, short computations (a race, a descent, a basin map, the four fits of the
from-scratch view, an MAE surface) run here instead, in a small pool of worker processes that
the pages share (pages/workers.py); the page waits for the result without holding the GIL.
Each function gives the same result as calling the library directly (tested). Library
functions that need no preparation (numpy's from-scratch way, scratch.fit_ways) are sent to
the workers as they are; the from-scratch view's two parts trained in the background
(``SCRATCH_PARTS``) are here. Nothing here imports streamlit or the pages: a worker that runs
these imports playground alone (tested).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import sys
import threading
import types
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import lru_cache

import numpy as np
import torch

from playground import budget, cpus, heap, landscapes, runs, scratch, surfaces, turns
from playground.i18n import UserError
from playground.optimizers import RunSpec

# What the forkserver imports once, before it forks any worker: the worker modules and torch's
# lazy imports of torch.optim (its first step imports torch._dynamo: seconds of CPU).
PRELOAD = ["playground.jobs", "playground.training", "torch.optim", "torch._dynamo"]

MAX_WORKERS = 2
log = logging.getLogger(__name__)


def workers_per_pool(environ: dict[str, str] | None = None) -> int:
    """How many worker processes each pool of a server gets: its CPUs, at most two.

    The CPUs are :func:`playground.cpus.available` (``PLAYGROUND_CPUS``, else a container's
    CPU quota, else the CPUs this process may run on). Two is the most a pool gets: one
    server's reruns are one Python process, so a bigger machine serves more students through
    more replicas (one per two CPUs), not through more workers behind one server.
    """
    return max(1, min(MAX_WORKERS, cpus.available(environ)))


def trainers_per_server(environ: dict[str, str] | None = None) -> int:
    """How many training processes a server gets: ``PLAYGROUND_TRAINERS`` if set, else
    ``TRAINERS_PER_WORKER`` for each of its pools' workers.

    The trainers take turns at the CPU (playground.turns), so their number does not divide the
    CPU more finely; it is how many trainings run at once before a new one waits for a free
    trainer. A class trains more than two cores can keep up with: in the abuse load test
    (``benchmarks/bench_load.py --abuse 6``) up to 14 trainings wanted to run at once, and with
    4 trainers a new one waited up to 22 s for its first epoch (under 5 s with 12). A trainer
    costs little memory while it waits (forked from the forkserver, it shares torch's pages:
    about 25 MB proportional set size each), at most ``budget.MEMORY_BYTES`` while it trains.
    A value that is not a whole number from 1 to ``MAX_TRAINERS`` is logged and ignored.
    """
    environ = os.environ if environ is None else environ
    text = environ.get(TRAINERS_VARIABLE, "").strip()
    if text:
        count = cpus.parse(text)
        if count is not None and count <= MAX_TRAINERS:
            return count
        log.warning(
            "%s=%r is not a whole number from 1 to %d; ignored",
            TRAINERS_VARIABLE,
            text,
            MAX_TRAINERS,
        )
    return TRAINERS_PER_WORKER * workers_per_pool(environ)


TRAINERS_VARIABLE = "PLAYGROUND_TRAINERS"
TRAINERS_PER_WORKER = 6
MAX_TRAINERS = 64


def context() -> multiprocessing.context.BaseContext:
    """How worker processes start: forked from a forkserver that imported torch once.

    A spawned worker starts a fresh interpreter and imports torch and the optimizers' lazy
    imports again: seconds of CPU per worker, paid while the first students wait. The
    forkserver (a clean, single-threaded process, never the server itself) imports them once;
    a worker forked from it starts in milliseconds and shares its memory pages. Elsewhere than
    on Linux, workers are spawned (Python's default there: forking is unsafe on macOS and
    missing on Windows). Start processes inside :func:`plain_main`.
    """
    if not sys.platform.startswith("linux"):
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


@contextmanager
def plain_main() -> Iterator[None]:
    """Processes started inside this block do not re-import the server's main script.

    multiprocessing makes each new process import the parent's ``__main__`` first; in the
    server that is the app's script (Streamlit runs it as ``__main__``), so every worker
    would import streamlit, plotly and the pages too (about 6 s of CPU each, measured) for
    nothing: workers run functions of playground only. A blank ``__main__`` while the
    processes start leaves them nothing to re-import. (Other threads see it meanwhile: only
    multiprocessing reads ``__main__``, and Streamlit sets it again at every script run.)
    """
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def stop_at_exit(pool) -> None:
    """When the server shuts down, drop ``pool``'s queued work and stop its workers at once.

    By default Python's shutdown waits for every task a process pool has queued: under a
    class's load that is tens of seconds of fits and trainings nobody will see (a server took
    37 s to stop after SIGTERM, measured), longer than a container platform waits before it
    kills. This runs before that wait (callbacks run in reverse order of registration, and
    ``concurrent.futures`` registers its own on import, before any pool exists).
    """
    import concurrent.futures.process  # noqa: F401  (its exit callback must come first)

    def stop() -> None:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()

    register = getattr(threading, "_register_atexit", None)  # (what concurrent.futures uses)
    if register is not None:
        register(stop)


def start_pool(workers: int, initializer, warm, initargs: tuple = ()) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes started the app's way, each running ``warm`` first.

    Forked from the forkserver (:func:`context`), without the server's main script
    (:func:`plain_main`), and stopped with the server (:func:`stop_at_exit`). A pool starts
    its processes as its first tasks arrive: the warm-ups start them all now.
    """
    pool = ProcessPoolExecutor(
        workers, mp_context=context(), initializer=initializer, initargs=initargs
    )
    with plain_main():
        for _ in range(workers):
            pool.submit(warm)
    stop_at_exit(pool)
    return pool


def init() -> None:
    """Set up a worker process: one torch thread (two workers share a two-core machine), its
    memory capped (:func:`cap_memory`), and a CPU priority below the server's.

    The server's reruns are on the way of every response, and being one Python process they
    can use one core at most; on a busy two-core machine they shared it with the two quick
    workers at equal priority and got 70-80 % of a core, so every view answered late, the
    cheap ones too (abuse load test: median 2.1-2.9 s). Below the server, a worker takes the
    CPU the reruns leave (the same load: median 0.9-1.8 s, 95th percentile 1 s lower; with
    the long lane at the lowest priority and the trainers between, 0.4-1.4 s and 1.9-4.4 s
    over two runs).
    """
    torch.set_num_threads(1)
    exit_with_parent()
    cap_memory()
    with contextlib.suppress(OSError):  # (where refused, it runs at the server's priority)
        os.nice(QUICK_NICENESS)


QUICK_NICENESS = 5  # a quick computation's niceness above the server's (a long one: below)


def cap_memory(extra: int = budget.MEMORY_BYTES) -> None:
    """Let this process allocate at most ``extra`` bytes beyond what it maps now.

    An allocation past the cap fails in this worker (torch and numpy raise; :func:`capped`
    turns that into a message) instead of growing the machine into its out-of-memory killer,
    which takes the server and every session with it. (The address-space limit counts what
    is mapped, not touched: torch's import maps about 0.9 GB, touched far less.)
    """
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize"))
        resource.setrlimit(resource.RLIMIT_AS, (size + extra, size + extra))
    except (OSError, ValueError, StopIteration):  # (not Linux: no cap)
        pass


@contextmanager
def cpu_cap(seconds: float) -> Iterator[None]:
    """Raise a UserError in this (worker's main) thread once it has used ``seconds`` of CPU.

    The budget (playground.budget) is checked before a request starts, from an estimate; this
    is the bound that holds when an estimate is off. The timer counts this process's CPU time
    (ITIMER_PROF), so a worker that waits for the CPU is not charged for the wait.
    """
    import signal

    def over(_signum, _frame) -> None:
        raise UserError("err_time_budget", budget=budget.Duration(seconds))

    previous = signal.signal(signal.SIGPROF, over)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def capped(fn, *args):
    """``fn(*args)`` within the CPU and memory caps of one request; what goes over them is a
    UserError (a message for the student), and the worker lives on."""
    try:
        with cpu_cap(budget.CAP * budget.BUDGET_SECONDS):
            return fn(*args)
    except MemoryError:
        raise UserError("err_memory_budget") from None
    except RuntimeError as err:
        if "allocate memory" in str(err):  # (torch's allocator: "can't allocate memory")
            raise UserError("err_memory_budget") from None
        raise


# A long computation's niceness above the server's: the lowest priority there is. The long
# lane takes only what the reruns, the quick lane and training leave; at 10 (a tenth of the
# server's weight) under a class's load it still took a share that every response waited
# for (median 0.65-1.3 s; at 19: 0.34-0.54 s, docs/performance.md, twenty-first session).
BACKGROUND_NICENESS = 19


def init_background() -> None:
    """Set up a worker for long work: as :func:`init`, at a lower CPU priority still.

    Training (the lab, the ConvNet) and the long computations (the from-scratch view's torch
    ways, a basin map: seconds each) run in such workers; the server's reruns and the quick
    computations come first, and long work takes the CPU time they leave over, however much
    of it a class starts at once.
    """
    init()
    with contextlib.suppress(OSError):  # (where refused, it runs at the quick lane's)
        os.nice(BACKGROUND_NICENESS - QUICK_NICENESS)


def init_trainer(shared: turns.Turns) -> None:
    """Set up a training worker: as :func:`init`, at a priority between the quick lane's and
    the long lane's, taking turns at the CPU with the other trainers (playground.turns).

    A student who pressed Train waits for the first epoch: at the lowest priority, under a
    class's load, it came up to 17 s late (a weight of 15 against the server's 1,024). The
    turns keep all trainings together to as many cores as there are, whatever a class starts.
    """
    init()
    with contextlib.suppress(OSError):  # (where refused, it runs at the quick lane's)
        os.nice(TRAINER_NICENESS - QUICK_NICENESS)
    turns.install(shared)


TRAINER_NICENESS = 10  # a training's niceness above the server's


def exit_with_parent() -> None:
    """End this worker process as soon as the process that started it is gone.

    A server stopped in an orderly way shuts its pools down; one that is killed (SIGKILL, the
    kernel's out-of-memory killer) would leave its workers waiting for work forever, each
    holding a few hundred MB. A daemon thread waits on the parent's sentinel (a pipe that
    closes when the parent dies, on every platform) and exits.
    """
    parent = multiprocessing.parent_process()
    if parent is None:  # not a worker: nothing to watch
        return

    def watch() -> None:
        parent.join()
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def drain(inbox) -> list:
    """Everything waiting in ``inbox`` now, without blocking, up to its end marker (None).

    ``inbox`` is a queue or a manager's proxy of one (a training's progress). One call reads a
    page's whole backlog, so the server can make it in one long-lived thread (pages/workers.py).
    """
    items: list = []
    while not items or items[-1] is not None:
        try:
            items.append(inbox.get_nowait())
        except queue.Empty:
            break
    return items


def warm() -> bool:
    """Pay torch's one-off costs (imports, first autograd call) before a student waits on them."""
    land = landscapes.get("saddle")
    runs.race(land, [RunSpec.parse(r) for r in land.race], runs.RaceConfig(land.start, 5))
    heap.settle()  # (torch's objects out of the collector's walks: playground.heap)
    return True


@lru_cache(maxsize=32)
def _landscape(name: str, options, data_key: bytes | None) -> landscapes.Landscape:
    data = None if data_key is None else _DATA[data_key]
    return landscapes.get(name, options, data)


_DATA: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}


def landscape(name: str, options, x: np.ndarray | None, y: np.ndarray | None):
    """The landscape of a race surface (a regression surface needs its data x, y)."""
    if x is None:
        return _landscape(name, options, None)
    key = x.tobytes() + b"|" + y.tobytes()
    _DATA.setdefault(key, (x, y))
    if len(_DATA) > 32:  # forget old data sets with the landscapes built on them
        _DATA.pop(next(iter(_DATA)))
        _landscape.cache_clear()
        _DATA.setdefault(key, (x, y))
    return _landscape(name, options, key)


def race(name: str, options, x, y, config: runs.RaceConfig, contestants: tuple) -> list:
    """A race, refused (UserError) when over the budget: steps × runs × the surface's terms."""
    land = landscape(name, options, x, y)
    budget.race(config.steps, len(contestants), land.terms).check()
    return runs.race(land, list(contestants), config)


def basins(name: str, options, x, y, run: RunSpec, n: int, steps: int) -> runs.BasinMap:
    """A basin map, refused when over the budget: n² starts × steps × the surface's terms."""
    land = landscape(name, options, x, y)
    budget.basin(n, steps, land.terms).check()
    return runs.basin_map(land, run, n, steps)


def fair_race(name: str, options, x, y, contestants: tuple, config, names: tuple):
    """A fair race (playground.fair), refused when over the budget."""
    from playground import fair

    land = landscape(name, options, x, y)
    n = len(contestants)
    budget.fair(n, config.rates, config.starts, config.steps, land.terms).check()
    return fair.fair_race(land, list(contestants), config, list(names))


def hessians(name: str, options, x, y, xy: np.ndarray, paths: int = 1) -> np.ndarray:
    """Hessian eigenvalues at the points (T, 2) of ``paths`` paths → (T, 2), in a worker: the
    server process never holds a surface's derivatives over a large data set. Refused when
    over the budget."""
    land = landscape(name, options, x, y)
    budget.hessians(len(xy), land.terms, paths).check()
    return land.hessian_eigenvalues(xy)


def landscape_slice(source, config, snapshots: np.ndarray, diverged: np.ndarray, plane):
    """The landscape view's slice (playground.landscape_slices.slice_runs) in a worker."""
    from playground import landscape_slices

    return landscape_slices.slice_runs(source, config, snapshots, diverged, plane)


def inside_picture(points, spec, state, n: int = 50):
    """Inside the network: every node's map over an n × n grid, the class-1 probability over
    the data's plane (or the fitted curve), for the weights ``state`` (None: fresh ones)."""
    from playground import inside

    model = inside.load(inside.build(spec), state)
    maps = inside.node_maps(model, spec, n)
    out = maps[-1]
    surface = None if spec.regression else out[1]
    curve = None
    if spec.regression:
        xs = np.linspace(-inside.WINDOW, inside.WINDOW, 200)
        x = inside.inputs(np.stack([xs, np.zeros_like(xs)], axis=1), spec.features)
        with torch.no_grad():
            curve = (xs, model.eval()(x)[:, 0].numpy())
    return maps, surface, curve, inside.state_of(model)


def inside_hidden_space(points, spec, state):
    """Inside the network: the last hidden layer's view of the plane (inside.hidden_space)."""
    from playground import inside

    return inside.hidden_space(inside.load(inside.build(spec), state), spec, points)


def inside_epochs(points, spec, state, first: int, epochs: int, moments=None):
    """Inside the network: ``epochs`` more epochs from ``state`` (and the optimizer's
    ``moments``, inside.moments_of) → (records, final state, final moments)."""
    from playground import inside

    budget.inside(len(points), spec, epochs).check()
    items = list(inside.train((points, spec, state, first, moments), inside.Steps(epochs)))
    return items[:-1], items[-1].state, items[-1].moments


def range_test(kind: str, data, config):
    """The learning-rate range test (playground.lr_finder) of the lab's model on its split, or
    of the ConvNet's on its digits."""
    from playground import lr_finder

    return (lr_finder.convnet if kind == "convnet" else lr_finder.lab)(data, config)


def descent(x: np.ndarray, y: np.ndarray, config: runs.DescentConfig) -> runs.Trajectory:
    return runs.gradient_descent(x, y, config)


def surface(x: np.ndarray, y: np.ndarray, grid: surfaces.Grid, loss: str) -> np.ndarray:
    fn = surfaces.mse_surface if loss == "mse" else surfaces.mae_surface
    return fn(x, y, grid)


def scratch_torch(problem: str, lr: float, steps: int) -> dict[str, scratch.Fit]:
    """The from-scratch view's torch ways (autograd, nn.Module): one part trained apart."""
    return scratch.fit_ways(problem, lr, steps, ("autograd", "module"))


def scratch_optim(problem: str, lr: float, optimizer: str, steps: int) -> dict[str, scratch.Fit]:
    """The from-scratch view's fourth way (torch.optim): a part of its own, so a change of its
    optimizer or learning rate trains only it."""
    return {"optim": scratch.fit_optim(problem, lr, steps, optimizer)}


SCRATCH_PARTS = {"torch": scratch_torch, "optim": scratch_optim}  # the parts trained apart

"""Work handed to worker processes gives what the library gives in this process."""

import os
import pickle
import sys

import numpy as np
import pytest

from playground import cpus, data, jobs, landscapes, runs, scratch, surfaces
from playground.i18n import UserError
from playground.optimizers import RunSpec


@pytest.fixture(scope="module")
def pool():
    p = jobs.start_pool(1, jobs.init, jobs.init)  # as pages/workers.py starts its pools
    p.submit(jobs.init).result()
    with p:
        yield p


def test_a_race_in_a_worker_equals_the_race_here(pool):
    land = landscapes.get("saddle")
    contestants = tuple(RunSpec.parse(r) for r in land.race)
    config = runs.RaceConfig(land.start, 200)
    options = landscapes.SurfaceOptions()
    there = pool.submit(jobs.race, "saddle", options, None, None, config, contestants).result()
    here = runs.race(land, list(contestants), config)
    for a, b in zip(there, here, strict=True):
        np.testing.assert_array_equal(a.xy, b.xy)
        assert a.diverged_at == b.diverged_at


def test_a_regression_race_and_descent_in_a_worker_equal_them_here(pool):
    ds = data.DataConfig().build()
    options = landscapes.SurfaceOptions()
    land = landscapes.get("regression_mse", options, (ds.x, ds.y))
    contestants = (RunSpec.parse(land.race[0]),)
    config = runs.RaceConfig(land.start, 50)
    there = pool.submit(
        jobs.race, "regression_mse", options, ds.x, ds.y, config, contestants
    ).result()
    np.testing.assert_array_equal(there[0].xy, runs.race(land, list(contestants), config)[0].xy)
    dc = runs.DescentConfig(lr=0.05, steps=40)
    t1 = pool.submit(jobs.descent, ds.x, ds.y, dc).result()
    np.testing.assert_array_equal(t1.w, runs.gradient_descent(ds.x, ds.y, dc).w)


def test_fits_and_an_mae_surface_in_a_worker_equal_them_here(pool):
    config = scratch.ScratchConfig("line", 0.05, 50, "rmsprop", 1e-2)
    there = pool.submit(scratch.fit_ways, "line", 0.05, 50).result()
    there["optim"] = pool.submit(scratch.fit_optim, "line", 1e-2, 50, "rmsprop").result()
    here = scratch.fit_all(config)
    assert there.keys() == here.keys()
    for key in here:
        np.testing.assert_array_equal(there[key].coefs, here[key].coefs)
    ds = data.DataConfig().build()
    grid = surfaces.Grid(-2, 4, -3, 3, 21)
    z = pool.submit(jobs.surface, ds.x, ds.y, grid, "mae").result()
    np.testing.assert_array_equal(z, surfaces.mae_surface(ds.x, ds.y, grid))


def test_the_from_scratch_parts_in_a_worker_equal_the_four_ways_here(pool):
    # what pages/background.py submits to the long lane: playground.jobs.SCRATCH_PARTS
    config = scratch.ScratchConfig("sine", 1e-6, 40, "rmsprop", 1e-3)
    lr4 = scratch.optim_lr(config)
    there = pool.submit(jobs.SCRATCH_PARTS["torch"], "sine", 1e-6, 40).result()
    there |= pool.submit(jobs.SCRATCH_PARTS["optim"], "sine", lr4, "rmsprop", 40).result()
    here = scratch.fit_all(config)
    assert set(there) == {"autograd", "module", "optim"}
    for key in there:
        np.testing.assert_array_equal(there[key].coefs, here[key].coefs)
        np.testing.assert_array_equal(there[key].loss, here[key].loss)


WORKER_IMPORTS = """
import json, pickle, sys
from pathlib import Path
from playground import jobs

pages = Path(sys.argv[1]).resolve()
for part, args in (("torch", ("line", 0.05, 20)), ("optim", ("line", 1e-2, "rmsprop", 20))):
    fn = pickle.loads(pickle.dumps(jobs.SCRATCH_PARTS[part]))  # as a worker receives it
    assert fn.__module__ == "playground.jobs", fn.__module__
    assert fn(*args), part
names = {p.stem for p in pages.glob("*.py")}
loaded = [
    name for name, m in list(sys.modules.items())
    if name.split(".")[0] in {"streamlit", "pygments"} or name in names
    or Path(getattr(m, "__file__", None) or "/").resolve().is_relative_to(pages)
]
print(json.dumps(loaded))
"""


def test_a_worker_running_the_entry_points_imports_neither_streamlit_nor_the_pages():
    # The pages submit playground.jobs' functions to the workers: unpickling one imports its
    # module there, which must be the library alone (not streamlit, pygments or a page).
    import json
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    pages = os.path.join(root, "pages")
    out = subprocess.run(
        [sys.executable, "-c", WORKER_IMPORTS, pages],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    assert json.loads(out.stdout) == []


def test_a_user_error_crosses_back_with_its_key_and_values():
    err = UserError("err_rows_range", low=5, high=10)
    back = pickle.loads(pickle.dumps(err))
    assert (back.key, back.params, str(back)) == (err.key, err.params, str(err))


SERVER = """
import os, sys, time
from multiprocessing.managers import SyncManager
from playground import jobs

if __name__ == "__main__":  # as pages/workers.py starts its pools and the lab's queue manager
    if sys.argv[1] == "manager":
        manager = SyncManager(ctx=jobs.context())
        with jobs.plain_main():
            manager.start(jobs.exit_with_parent)
        print(manager._process.pid, flush=True)
    else:
        init = {"compute": jobs.init, "training": jobs.init_background}[sys.argv[1]]
        pool = jobs.start_pool(1, init, init)
        print(pool.submit(os.getpid).result(), flush=True)
    time.sleep(120)
elif __name__ == "__mp_main__":  # a worker importing this script: what plain_main prevents
    open(__file__ + ".imported", "w").close()
"""


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie nobody reaps counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _start(tmp_path, kind: str):
    """A server script (run as __main__, like the app) and the pid of its one worker."""
    import subprocess

    script = tmp_path / "server.py"
    script.write_text(SERVER, encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, str(script), kind], stdout=subprocess.PIPE, text=True
    )
    return server, int(server.stdout.readline())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("kind", ["compute", "training", "manager"])
def test_a_worker_exits_when_its_server_is_killed(tmp_path, kind):
    import signal
    import time

    server, worker = _start(tmp_path, kind)
    assert _running(worker)
    server.send_signal(signal.SIGKILL)  # no shutdown: what the out-of-memory killer does
    server.wait()
    deadline = time.monotonic() + 30
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = _running(worker)
    if alive:
        os.kill(worker, signal.SIGKILL)
    assert not alive, "the worker outlived its server"


@pytest.mark.parametrize("kind", ["compute", "manager"])
def test_a_worker_does_not_import_the_servers_main_script(tmp_path, kind):
    # In the server, __main__ is the app's script: importing it again in every worker cost
    # ~6 s of CPU each (streamlit, plotly, the pages) while the first students waited.
    server, _ = _start(tmp_path, kind)
    server.kill()
    server.wait()
    assert not (tmp_path / "server.py.imported").exists()


QUEUED = """
import sys, time
from playground import jobs

if __name__ == "__main__":  # a server whose pool has a queue of work when it shuts down
    pool = jobs.start_pool(1, jobs.init, jobs.init)
    pool.submit(time.sleep, 0).result()
    for _ in range(3):
        pool.submit(time.sleep, 60)
    time.sleep(0.5)  # the first sleep is running, two are queued
"""


def test_a_server_shutting_down_does_not_wait_for_its_queued_work(tmp_path):
    import subprocess

    script = tmp_path / "server.py"
    script.write_text(QUEUED, encoding="utf-8")
    # Python's default waits for all three minutes of queued work before the process ends.
    done = subprocess.run([sys.executable, str(script)], timeout=60, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()


def test_the_server_comes_first_then_a_quick_computation_then_training_then_a_long_one():
    # Training, the from-scratch fits and basin maps take only the CPU the reruns leave; the
    # reruns (one core at most) had shared it with the quick workers and every view lagged.
    import subprocess

    # The app's own lanes (pages/workers.py): each lane's worker set-up, in a process of its own.
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def niceness(setup: str) -> tuple[int, int]:
        code = (
            "import os, sys, torch; sys.path.insert(0, 'pages'); import workers;"
            "from playground import jobs, turns;"
            f"{setup}; print(os.nice(0), torch.get_num_threads())"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
        )
        return tuple(map(int, out.stdout.split()))

    quick, threads = niceness("workers.LANES['quick'][1]()")
    long, _ = niceness("workers.LANES['long'][1]()")
    trainer, _ = niceness("jobs.init_trainer(turns.Turns.create(jobs.context(), 1, 1))")
    assert quick == min(19, os.nice(0) + jobs.QUICK_NICENESS) > os.nice(0)
    assert long == min(19, os.nice(0) + jobs.BACKGROUND_NICENESS) > quick
    # a training between them: its first epoch must not wait behind every long computation
    assert long > trainer == min(19, os.nice(0) + jobs.TRAINER_NICENESS) > quick
    assert threads == 1


@pytest.mark.parametrize(("value", "workers"), [("1", 1), ("2", 2), ("16", 2)])
def test_a_server_gets_as_many_workers_a_pool_as_its_cpus_at_most_two(value, workers):
    # Two replicas sharing two cores are told PLAYGROUND_CPUS=1 each (README, deployment).
    assert jobs.workers_per_pool({cpus.VARIABLE: value}) == workers


@pytest.mark.parametrize(
    ("value", "trainers"), [("3", 3), ("40", 40), ("0", None), ("-2", None), ("lots", None)]
)
def test_a_server_trains_as_many_runs_at_once_as_playground_trainers_says(value, trainers):
    # a machine with less memory (or more) sets how many trainings run at once; a value that
    # is not a whole number from 1 to MAX_TRAINERS is ignored: the default per CPU
    per_cpus = jobs.TRAINERS_PER_WORKER * jobs.workers_per_pool({cpus.VARIABLE: "2"})
    environ = {cpus.VARIABLE: "2", jobs.TRAINERS_VARIABLE: value}
    assert jobs.trainers_per_server(environ) == (trainers or per_cpus)
    too_many = {jobs.TRAINERS_VARIABLE: str(jobs.MAX_TRAINERS + 1)}
    assert jobs.trainers_per_server(too_many) == jobs.trainers_per_server({})


def test_the_app_sizes_every_pool_by_the_servers_cpus():
    import subprocess

    code = (
        "import sys; sys.path.insert(0, 'pages'); import workers;"
        "print(*[w for w, _ in workers.LANES.values()], workers.LAB_WORKERS)"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, cpus.VARIABLE: "1"}
    env.pop(jobs.TRAINERS_VARIABLE, None)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root, env=env
    )
    assert out.stdout.split() == ["1", "1", str(jobs.TRAINERS_PER_WORKER)]  # (taking turns)


def test_drain_reads_the_backlog_up_to_the_end_marker_without_waiting():
    import queue

    inbox = queue.Queue()
    assert jobs.drain(inbox) == []  # nothing yet: it returns at once
    for item in (["epoch 1"], ["epoch 2"], None, ["left for nobody"]):
        inbox.put(item)
    assert jobs.drain(inbox) == [["epoch 1"], ["epoch 2"], None]
    assert jobs.drain(inbox) == [["left for nobody"]]


def test_a_trainings_queue_is_read_through_one_manager_connection(monkeypatch):
    """Each rerun runs in a new thread; reading a manager's queue there opened a connection
    (and a manager thread) per live redraw. workers.TrainingJob.collect reads in one
    thread."""
    import threading
    from multiprocessing.managers import BaseProxy, SyncManager

    from playground.training import Summary

    sys.path.insert(0, str(jobs.__file__).rsplit("/playground/", 1)[0] + "/pages")
    import workers

    manager = SyncManager(ctx=jobs.context())
    manager.start()
    connections = []
    connect = BaseProxy._connect
    monkeypatch.setattr(BaseProxy, "_connect", lambda p: connections.append(1) or connect(p))
    try:
        job = workers.TrainingJob("key", manager.Queue(), manager.Event())
        job.inbox.put(["record 1"])  # (this thread's own connection)
        before = len(connections)
        for k in (2, 3, 4):  # three reruns, each in a thread of its own
            thread = threading.Thread(target=job.collect)
            thread.start()
            thread.join()
            job.inbox.put([f"record {k}"])
        opened = len(connections) - before
        job.inbox.put([Summary.__new__(Summary)])
        job.inbox.put(None)
        job.collect()
    finally:
        manager.shutdown()
    assert job.records == ["record 1", "record 2", "record 3", "record 4"]
    assert isinstance(job.summary, Summary) and job.done
    assert opened <= 1  # the reading thread's, once (it was one a rerun)


def test_a_worker_that_imports_the_apps_script_as_mp_main_imports_nothing():
    # multiprocessing makes a new process run the parent's __main__ file as __mp_main__; a
    # worker started while a rerun has set it (Streamlit sets it at every run) used to run the
    # whole app there: streamlit imported, and dozens of "bare mode" warnings at server start.
    import subprocess
    import sys
    from pathlib import Path

    app = Path(__file__).resolve().parent.parent / "pages" / "app.py"
    code = (
        "import runpy, sys\n"
        f"runpy.run_path({str(app)!r}, run_name='__mp_main__')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('streamlit', 'torch', 'router', 'frame', 'views')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "[]" and out.stderr == "", (out.stdout[:200], out.stderr[:500])

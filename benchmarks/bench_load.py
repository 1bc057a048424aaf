"""A full classroom on one server: concurrent sessions over Streamlit's own websocket protocol.

Usage:
    .venv/bin/python benchmarks/bench_load.py [--sessions 30] [--seconds 60] [--rounds 3]
    .venv/bin/python benchmarks/bench_load.py --one-tab 25   # the cost of a change, no load
    .venv/bin/python benchmarks/bench_load.py --url http://127.0.0.1:8080   # an existing server

Each session is what a browser tab sends: the sessions arrive over the first ``--ramp`` seconds;
each opens a random view, then, with a pause of 2–6 s between actions (a student looking at
the new picture; ``--think``), changes one of that view's main controls to a random
allowed value, sometimes presses Train in the overfitting lab, and sometimes moves to another
view. A response is the time from sending a change to the server's "script finished". The
from-scratch view answers in two parts (numpy's way at once, the torch ways when trained): its
"all ways" time runs on to the rerun that draws them, unless the student changed something first.
Errors are tracebacks shown to a user, failed runs and dropped connections; user-error
messages (st.error for bad input) are counted separately. The server's memory (RSS of it and
its worker processes) is read after every round, once the sessions are closed and the server
has dropped them (it is started with a short disconnected-session TTL for that); its peak is
sampled every second, as RSS and as PSS (the workers share torch's pages: the sum of their RSS
counts them once per worker, PSS once).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from benchmarks._util import cpu_seconds, machine, pss_mb, rss_mb, tree  # noqa: E402
from playground import cpus  # noqa: E402

# view → [(widget key, low, high)]: the controls a student drags; ints where both bounds are
ACTIONS = {
    "loss-surface": [("lr", 0.001, 0.15), ("steps", 10, 500), ("w0", -3.0, 3.0), ("b0", -3.0, 3.0)],
    "race": [("steps", 50, 1000), ("start_x", -1.5, 1.5), ("start_y", -1.5, 1.5),
             ("noise", 0.0, 0.5)],
    "ewa": [("ewa_n", 100, 5000), ("ewa_noise", 0.1, 5.0), ("ewa_seed", 0, 1000)],
    "overfit": [("lab_n", 20, 300), ("epochs", 100, 1500), ("lab_seed", 0, 1000)],
    "from-scratch": [("fs_steps_sine", 100, 3000), ("fs_lr_sine", 1e-7, 2e-6)],
}  # fmt: skip
CHARTS = {"plotly_chart", "bidi_component", "component_instance"}  # element kinds of a chart
IN_PARTS = {"from-scratch"}  # views that draw a response at once and complete it in the background


@dataclass
class Stats:
    times: list[float] = field(default_factory=list)
    by_view: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    user_messages: int = 0
    trainings: int = 0
    fragment_runs: int = 0
    completed: dict[str, list[float]] = field(default_factory=dict)  # change → every part drawn
    superseded: int = 0  # changes in parts that the student changed again before they completed
    messages: set[str] = field(default_factory=set)
    first_epoch: list[float] = field(default_factory=list)  # Train → the first epoch drawn
    lag: list[float] = field(default_factory=list)  # the load test's own loop, late by (s)


class Session:
    """One browser tab, speaking Streamlit's websocket protocol.

    A reader task takes every message the server sends; like the browser, it reruns a fragment
    on the interval the server asks for (the lab's live progress) until it is told to stop.
    """

    def __init__(self, url: str, stats: Stats, rng: random.Random) -> None:
        self.ws_url = url.replace("http", "ws", 1) + "/_stcore/stream"
        self.origin = url
        self.stats, self.rng = stats, rng
        self.pages: dict[str, str] = {}  # url path → page script hash
        self.page = ""
        self.widgets: dict[str, tuple[str, str]] = {}  # key → (widget id, kind)
        self.states: dict[str, WidgetState] = {}
        self.cached: set[str] = set()  # hashes of messages this tab has, as a browser reports
        self.finished: asyncio.Queue[int] = asyncio.Queue()  # statuses of full runs
        self.pollers: dict[str, asyncio.Task] = {}  # fragment id → its auto-rerun task
        self.ws = None
        self.sent = False  # a full run of ours is on its way
        self.completing: tuple[str, float] | None = None  # (view, start) of a change in parts
        self.pressed: float | None = None  # when this tab last pressed Train, until it draws
        self.in_fragment = False  # a fragment's rerun (the lab's live panel) is on its way

    def page_cookie(self) -> str:
        """Load the page over HTTP first, as a browser does, and keep its cookies (behind a
        proxy, the one that pins this tab to a replica)."""
        with urllib.request.urlopen(self.origin + "/", timeout=30) as r:
            r.read()
            cookies = r.headers.get_all("Set-Cookie") or []
        return "; ".join(c.split(";", 1)[0] for c in cookies)

    async def connect(self):
        """A tab's websocket (after the page's HTTP load, for its cookies)."""
        cookie = await asyncio.to_thread(self.page_cookie)
        return connect(
            self.ws_url,
            origin=self.origin,
            subprotocols=["streamlit"],
            max_size=None,
            additional_headers={"Cookie": cookie} if cookie else None,
        )

    def message(self, page: str, fragment: str = "", query: str = "") -> bytes:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_script_hash = self.pages.get(page, "")
        msg.rerun_script.widget_states.widgets.extend(self.states.values())
        msg.rerun_script.cached_message_hashes.extend(self.cached)
        if fragment:
            msg.rerun_script.fragment_id = fragment
        return msg.SerializeToString()

    async def run(self, page: str, changed: WidgetState | None = None, query: str = "") -> None:
        """Send a full rerun (a page load or a changed widget) and wait for it to finish."""
        if changed is not None:
            self.states[changed.id] = changed
        self.page = page
        for task in self.pollers.values():  # the browser drops a page's timers on a full run
            task.cancel()
        self.pollers = {}
        while not self.finished.empty():
            self.finished.get_nowait()
        if self.completing is not None:
            self.stats.superseded += 1
            self.completing = None
        start = time.perf_counter()
        self.sent = True
        await self.ws.send(self.message(page, query=query))
        status = await asyncio.wait_for(self.finished.get(), 120)
        self.sent = False
        if changed is not None and page in IN_PARTS and self.pollers:
            self.completing = (page, start)  # the rest is on its way
        if status not in (0, 2):  # finished, or finished early for another run
            self.stats.errors.append(f"script finished with status {status}")
        if changed is not None:
            took = time.perf_counter() - start
            self.stats.times.append(took)
            self.stats.by_view.setdefault(page, []).append(took)

    async def read(self) -> None:
        async for raw in self.ws:
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            if fm.hash:
                self.cached.add(fm.hash)
            kind = fm.WhichOneof("type")
            if kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in fm.navigation.app_pages}
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                self._element(fm.delta.new_element)
            elif kind == "auto_rerun" and fm.auto_rerun.fragment_id not in self.pollers:
                fid = fm.auto_rerun.fragment_id
                self.pollers[fid] = asyncio.create_task(self.poll(fid, fm.auto_rerun.interval))
            elif kind == "stop_auto_rerun":
                for task in self.pollers.values():
                    task.cancel()
                self.pollers = {}
            elif kind == "script_finished":
                if fm.script_finished == 3:  # a fragment's run
                    self.stats.fragment_runs += 1
                    self.in_fragment = False
                else:
                    self.finished.put_nowait(fm.script_finished)
                    if not self.sent and self.completing and fm.script_finished == 0:
                        # the end of the full rerun that the view asked for: all is drawn
                        view, start = self.completing
                        took = time.perf_counter() - start
                        self.stats.completed.setdefault(view, []).append(took)
                        self.completing = None

    async def poll(self, fragment: str, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            self.in_fragment = True
            await self.ws.send(self.message(self.page, fragment))

    def _element(self, element) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            where = f"{self.page or 'home'}{' (fragment)' if self.in_fragment else ''}"
            kind = element.exception.type or "?"  # (the message is redacted; its type is not)
            said = element.exception.message[:80]
            self.stats.errors.append(f"traceback in {where}, {kind}: {said}")
            return
        if kind == "alert" and element.alert.format == 1:
            self.stats.user_messages += 1
            self.stats.messages.add(element.alert.body[:100])
            return
        if self.pressed is not None and self.in_fragment and kind in CHARTS:
            # the live panel draws its first chart: the run's first epochs have arrived
            self.stats.first_epoch.append(time.perf_counter() - self.pressed)
            self.pressed = None
        proto = getattr(element, kind, None)
        widget_id = getattr(proto, "id", "")
        if widget_id and "-" in widget_id:
            key = widget_id.rsplit("-", 1)[-1]
            data_type = getattr(proto, "data_type", None)
            self.widgets[key] = (widget_id, f"{kind}:{data_type}")

    def change(self, view: str) -> WidgetState | None:
        key, low, high = self.rng.choice(ACTIONS[view])
        if key not in self.widgets:
            return None
        widget_id, kind = self.widgets[key]
        state = WidgetState(id=widget_id)
        if kind == "number_input:0" or (isinstance(low, int) and isinstance(high, int)):
            state.int_value = self.rng.randint(int(low), int(high))
            if kind != "number_input:0":
                state.double_value = float(state.int_value)
        else:
            state.double_value = self.rng.uniform(low, high)
        return state

    async def live(self, deadline: float, ramp: float, think: tuple[float, float]) -> None:
        await asyncio.sleep(self.rng.uniform(0.0, ramp))
        reader = None
        try:
            async with await self.connect() as ws:
                self.ws = ws
                reader = asyncio.create_task(self.read())
                view = self.rng.choice(list(ACTIONS))
                await self.run("")  # the first page load learns the pages
                await self.run(view)
                while time.time() < deadline:
                    await asyncio.sleep(self.rng.uniform(*think))
                    if reader.done():
                        raise ConnectionError("the server closed the connection")
                    if self.rng.random() < 0.1:  # another view
                        view, self.pressed = self.rng.choice(list(ACTIONS)), None
                        self.widgets, self.states = {}, {}
                        await self.run(view)
                        continue
                    if (
                        view == "overfit"
                        and "train_btn" in self.widgets
                        and self.rng.random() < 0.3
                    ):
                        press = WidgetState(id=self.widgets["train_btn"][0], trigger_value=True)
                        self.stats.trainings += 1
                        self.pressed = time.perf_counter()
                        await self.run(view, press)
                        self.states.pop(press.id, None)  # a button's trigger lasts one run
                        continue
                    state = self.change(view)
                    if state is not None:
                        await self.run(view, state)
        except Exception as exc:  # a dropped connection or a timeout is an error of the server
            self.stats.errors.append(f"{type(exc).__name__}: {exc}"[:160])
        finally:
            for task in [*self.pollers.values(), *([reader] if reader else [])]:
                task.cancel()


# What abusive students do (--abuse): each action opens a fresh tab with a crafted link.
ABUSE = {
    # the longest run inside the budget, pressed and the tab closed two seconds later
    "train-and-close": ("overfit", "epochs=5000&batch_size=1", True, 2.0),
    # the run (about 69 h at batch size 1): refused at Train
    "train-the-maximum": (
        "overfit",
        "lab_n=5000&depth=6&width=256&epochs=5000&batch_size=1&use_combined=true",
        True,
        3.0,
    ),
    # the saddle tab's Hessians on an MAE over 100,000 points, 5,000 steps
    "saddle-on-the-heaviest": (
        "race",
        "surface=regression_mae&panel=saddle&steps=5000",
        False,
        3.0,
    ),
    # a basin map of 50 × 50 starts on the same surface
    "basin-map": ("race", "surface=regression_mae&basin_on=true&basin_n=50", False, 3.0),
}
HEAVY_DATA = "source=noisy&n=100000"  # the loss-surface view's data the race then uses


class Abuser(Session):
    """A tab that asks for the most the settings allow, then closes; again and again."""

    async def live(self, deadline: float, ramp: float, think: tuple[float, float]) -> None:
        await asyncio.sleep(self.rng.uniform(0.0, ramp))
        while time.time() < deadline:
            what = self.rng.choice(list(ABUSE))
            view, query, train, linger = ABUSE[what]
            try:
                await self.once(view, query, train, linger)
                self.stats.by_view.setdefault(what, []).append(1.0)
            except Exception as exc:
                self.stats.errors.append(f"{what}: {type(exc).__name__}: {exc}"[:160])
            self.widgets, self.states, self.cached = {}, {}, set()

    async def once(self, view: str, query: str, train: bool, linger: float) -> None:
        async with await self.connect() as ws:
            self.ws = ws
            reader = asyncio.create_task(self.read())
            try:
                await self.run("")
                if view == "race":
                    await self.run("loss-surface", query=HEAVY_DATA)
                await self.run(view, query=query)
                if train and "train_btn" in self.widgets:
                    press = WidgetState(id=self.widgets["train_btn"][0], trigger_value=True)
                    self.stats.trainings += 1
                    await self.run(view, press)
                await asyncio.sleep(linger)  # then the tab is closed, whatever it is doing
            finally:
                for task in [*self.pollers.values(), reader]:
                    task.cancel()
                self.pollers = {}


# ------------------------------------------------------------------ the server's processes


def server(pids: list[int]) -> list[int]:
    """The server processes (one per replica) and all their workers."""
    return [p for pid in pids for p in tree(pid)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def one_round(
    url: str,
    sessions: int,
    seconds: float,
    seed: int,
    ramp: float,
    think: tuple[float, float],
    abuse: int = 0,
) -> tuple[Stats, Stats]:
    """The ordinary sessions' statistics and the abusive ones'."""
    stats, abusive = Stats(), Stats()
    deadline = time.time() + seconds
    clients = [Session(url, stats, random.Random(seed * 1000 + i)) for i in range(sessions)]
    clients += [Abuser(url, abusive, random.Random(seed * 1000 - i - 1)) for i in range(abuse)]
    watch = asyncio.create_task(loop_lag(stats.lag))
    await asyncio.gather(*(c.live(deadline, ramp, think) for c in clients))
    watch.cancel()
    return stats, abusive


async def loop_lag(lags: list[float], every: float = 0.05) -> None:
    """How late this process's event loop wakes up (appended to ``lags``, s): the load test runs
    on the server's machine, and a late loop reads the server's answers late, which would count
    as the server's time. (A browser tab has a machine of its own.)"""
    while True:
        before = time.perf_counter()
        await asyncio.sleep(every)
        lags.append(time.perf_counter() - before - every)


async def one_tab(url: str, changes: int, seed: int) -> dict[str, list[float]]:
    """One tab alone, changing one control after another in each view (0.3 s apart, every
    value new): what a change costs the server without contention."""
    times: dict[str, list[float]] = {}
    for view in ACTIONS:
        stats = Stats()
        tab = Session(url, stats, random.Random(seed))
        async with await tab.connect() as ws:
            tab.ws = ws
            reader = asyncio.create_task(tab.read())
            await tab.run("")
            await tab.run(view)
            for _ in range(changes):
                state = tab.change(view)
                if state is not None:
                    await tab.run(view, state)
                await asyncio.sleep(0.3)
            reader.cancel()
        times[view] = stats.times
    return times


class PeakMemory:
    """The server's largest RSS and PSS (with its workers), sampled every second in a thread."""

    def __init__(self, pids: list[int]) -> None:
        import threading

        self.pids, self.peak, self.peak_pss, self.done = pids, 0.0, 0.0, threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self) -> None:
        while not self.done.wait(1.0):
            processes = server(self.pids)
            self.peak = max(self.peak, rss_mb(processes))
            self.peak_pss = max(self.peak_pss, pss_mb(processes))

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return self.peak


def report_abuse(abusive: Stats) -> bool:
    """Print what the abusive sessions did and got; True if one of them saw a traceback."""
    done = {what: len(abusive.by_view.get(what, [])) for what in ABUSE}  # tabs opened
    print(f"       abusive tabs: {done}, {abusive.trainings} Train presses")
    for text in sorted(abusive.messages)[:6]:
        print("       refused with:", text)
    for err in sorted(set(abusive.errors))[:5]:
        print("   abusive error:", err)
    return any("traceback" in e for e in abusive.errors)


def start(extra: list[str]) -> tuple[object, str]:
    from tests.e2e.conftest import start_server

    return start_server(extra_args=extra)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds over which tabs open")
    parser.add_argument("--think", default="2,6", help="pause between actions: low,high seconds")
    parser.add_argument("--url", help="drive a server that is already running")
    parser.add_argument(
        "--pid", type=int, action="append", help="its process id(s), for memory and CPU"
    )
    parser.add_argument("--label", default="one server")
    parser.add_argument("--views", help="only these views, comma-separated (default: all)")
    parser.add_argument(
        "--abuse", type=int, default=0, help="abusive tabs besides (see ABUSE), e.g. 6"
    )
    parser.add_argument(
        "--one-tab",
        type=int,
        default=0,
        metavar="N",
        help="instead: one tab alone, N changes in each view (the cost of a change, no load)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=7,
        help="of --one-tab's values: the same seed on the same server finds its figures cached",
    )
    args = parser.parse_args()
    if args.views:
        for view in set(ACTIONS) - set(args.views.split(",")):
            del ACTIONS[view]

    proc = None
    if args.url:
        url, pids = args.url.rstrip("/"), args.pid or []
    else:
        proc, url = start(["--server.disconnectedSessionTTL", "5"])
        pids = [proc.pid]
    print(f"# {machine()}")
    print(f"# {args.label}: {args.sessions} sessions × {args.seconds:g} s × {args.rounds} rounds")
    if args.abuse:
        print(f"# and {args.abuse} abusive tabs: {', '.join(ABUSE)}")
    if not args.url or args.pid:  # servers started here or by bench_replicas.py: this environment
        setting = f"{cpus.VARIABLE}={os.environ.get(cpus.VARIABLE, '(unset)')}"
        print(f"# CPUs each server sizes its worker pools by: {cpus.available()} ({setting})")
    try:
        think = tuple(float(v) for v in args.think.split(","))
        print(f"# tabs open over {args.ramp:g} s; {think[0]:g}–{think[1]:g} s between actions")
        if args.one_tab:
            asyncio.run(one_tab(url, 3, 998))  # warm up: torch, the workers, the caches
            for view, times in asyncio.run(one_tab(url, args.one_tab, args.seed)).items():
                v = [1000 * t for t in times] or [float("nan")]
                print(
                    f"one tab  {view:<13} median {statistics.median(v):6.0f} ms"
                    f"  max {max(v):6.0f} ms"
                )
            return 0
        asyncio.run(one_round(url, 2, 5, 999, 0.0, think))  # warm up: torch, the lab's workers
        time.sleep(8)
        base = rss_mb(server(pids)) if pids else float("nan")
        base_pss = pss_mb(server(pids)) if pids else float("nan")
        print(f"server memory after warm-up: {base:.0f} MB RSS, {base_pss:.0f} MB PSS")
        print(
            "round  responses  errors  user msgs  trainings  live redraws  median ms  p95 ms"
            "  CPU %  RSS MB  peak MB  peak PSS MB"
        )
        failed = False
        for r in range(1, args.rounds + 1):
            cpu0, t0 = (cpu_seconds(server(pids)) if pids else 0.0), time.time()
            main0 = cpu_seconds(pids) if pids else 0.0  # the server processes themselves
            own0 = time.process_time()  # this load test's CPU (it shares the machine)
            memory = PeakMemory(pids)
            stats, abusive = asyncio.run(
                one_round(url, args.sessions, args.seconds, r, args.ramp, think, args.abuse)
            )
            peak = memory.stop() if pids else float("nan")
            peak_pss = memory.peak_pss if pids else float("nan")
            cpu = ((cpu_seconds(server(pids)) if pids else 0.0) - cpu0) / (time.time() - t0) * 100
            main = ((cpu_seconds(pids) if pids else 0.0) - main0) / (time.time() - t0) * 100
            own = (time.process_time() - own0) / (time.time() - t0) * 100
            time.sleep(10)  # the server drops closed sessions after its 5 s TTL
            rss = rss_mb(server(pids)) if pids else float("nan")
            ms = [1000 * t for t in stats.times] or [float("nan")]
            print(
                f"{r:>5}  {len(stats.times):>9}  {len(stats.errors):>6}  {stats.user_messages:>9}"
                f"  {stats.trainings:>9}  {stats.fragment_runs:>12}"
                f"  {statistics.median(ms):>9.0f}  {percentile(ms, 0.95):>6.0f}"
                f"  {cpu:>5.0f}  {rss:>6.0f}  {peak:>7.0f}  {peak_pss:>11.0f}"
            )
            print(f"       CPU of the server process(es) alone: {main:.0f} % (workers: the rest)")
            lag = [1000 * t for t in stats.lag] or [float("nan")]
            print(
                f"       the load test's own CPU: {own:.0f} %; its event loop late by"
                f" median {statistics.median(lag):.0f} ms, p95 {percentile(lag, 0.95):.0f} ms"
            )
            if stats.first_epoch:
                first = [1000 * t for t in stats.first_epoch]
                print(
                    f"       Train → first epoch drawn: {len(first)} runs,"
                    f" median {statistics.median(first):.0f} ms, max {max(first):.0f} ms"
                )
                failed |= max(first) > 5000
            for view, times in sorted(stats.by_view.items()):
                v = [1000 * t for t in times]
                print(
                    f"       {view:<13} {len(v):>4} responses,"
                    f" median {statistics.median(v):.0f} ms, p95 {percentile(v, 0.95):.0f} ms"
                )
            for view, times in sorted(stats.completed.items()):
                v = [1000 * t for t in times]
                print(
                    f"       {view:<13} all ways drawn: {len(v):>4} changes,"
                    f" median {statistics.median(v):.0f} ms, p95 {percentile(v, 0.95):.0f} ms"
                    f" ({stats.superseded} changed again before)"
                )
            for err in sorted(set(stats.errors))[:5]:
                print("   error:", err)
            for text in sorted(stats.messages)[:5]:
                print("   message to a user:", text)
            failed |= bool(stats.errors) or percentile(ms, 0.95) > 2000
            if args.abuse:
                failed |= report_abuse(abusive)
        print(
            "budget: 0 errors, 95th percentile under 2,000 ms, Train → first epoch under 5 s,"
            " no traceback for an abusive tab:",
            "MISS" if failed else "OK",
        )
        return 1 if failed else 0
    finally:
        if proc is not None:
            stopping = time.time()
            proc.terminate()
            try:
                proc.wait(30)
                print(f"server stopped {time.time() - stopping:.1f} s after SIGTERM")
            except subprocess.TimeoutExpired:
                print("server still running 30 s after SIGTERM: killed")
                proc.kill()


if __name__ == "__main__":
    sys.exit(main())

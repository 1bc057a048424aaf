"""Warm a server that has just started: open every view once, as a first student would.

`playground run` starts this beside the server (`--no-warm` skips it). A fresh server pays
one-off costs on its first visits: importing torch and its first autograd call, starting the
compute workers, and each view's default runs and figures, computed once and then shared by
every session. Without a warm-up the first student (or the teacher at the projector, or a
whole class joining at once) waits for all of it: the loss surfaces took 19 s to open on a
fresh server against 8 s on a warm one (benchmarks/bench_cold.py measures it).

It speaks Streamlit's websocket protocol with the `websockets` package (a dependency of
Streamlit), like a browser tab that opens each page in turn with its default settings, in
each language, and prints one line when it is done. It never changes anything a student sees:
its session is its own, and its cached results are the ones the first student would compute.

Run by hand: ``python pages/warmup.py http://127.0.0.1:8501``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import urllib.request
from dataclasses import dataclass

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class Opened:
    """One view opened by the warm-up."""

    path: str  # its URL path ("" for the home view)
    lang: str
    seconds: float
    errors: tuple[str, ...]  # what the view showed as an exception, if anything


def alive(pid: int | None) -> bool:
    """Whether process ``pid`` (the server) still runs; True when there is no pid to watch."""
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # (it exists, but belongs to someone else)
        return True
    return True


def healthy(url: str, timeout: float, pid: int | None = None) -> bool:
    """Wait until the server at ``url`` answers its health check (False after ``timeout`` s,
    or as soon as the server's process ``pid`` has ended)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive(pid):
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=5) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


class Tab:
    """A browser tab without a browser: runs pages and collects what they show."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.pages: dict[str, str] = {}  # URL path → page script hash, in the sidebar's order

    async def send(self, path: str, query: str, fragment: str = "") -> None:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_script_hash = self.pages.get(path, "")
        if fragment:
            msg.rerun_script.fragment_id = fragment
        await self.ws.send(msg.SerializeToString())

    async def finish(self, errors: list[str], polls: dict[str, float]) -> int:
        """Read messages until a run finishes; its status. Notes exceptions shown and the
        fragments the page asks the browser to rerun on a timer."""
        async for raw in self.ws:
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "navigation":
                pages = fm.navigation.app_pages
                self.pages = {p.url_pathname: p.page_script_hash for p in pages}
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                element = fm.delta.new_element
                if element.WhichOneof("type") == "exception":
                    errors.append(element.exception.message or element.exception.type)
            elif kind == "auto_rerun":
                polls[fm.auto_rerun.fragment_id] = fm.auto_rerun.interval
            elif kind == "stop_auto_rerun":
                polls.clear()
            elif kind == "script_finished":
                return fm.script_finished
        raise ConnectionError("the server closed the connection")

    async def open(self, path: str, query: str, timeout: float) -> tuple[str, ...]:
        """Run the page at ``path`` with ``query`` until it is complete; its exceptions.

        A page that finishes its work in the background (the from-scratch view's torch ways)
        asks the browser to rerun a fragment on a timer until the work is done and the whole
        page is drawn again: the warm-up does the same, so that its report comes when the
        server is idle and that work is cached for every student.
        """
        await self.send(path, query)
        errors: list[str] = []
        polls: dict[str, float] = {}
        async with asyncio.timeout(timeout):
            while True:
                status = await self.finish(errors, polls)
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:  # another full run follows
                    polls.clear()
                    continue
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    errors.append("the page's script did not compile")
                if not polls:
                    return tuple(errors)
                fragment, interval = next(iter(polls.items()))
                await asyncio.sleep(interval)
                await self.send(path, query, fragment)


async def warm(url: str, languages=LANGUAGES, timeout: float = 180.0) -> list[Opened]:
    """Open every view of the server at ``url`` once per language, the home view first."""
    opened = []
    async with connect(
        url.replace("http", "ws", 1) + "/_stcore/stream",
        origin=url,
        subprotocols=["streamlit"],
        max_size=None,
    ) as ws:
        tab = Tab(ws)
        for lang in languages:
            start = time.perf_counter()
            errors = await tab.open("", f"lang={lang}", timeout)  # (learns the pages)
            opened.append(Opened("", lang, time.perf_counter() - start, errors))
            for path in [p for p in tab.pages if p]:
                start = time.perf_counter()
                errors = await tab.open(path, f"lang={lang}", timeout)
                opened.append(Opened(path, lang, time.perf_counter() - start, errors))
    return opened


def report(opened: list[Opened], seconds: float) -> str:
    """One line for the server's terminal (and a line per view that showed an error)."""
    views = len({o.path for o in opened})
    lines = [
        f"Warm-up: opened the {views} views once in {len({o.lang for o in opened})} "
        f"languages in {seconds:.1f} s; the first students will not wait for the server's "
        "start-up costs."
    ]
    lines += [
        f"Warm-up: /{o.path} ({o.lang}) showed an error: {e} (see the server's log)"
        for o in opened
        for e in o.errors
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="the server, such as http://127.0.0.1:8501")
    parser.add_argument("--wait", type=float, default=120.0, help="seconds to wait for it")
    parser.add_argument("--pid", type=int, help="the server's process: stop waiting if it ends")
    args = parser.parse_args(argv)
    url = args.url.rstrip("/")
    if not healthy(url, args.wait, args.pid):
        why = "its process has ended" if not alive(args.pid) else f"within {args.wait:.0f} s"
        print(f"Warm-up: no server answered at {url} ({why})", file=sys.stderr)
        return 1
    start = time.perf_counter()
    try:
        opened = asyncio.run(warm(url))
    except Exception as exc:  # the server stopped, or a view hung: the server itself is fine
        print(f"Warm-up stopped: {type(exc).__name__}: {exc}"[:300], file=sys.stderr)
        return 1
    print(report(opened, time.perf_counter() - start), flush=True)
    return 1 if any(o.errors for o in opened) else 0


if __name__ == "__main__":
    sys.exit(main())

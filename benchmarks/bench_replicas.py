"""Scaling out: several playground servers behind nginx, and the classroom load test through it.

Usage:
    .venv/bin/python benchmarks/bench_replicas.py [--replicas 2] [bench_load.py's options]

Starts ``--replicas`` servers on free localhost ports with one shared cookie secret, nginx in
front of them with docs/deploy/nginx.conf (sticky by a cookie), checks that one browser stays
on one replica and that the load spreads over all of them, then runs benchmarks/bench_load.py
through the proxy (its memory and CPU figures add up all replicas). Needs Debian's nginx
(`apt-get install nginx`, /usr/sbin/nginx); stops everything it started. The replicas inherit
the environment: ``PLAYGROUND_CPUS=1 .venv/bin/python benchmarks/bench_replicas.py …`` tells each
of two replicas on a two-core machine that it has one CPU (one worker a pool).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import secrets
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import _free_port, healthy, start_server  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def start_proxy(ports: list[int], prefix: Path) -> tuple[subprocess.Popen, str]:
    listen = _free_port()
    conf = (ROOT / "docs" / "deploy" / "nginx.conf").read_text()
    servers = " ".join(f"server 127.0.0.1:{p};" for p in ports)
    for key, value in {
        "{listen}": str(listen),
        "{servers}": servers,
        "{prefix}": str(prefix),
    }.items():
        conf = conf.replace(key, value)
    (prefix / "nginx.conf").write_text(conf)
    proc = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{listen}"
    if healthy(url, 10.0):
        return proc, url
    proc.kill()
    raise RuntimeError("nginx did not start: " + proc.stderr.read().decode()[-500:])


def replica_of(opener, url: str) -> str:
    """The replica (host:port) that answered this browser, as the proxy reports it."""
    with opener.open(url + "/_stcore/health", timeout=5) as r:
        r.read()
        return r.headers["X-Playground-Replica"]


def browser():
    """A urllib opener that keeps cookies, like one browser."""
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def check_sticky(url: str, replicas: int) -> None:
    """One browser always reaches the same replica; many browsers reach all of them."""
    one = browser()
    first = replica_of(one, url)
    if any(replica_of(one, url) != first for _ in range(10)):
        raise RuntimeError("one browser was sent to different replicas")
    reached = {replica_of(browser(), url) for _ in range(40)}
    if len(reached) != replicas:
        raise RuntimeError(f"40 new browsers reached {len(reached)} of {replicas} replicas")
    print(
        f"sticky: one browser stayed on {first} for 11 requests;",
        f"40 new browsers reached all {replicas} replicas",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", type=int, default=2)
    args, rest = parser.parse_known_args()
    if not Path(NGINX).exists():
        print("nginx is not installed (Debian: apt-get install nginx)", file=sys.stderr)
        return 2
    secret = secrets.token_hex(16)
    servers, proxy = [], None
    prefix = Path(tempfile.mkdtemp(prefix="playground-nginx-"))
    try:
        ports = []
        for _ in range(args.replicas):
            port = _free_port()
            # Streamlit takes the cookie secret only from its config or the environment.
            proc, _ = start_server(
                extra_args=["--server.disconnectedSessionTTL", "5"],
                port=port,
                env={"STREAMLIT_SERVER_COOKIE_SECRET": secret},
            )
            servers.append(proc)
            ports.append(port)
        proxy, url = start_proxy(ports, prefix)
        check_sticky(url, args.replicas)
        pids = [a for p in servers for a in ("--pid", str(p.pid))]
        label = f"{args.replicas} replicas behind nginx"
        cmd = [sys.executable, str(ROOT / "benchmarks" / "bench_load.py"), "--url", url, *pids]
        return subprocess.call([*cmd, "--label", label, *rest])
    finally:
        for proc in [*servers, *([proxy] if proxy else [])]:
            proc.terminate()
        for proc in [*servers, *([proxy] if proxy else [])]:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(prefix, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

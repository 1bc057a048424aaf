"""Command line: ``playground run`` serves the dashboard (``python -m playground`` is the same)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "pages" / "app.py"


def _run(args: argparse.Namespace, extra: list[str]) -> int:
    if not APP.exists():
        print(f"error: {APP} not found; install the project from its checkout (pip install -e .)")
        return 2
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(args.port),
        "--server.address",
        args.address,
        *extra,
    ]
    print(f"Serving the playground on http://{args.address}:{args.port}  (Ctrl+C stops it)")
    # Run from the checkout so .streamlit/config.toml applies.
    try:
        return subprocess.call(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    except KeyboardInterrupt:
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="playground", description="The optimizer-and-loss playground."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run",
        help="serve the dashboard on localhost",
        description="Serve the dashboard. Extra options go to `streamlit run`.",
    )
    run.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    run.add_argument("--address", default="localhost", help="address (default localhost)")
    run.set_defaults(func=_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``playground`` console script."""
    args, extra = build_parser().parse_known_args(argv)
    return args.func(args, extra)


if __name__ == "__main__":
    sys.exit(main())

"""Command line: ``playground run`` serves the dashboard (``python -m playground`` is the same)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from playground import cpus

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "pages" / "app.py"
WARMUP = ROOT / "pages" / "warmup.py"


def server_env(args: argparse.Namespace) -> dict[str, str]:
    """The server's environment: the checkout on the path (the server runs from it, so that
    .streamlit/config.toml applies) and ``--cpus`` as ``PLAYGROUND_CPUS``, which
    jobs.workers_per_pool reads."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if args.cpus is not None:
        env[cpus.VARIABLE] = str(args.cpus)
    return env


def local_url(address: str, port: int, extra: list[str]) -> str:
    """Where this machine reaches the server: a wildcard address is reached on loopback, and
    a ``--server.baseUrlPath`` passed on to Streamlit is part of the URL."""
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(address, address)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    base = ""
    for i, arg in enumerate(extra):
        if arg.startswith("--server.baseUrlPath="):
            base = arg.split("=", 1)[1]
        elif arg == "--server.baseUrlPath" and i + 1 < len(extra):
            base = extra[i + 1]
    base = base.strip("/")
    return f"http://{host}:{port}" + (f"/{base}" if base else "")


def start_warmup(url: str, env: dict[str, str]) -> None:
    """Start pages/warmup.py for the server at ``url``, detached from this process.

    On POSIX it is forked twice, so that the server (which this process becomes) is not its
    parent and never has to reap it. It stops waiting for the server if this process ends.
    """
    server = os.getpid()  # (the server's, once this process has become it)
    cmd = [sys.executable, str(WARMUP), url, "--pid", str(server)]
    if os.name != "posix":
        subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
        return
    child = os.fork()
    if child == 0:  # the intermediate process: start the warm-up and leave at once
        try:
            os.setsid()
            subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
        finally:
            os._exit(0)
    os.waitpid(child, 0)


def _cpus(text: str) -> int:
    count = cpus.parse(text)
    if count is None:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of CPUs, 1 or more, not {text!r}"
        )
    return count


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
    print(
        f"Serving the playground on http://{args.address}:{args.port}  (Ctrl+C stops it)",
        flush=True,
    )
    env = server_env(args)
    if args.warm:
        start_warmup(local_url(args.address, args.port, extra), env)
    if os.name == "posix":
        # Become the server: a stop signal from a terminal, a container platform or systemd
        # then reaches Streamlit itself (a child would outlive a launcher killed by SIGTERM).
        os.chdir(ROOT)
        os.execve(sys.executable, cmd, env)
    try:
        return subprocess.call(cmd, cwd=ROOT, env=env)
    except KeyboardInterrupt:
        return 0


def _race_epilog() -> str:
    from playground import landscapes
    from playground.optimizers import OPTIMIZERS

    lines = [
        "surfaces: " + ", ".join(landscapes.NAMES),
        "",
        "optimizers and their settings (torch defaults):",
    ]
    for spec in OPTIMIZERS.values():
        settings = ", ".join(
            f"{s.name}={s.default:g}" if s.kind != "bool" else f"{s.name}={str(s.default).lower()}"
            for s in spec.settings
        )
        lines.append(f"  {spec.key:<9} {settings}")
    lines += [
        "",
        "example: playground race --surface rosenbrock --start -1.5,2 --steps 500 "
        '--run "adam:lr=0.01" --run "sgd:lr=0.001,momentum=0.9,nesterov=true" --csv out.csv',
    ]
    return "\n".join(lines)


def _pair(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected x,y (two numbers), got {text!r}") from None
    return x, y


def _race(args: argparse.Namespace, extra: list[str]) -> int:
    """Run a race headless: the same library calls as the race view."""
    import torch

    from playground import landscapes, runs
    from playground.figures import race as race_figures
    from playground.i18n import UserError
    from playground.optimizers import RunSpec

    torch.set_num_threads(1)
    if extra:
        print(f"error: unrecognised arguments: {' '.join(extra)}", file=sys.stderr)
        return 2
    try:
        options = landscapes.SurfaceOptions(kappa=args.kappa, formula=args.formula)
        land = landscapes.get(args.surface, options)
        contestants = [RunSpec.parse(r) for r in (args.run or land.race)]
        start = args.start or land.start
        config = runs.RaceConfig(start, args.steps or land.steps, args.noise, args.clip, args.seed)
        paths = runs.race(land, contestants, config)
    except UserError as err:
        print(f"error: {err.message()}", file=sys.stderr)
        return 2
    table = runs.race_table(land, contestants, paths)
    print(table.to_string(index=False))
    if args.csv:
        runs.race_frame(contestants, paths).to_csv(args.csv, index=False)
        print(f"wrote {args.csv}")
    if args.html:
        import numpy as np

        xs, ys = land.axes(151)
        minima = np.array([[m.x, m.y] for m in land.minima]).reshape(-1, 2)
        saddles = np.array([[p.x, p.y] for p in land.saddles]).reshape(-1, 2)
        labels = [f"{i + 1}. {r.label()}" for i, r in enumerate(contestants)]
        fig = race_figures.race_animation(
            xs, ys, land.grid(151), [p.xy for p in paths], labels, minima, saddles, land.log_colour
        )
        fig.write_html(args.html, include_plotlyjs=True, auto_play=False)
        print(f"wrote {args.html}")
    return 0


def _fair(args: argparse.Namespace, extra: list[str]) -> int:
    """A fair race headless: every run over a log grid of learning rates from many starts."""
    import torch

    from playground import fair, landscapes
    from playground.i18n import UserError
    from playground.optimizers import RunSpec

    torch.set_num_threads(1)
    if extra:
        print(f"error: unrecognised arguments: {' '.join(extra)}", file=sys.stderr)
        return 2
    try:
        land = landscapes.get(args.surface, landscapes.SurfaceOptions(kappa=args.kappa))
        contestants = [RunSpec.parse(r) for r in (args.run or land.race)]
        config = fair.FairConfig(
            args.rates, args.low, args.high, args.starts, args.steps, args.tol, args.seed
        )
        result = fair.fair_race(land, contestants, config, [r.to_text() for r in contestants])
    except UserError as err:
        print(f"error: {err.message()}", file=sys.stderr)
        return 2
    table = result.table()
    shown = table.copy()
    for column in ("success", "success at range test lr"):  # (the CSV keeps the fractions)
        shown[column] = [f"{v:.0%}" for v in table[column]]
    print(shown.to_string(index=False))
    if args.csv:
        table.to_csv(args.csv, index=False)
        print(f"wrote {args.csv}")
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
    run.add_argument(
        "--cpus",
        type=_cpus,
        help="CPUs this server may use, for replicas sharing a machine: 1 each for two replicas "
        "on two cores (default: its container's CPU limit, else the CPUs it may run on). "
        "Sets PLAYGROUND_CPUS",
    )
    run.add_argument(
        "--no-warm",
        dest="warm",
        action="store_false",
        help="do not open every view once when the server starts (by default a warm-up pays "
        "the server's start-up costs before the first student arrives)",
    )
    run.set_defaults(func=_run)

    race = sub.add_parser(
        "race",
        help="race optimizers on a surface; write CSV or HTML",
        description="Race torch.optim optimizers on a 2-D surface, as the race view does.",
        epilog=_race_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    race.add_argument("--surface", default="rosenbrock", help="surface name (default rosenbrock)")
    race.add_argument("--start", type=_pair, help="start point x,y (default: the surface's)")
    race.add_argument("--steps", type=int, help="number of steps (default: the surface's)")
    race.add_argument(
        "--run",
        action="append",
        metavar="NAME:KEY=VALUE,...",
        help="a contestant, repeatable (default: the surface's five)",
    )
    race.add_argument("--noise", type=float, default=0.0, help="gradient noise σ (default 0)")
    race.add_argument("--clip", type=float, default=0.0, help="clip gradient norm (0 = off)")
    race.add_argument("--seed", type=int, default=0, help="seed of the noise (default 0)")
    race.add_argument("--kappa", type=float, default=20.0, help="condition number of 'bowl'")
    race.add_argument("--formula", default="sin(x)*y**2 + 0.1*x", help="f(x, y) of 'custom'")
    race.add_argument(
        "--csv", help="write columns run, optimizer, label, step, x, y, loss, lr, spec"
    )
    race.add_argument("--html", help="write the standalone animation")
    race.set_defaults(func=_race)

    sweep = sub.add_parser(
        "fair-race",
        help="every optimizer over a log grid of learning rates from many starts",
        description="A fair race (as the race view's): for each run, every learning rate of a "
        "log grid from the same random starts; prints each run's best learning rate, success "
        "rate, median steps and their spread, and the learning-rate range test's suggestion "
        "with the success rate at it.",
    )
    sweep.add_argument("--surface", default="rosenbrock", help="surface name (default rosenbrock)")
    sweep.add_argument(
        "--run",
        action="append",
        metavar="NAME:KEY=VALUE,...",
        help="a contestant, repeatable; its lr is swept (default: the surface's)",
    )
    sweep.add_argument("--rates", type=int, default=20, help="learning rates (default 20)")
    sweep.add_argument("--low", type=float, default=1e-5, help="lowest learning rate")
    sweep.add_argument("--high", type=float, default=10.0, help="highest learning rate")
    sweep.add_argument("--starts", type=int, default=100, help="random starts (default 100)")
    sweep.add_argument("--steps", type=int, default=300, help="steps (default 300)")
    sweep.add_argument("--tol", type=float, default=1e-3, help="success: within tol of the minimum")
    sweep.add_argument("--seed", type=int, default=0, help="seed of the starts (default 0)")
    sweep.add_argument("--kappa", type=float, default=20.0, help="condition number of 'bowl'")
    sweep.add_argument("--csv", help="write the table")
    sweep.set_defaults(func=_fair)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``playground`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # "--start -1.5,2" would read as an option: glue such a value to its flag.
    for i in range(len(argv) - 1):
        if argv[i] == "--start" and argv[i + 1].startswith("-"):
            argv[i : i + 2] = [f"--start={argv[i + 1]}", ""]
    args, extra = build_parser().parse_known_args([a for a in argv if a != ""])
    return args.func(args, extra)


if __name__ == "__main__":
    sys.exit(main())

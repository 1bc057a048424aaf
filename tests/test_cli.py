import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from playground.cli import APP, build_parser


def test_help_lists_the_run_command():
    out = subprocess.run(
        [sys.executable, "-m", "playground", "--help"], capture_output=True, text=True, check=True
    )
    assert "run" in out.stdout


def test_router_lives_inside_pages():
    assert APP.parent.name == "pages" and APP.exists()
    assert not list(APP.parent.parent.glob("*.py")), "no Streamlit script may sit in the repo root"


def test_run_defaults():
    args = build_parser().parse_args(["run"])
    assert (args.port, args.address) == (8501, "localhost")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=2) as r:
            return r.read() == b"ok"
    except OSError:
        return False


def test_playground_run_serves_the_dashboard_and_stops_on_sigterm():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground", "run", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 45
        while not _healthy(port):
            if time.time() > deadline:
                pytest.fail("the dashboard did not answer within 45 s")
            time.sleep(0.5)
    finally:
        proc.terminate()  # SIGTERM, as a container platform stops a server
        proc.wait(10)
    if os.name == "posix":  # no server left behind by the launcher
        deadline = time.time() + 10
        while _healthy(port) and time.time() < deadline:
            time.sleep(0.5)
        assert not _healthy(port), "the server outlived `playground run`"


def test_race_writes_the_documented_csv(tmp_path):
    import pandas as pd

    out = tmp_path / "out.csv"
    cmd = [
        sys.executable,
        "-m",
        "playground",
        "race",
        "--surface",
        "rosenbrock",
        "--start",
        "-1.5,2",
        "--steps",
        "50",
        "--run",
        "adam:lr=0.01",
        "--run",
        "sgd:lr=0.001,momentum=0.9,nesterov=true",
        "--csv",
        str(out),
    ]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    frame = pd.read_csv(out)
    columns = ["run", "optimizer", "label", "step", "x", "y", "loss", "lr", "spec"]
    assert list(frame.columns) == columns
    assert len(frame) == 2 * 51
    first = frame[frame.step == 0].iloc[0]
    assert (first.x, first.y, first.loss) == (-1.5, 2.0, 12.5)
    # the optimizer by name, the run as a class reads it (the legend) and as the command line
    # writes it
    assert set(frame.optimizer) == {"adam", "sgd"}
    assert set(frame.label) == {"Adam lr=0.01", "SGD lr=0.001 momentum=0.9 nesterov=true"}
    assert set(frame.spec) == {"adam:lr=0.01", "sgd:momentum=0.9,nesterov=true"}


def test_race_csv_matches_the_library(tmp_path):
    import numpy as np
    import pandas as pd

    from playground import landscapes, runs
    from playground.optimizers import RunSpec

    out = tmp_path / "out.csv"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "playground",
            "race",
            "--surface",
            "himmelblau",
            "--steps",
            "30",
            "--run",
            "rmsprop:lr=0.05",
            "--csv",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    land = landscapes.get("himmelblau")
    path = runs.run_optimizer(
        land, RunSpec.parse("rmsprop:lr=0.05"), runs.RaceConfig(land.start, 30)
    )
    np.testing.assert_allclose(pd.read_csv(out)[["x", "y"]].to_numpy(), path.xy, rtol=1e-12)


def test_race_help_lists_surfaces_optimizers_and_settings():
    out = subprocess.run(
        [sys.executable, "-m", "playground", "race", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for word in (
        "rosenbrock",
        "himmelblau",
        "custom",
        "nesterov",
        "lbfgs",
        "beta1=0.9",
        "momentum=0.9",
    ):
        assert word in out


def test_race_bad_run_is_a_clear_error_not_a_traceback():
    out = subprocess.run(
        [sys.executable, "-m", "playground", "race", "--run", "adamm:lr=1"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert "Unknown optimizer" in out.stderr and "Traceback" not in out.stderr


def test_run_cpus_reaches_the_server_as_playground_cpus():
    from playground import cpus
    from playground.cli import server_env

    env = server_env(build_parser().parse_args(["run", "--cpus", "1"]))
    assert cpus.available(env) == 1
    without = server_env(build_parser().parse_args(["run"]))
    assert without.get(cpus.VARIABLE) == os.environ.get(cpus.VARIABLE)  # (inherited, if set)


@pytest.mark.parametrize("value", ["0", "-2", "one", "1.5"])
def test_run_refuses_a_cpu_count_that_is_not_a_whole_number(value, capsys):
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(["run", "--cpus", value])
    assert stop.value.code == 2
    assert "whole number of CPUs" in capsys.readouterr().err

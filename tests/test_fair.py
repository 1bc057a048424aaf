"""The fair race against separate runs: every sampled (optimizer, η, start) pair reaches the
tolerance at the same step as the race view's own run from that start."""

import numpy as np
import pytest

from playground import fair, landscapes, runs
from playground.i18n import UserError
from playground.optimizers import RunSpec


@pytest.fixture(scope="module")
def swept():
    land = landscapes.get("himmelblau")
    contestants = [
        RunSpec.parse("sgd"),
        RunSpec.parse("adam:beta1=0.8"),
        RunSpec.parse("momentum@cosine"),
    ]
    config = fair.FairConfig(rates=5, low=1e-3, high=0.3, starts=6, steps=80, tol=1e-2, seed=4)
    return land, contestants, config, fair.fair_race(land, contestants, config)


def test_the_sweep_equals_separate_runs_on_every_pair(swept):
    land, contestants, config, result = swept
    target = min(p.value for p in land.minima) + config.tol
    starts = fair.starts_in(land.window, config.starts, config.seed)
    for o, run in enumerate(contestants):
        for k, lr in enumerate(config.grid):
            alone = RunSpec(
                run.optimizer,
                (*[v for v in run.values if v[0] != "lr"], ("lr", float(lr))),
                run.schedule,
            )
            for s, start in enumerate(starts):
                path = runs.race(land, [alone], runs.RaceConfig(tuple(start), config.steps))[0]
                hit = np.nonzero(path.loss <= target)[0]
                want = float(hit[0]) if len(hit) else np.nan
                got = result.steps_to[o, k, s]
                assert (np.isnan(want) and np.isnan(got)) or want == got, (run, lr, s, want, got)
    np.testing.assert_allclose(result.success, np.isfinite(result.steps_to).mean(axis=2))


def test_the_table_picks_the_most_successful_rate_then_the_fastest(swept):
    _, contestants, config, result = swept
    table = result.table()
    assert list(table.optimizer) == [r.optimizer for r in contestants]
    for o, row in table.iterrows():
        best = int(np.argmin(np.abs(config.grid - row["best lr"])))
        assert row.success == result.success[o].max() == result.success[o, best]
        done = result.steps_to[o, best][np.isfinite(result.steps_to[o, best])]
        if done.size:
            assert row["median steps"] == np.median(done)


def test_a_surface_without_a_minimum_or_absurd_settings_are_refused():
    with pytest.raises(UserError):
        fair.fair_race(landscapes.get("saddle"), [RunSpec.parse("sgd")], fair.FairConfig())
    for bad in ({"rates": 1}, {"starts": 10_000}, {"low": 1.0, "high": 0.1}, {"steps": 0}):
        with pytest.raises(UserError):
            fair.FairConfig(**bad)


def test_the_cli_prints_the_libraries_table(tmp_path):
    from playground import cli

    out = tmp_path / "fair.csv"
    argv = ["fair-race", "--surface", "himmelblau", "--run", "sgd", "--run", "adam@cosine"]
    argv += ["--rates", "4", "--starts", "5", "--steps", "40", "--csv", str(out)]
    assert cli.main(argv) == 0
    import pandas as pd

    got = pd.read_csv(out)
    land = landscapes.get("himmelblau")
    contestants = [RunSpec.parse("sgd"), RunSpec.parse("adam@cosine")]
    config = fair.FairConfig(rates=4, starts=5, steps=40)
    want = fair.fair_race(land, contestants, config, ["sgd", "adam@cosine"]).table()
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert cli.main(["fair-race", "--surface", "saddle"]) == 2

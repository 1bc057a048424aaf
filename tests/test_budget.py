"""The budget of one request (playground.budget) and the workers' caps (playground.jobs):
estimates from settings, checked against torch's own counts and by hand; what fits; what is
refused; and the CPU and memory caps that hold when an estimate is off."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from playground import budget, convnet, data, digits, jobs, landscapes, runs, training
from playground.convnet import NetConfig
from playground.digits import DigitsConfig
from playground.i18n import UserError
from playground.optimizers import RunSpec
from playground.training import TrainConfig, Variant


@pytest.mark.parametrize(
    "depth,width,in_dim,out_dim", [(1, 8, 1, 1), (2, 64, 2, 2), (6, 256, 2, 1)]
)
def test_the_mlp_parameter_count_is_torchs(depth, width, in_dim, out_dim):
    model = training.mlp(in_dim, out_dim, TrainConfig(depth=depth, width=width))
    assert budget.mlp_parameters(in_dim, out_dim, depth, width) == sum(
        p.numel() for p in model.parameters()
    )


@pytest.mark.parametrize("size", [8, 16, 24])
@pytest.mark.parametrize("c1,c2,hidden", [(6, 16, 64), (16, 32, 256)])
def test_the_lenet_counts_are_torchs_and_a_hand_count(size, c1, c2, hidden):
    config = NetConfig(channels1=c1, channels2=c2, hidden=hidden)
    params, macs = budget.lenet_costs(size, config)
    assert params == sum(p.numel() for p in convnet.LeNet(size, config).parameters())
    # by hand: a 5×5 conv at every pixel, a 3×3 conv at every pixel of the pooled map, the
    # first fully connected layer on the twice-pooled map
    conv1 = size * size * c1 * 25
    conv2 = (size // 2) ** 2 * c1 * c2 * 9
    assert macs == conv1 + conv2 + c2 * (size // 4) ** 2 * hidden


def _lab(config: TrainConfig, n: int = 200) -> budget.Estimate:
    split = data.make_task(data.TaskConfig(n=n))
    held_out = len(split.val) + len(split.test)
    return budget.lab(len(split.train), held_out, 1, 1, config)


def test_the_largest_allowed_setting_fits_and_one_more_does_not():
    slow = TrainConfig(depth=6, width=256, batch_size=1)
    largest = _lab(slow, 5000).largest
    assert 1 <= largest < 5000
    assert not _lab(TrainConfig(depth=6, width=256, batch_size=1, epochs=largest), 5000).over
    assert _lab(TrainConfig(depth=6, width=256, batch_size=1, epochs=largest + 1), 5000).over
    est = budget.basin(50, 300, 100_000)
    assert budget.basin(est.largest, 300, 100_000).seconds <= budget.BUDGET_SECONDS
    assert budget.basin(est.largest + 1, 300, 100_000).over


def test_the_issues_maximum_trainings_are_refused_with_what_fits():
    # #32: the lab at its maximums with batch size 1 needed about 69 h; the ConvNet about 1 h.
    lab = TrainConfig(depth=6, width=256, epochs=5000, batch_size=1, variants=(Variant("a"),) * 5)
    est = _lab(lab, 5000)
    assert est.over and est.seconds > 3600
    with pytest.raises(UserError) as err:
        est.check()
    assert err.value.key == "err_budget_epochs" and f"{est.largest:,}" in str(err.value)
    net = NetConfig(channels1=16, channels2=32, hidden=256, epochs=200, batch_size=1)
    few = digits.load(DigitsConfig(scale=3))
    assert budget.convnet(few.size, len(few.train), len(few.val) + len(few.test), net).over


def test_the_defaults_and_the_training_lessons_are_well_inside_the_budget():
    half = budget.BUDGET_SECONDS / 2
    assert _lab(TrainConfig()).seconds < half  # the lab's default and its lessons (1,000 epochs)
    assert _lab(TrainConfig(epochs=1000)).seconds < half
    full = digits.load(DigitsConfig())
    held_out = len(full.val) + len(full.test)
    assert budget.convnet(full.size, len(full.train), held_out, NetConfig()).seconds < half
    few = digits.load(DigitsConfig(fraction=0.1))  # the few_digits lesson: 100 epochs
    assert budget.convnet(few.size, len(few.train), held_out, NetConfig(epochs=100)).seconds < half


def test_a_basin_map_over_the_budget_is_refused_before_it_starts():
    # #32: 20 points per axis on an MAE over 100,000 points took 6 minutes and 1.57 GB.
    rng = np.random.default_rng(0)
    x = rng.normal(size=100_000)
    y = 2 * x + 1 + rng.normal(size=100_000)
    with pytest.raises(UserError) as err:
        jobs.basins("regression_mae", None, x, y, RunSpec.parse("sgd:lr=0.01"), 50, 300)
    assert err.value.key == "err_budget_points"
    with pytest.raises(UserError) as err:
        jobs.hessians("regression_mae", None, x, y, np.zeros((5 * 5000, 2)), 5)
    assert err.value.key == "err_budget_steps"


def test_a_basin_map_in_blocks_of_rows_is_the_map_in_one_block(monkeypatch):
    rng = np.random.default_rng(1)
    x = rng.normal(size=300)
    land = landscapes.get("regression_mae", None, (x, 2 * x + 1))
    run = RunSpec.parse("adam:lr=0.1")
    whole = runs.basin_map(land, run, 7, 40)
    monkeypatch.setattr(runs, "HESSIAN_BATCH", 5 * 300)  # blocks of 5 starts
    blocks = runs.basin_map(land, run, 7, 40)
    np.testing.assert_array_equal(blocks.label, whole.label)


def test_the_cpu_cap_ends_a_runaway_computation_with_a_message():
    def spin() -> None:
        while True:
            torch.ones(100).sum()

    with pytest.raises(UserError) as err, jobs.cpu_cap(0.3):
        spin()
    assert err.value.key == "err_time_budget"


def test_the_memory_cap_turns_a_huge_allocation_into_a_message_and_the_worker_lives():
    # in a child process: the cap must not bound this test process
    code = textwrap.dedent(
        """
        import torch
        from playground import jobs
        from playground.i18n import UserError
        jobs.cap_memory(300 * 2**20)
        try:
            jobs.capped(torch.ones, 2**28)  # 1 GiB of float32
        except UserError as err:
            print(err.key)
        print(float(jobs.capped(torch.ones, 1000).sum()))  # and it goes on working
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["err_memory_budget", "1000.0"], out.stderr[-2000:]


def test_durations_are_said_in_the_students_language():
    assert str(budget.Duration(40)) == "40 s" and str(budget.Duration(0.2)) == "1 s"
    assert budget.Duration(180).in_language("zh") == "3 分钟"
    assert budget.Duration(9000).in_language("en") == "2.5 h"
    over = budget.Estimate(9000.0, "epochs", 12)
    with pytest.raises(UserError) as err:
        over.check()
    assert "2.5 小时" in err.value.message("zh") and "2 分钟" in err.value.message("zh")
    assert "2.5 h" in err.value.message("en") and "at most 12 epochs" in err.value.message("en")


def test_a_long_request_runs_in_the_long_lane_and_the_class_keeps_the_quick_one():
    # the abuse load test: races of 5,000 steps over 100,000 points in the quick lane held the
    # class's quick requests behind them (p95 over 2 s)
    assert budget.lane(budget.race(5000, 5, 100_000)) == "long"
    assert budget.lane(budget.race(100, 5, 1)) == "quick"  # the race view's default
    assert budget.lane(budget.hessians(5 * 100, 1)) == "quick"

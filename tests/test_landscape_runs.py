"""The landscape view's runs and slices: torch.optim as a user would write it, the edge of
stability in the default preset's own numbers, and slices that agree with direct evaluation."""

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn.utils import vector_to_parameters

from playground import landscape as ll
from playground import landscape_runs as lr
from playground import landscape_slices as ls
from playground.i18n import UserError
from playground.optimizers import RunSpec


def records_and_summary(source, config):
    items = list(lr.train(source, config))
    return items[:-1], items[-1]


@pytest.fixture(scope="module")
def eos():
    """Full-batch gradient descent at η and at η/10 on the default preset (the lesson's runs)."""
    runs = lr.DEFAULT_RUNS[:2]
    assert runs[1].lr == pytest.approx(runs[0].lr / 10)
    config = lr.LandscapeConfig(runs=runs)
    return config, *records_and_summary(lr.DEFAULT_TASK, config)


def test_full_batch_gd_ends_at_the_edge_of_stability_and_a_ten_times_smaller_step_stays_below(eos):
    config, records, _ = eos
    sharp = np.array([r.sharpness for r in records])  # (E, 2)
    bound, small_bound = (run.stability_bound() for run in config.runs)
    assert bound == pytest.approx(2 / config.runs[0].lr)
    # sharpness rose from below 2/η to it, and ends within 15 % of it
    assert sharp[0, 0] < 0.85 * bound
    assert sharp[-1, 0] == pytest.approx(bound, rel=0.15)
    assert np.nanmean(sharp[-50:, 0]) == pytest.approx(bound, rel=0.15)
    # η/10: far below its own bound all along
    assert np.nanmax(sharp[:, 1]) < 0.5 * small_bound


def test_at_the_edge_of_stability_the_loss_falls_but_not_monotonically(eos):
    _, records, _ = eos
    loss = np.array([r.train_loss for r in records])  # (E, 2)
    ups = np.diff(loss[:, 0]) > 0
    assert ups.sum() >= 3  # goes up now and then …
    assert loss[-1, 0] < 0.5 * loss[0, 0]  # … and still falls overall (from epoch 0)
    assert not (np.diff(loss[:, 1]) > 0).any()  # the small step: monotonic


def test_a_run_is_torch_optim_stepped_as_a_user_would():
    run = lr.Run(RunSpec("momentum", (("lr", 0.1),)), batch_size=30)
    config = lr.LandscapeConfig(runs=(run,), epochs=5, sharpness_every=0, snapshots=5)
    _, summary = records_and_summary(lr.DEFAULT_TASK, config)
    # the plain loop, written out
    p = lr.problem(lr.DEFAULT_TASK, "mse")
    model = lr.build(config, lr.DEFAULT_TASK)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    gen = torch.Generator().manual_seed(config.seed)
    for _ in range(5):
        order = torch.randperm(len(p.x), generator=gen)
        for start in range(0, len(p.x), 30):
            idx = order[start : start + 30]
            opt.zero_grad()
            nn.functional.mse_loss(model(p.x[idx]), p.y[idx]).backward()
            opt.step()
    np.testing.assert_allclose(summary.snapshots[0, -1], ll.flat(model).numpy(), atol=1e-6)
    assert list(summary.snapshot_epochs) == [0, 1, 2, 3, 4, 5]


def test_every_run_starts_from_the_same_weights_and_its_curves_from_epoch_0():
    config = lr.LandscapeConfig(epochs=2, sharpness_every=1)
    records, summary = records_and_summary(lr.DEFAULT_TASK, config)
    first = summary.snapshots[:, 0]  # (R, P)
    assert np.array_equal(first, np.broadcast_to(first[0], first.shape))
    assert not np.array_equal(summary.snapshots[0, -1], summary.snapshots[1, -1])
    # The curves start where the runs do (a teacher read 0.18 and 0.5 at the left edge of
    # runs said to share their initial weights): epoch 0, one loss and one sharpness for all
    start = records[0]
    assert [r.epoch for r in records] == [0, 1, 2]
    assert np.allclose(start.train_loss, start.train_loss[0], rtol=1e-6)
    assert np.allclose(start.sharpness, start.sharpness[0], rtol=0.01)  # (power iteration)
    model = lr.build(config, lr.DEFAULT_TASK, 0.0).eval()  # the initial weights, by hand
    p = lr.problem(lr.DEFAULT_TASK, config.loss)
    loss_fn = lr.loss_function(config, p.classes)
    with torch.no_grad():
        assert start.train_loss[0] == pytest.approx(float(loss_fn(model(p.x), p.y)), rel=1e-5)


def test_a_diverging_run_is_marked_and_the_others_go_on():
    runs = (lr.Run(RunSpec("sgd", (("lr", 50.0),))), lr.DEFAULT_RUNS[1])
    config = lr.LandscapeConfig(runs=runs, epochs=30, sharpness_every=5, snapshots=10)
    records, summary = records_and_summary(lr.DEFAULT_TASK, config)
    assert summary.diverged[0] > 0 and summary.diverged[1] == 0
    assert np.isnan(records[-1].train_loss[0]) and np.isfinite(records[-1].train_loss[1])
    cut = ls.slice_runs(
        lr.DEFAULT_TASK, config, summary.snapshots, summary.diverged, ls.PlaneConfig()
    )
    assert np.isnan(cut.paths[0]).all() and np.isfinite(cut.paths[1]).all()


def test_stop_ends_the_runs_within_an_epoch():
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 3

    config = lr.LandscapeConfig(epochs=100, sharpness_every=0)
    records, summary = records_and_summary_with_stop(config, stop)
    assert [r.epoch for r in records] == [0, 1] and summary.snapshot_epochs[-1] == 1


def records_and_summary_with_stop(config, stop):
    items = list(lr.train(lr.DEFAULT_TASK, config, stop))
    return items[:-1], items[-1]


@pytest.mark.parametrize(
    "text", ["sgd:lr=0.25", "adam:lr=0.005;batch=20;dropout=0.1", "momentum;batch=16"]
)
def test_a_run_round_trips_through_its_text(text):
    run = lr.Run.parse(text)
    assert lr.Run.parse(run.to_text()) == run


@pytest.mark.parametrize(
    "text", ["sgd;batch", "sgd;foo=1", "sgd;dropout=1.5", "nope:lr=1", "sgd;batch=x"]
)
def test_a_bad_run_text_is_a_user_error(text):
    with pytest.raises(UserError):
        lr.Run.parse(text)


def test_stability_bound_with_momentum_and_none_for_adaptive_optimizers():
    assert lr.Run.parse("momentum:lr=0.1").stability_bound() == pytest.approx(2 * 1.9 / 0.1)
    assert lr.Run.parse("adam:lr=0.1").stability_bound() is None


@pytest.fixture(scope="module")
def trained():
    config = lr.LandscapeConfig(epochs=40, sharpness_every=0, snapshots=20)
    return config, records_and_summary(lr.DEFAULT_TASK, config)[1]


@pytest.mark.parametrize("kind", ["pca", "random", "line"])
def test_a_slice_reads_the_real_loss_where_the_path_is_on_it(trained, kind):
    config, summary = trained
    cut = ls.slice_runs(
        lr.DEFAULT_TASK,
        config,
        summary.snapshots,
        summary.diverged,
        ls.PlaneConfig(kind=kind, resolution=9),
    )
    p = lr.problem(lr.DEFAULT_TASK, "mse")
    model = lr.build(config, lr.DEFAULT_TASK)
    # the real loss at the snapshots, evaluated directly
    for r, t in [(0, 0), (1, -1), (3, 5)]:
        vector_to_parameters(torch.from_numpy(summary.snapshots[r, t].copy()), model.parameters())
        with torch.no_grad():
            want = float(nn.functional.mse_loss(model(p.x), p.y))
        assert cut.path_train[r, t] == pytest.approx(want, rel=1e-5)
    # the center run's final weights are the slice's origin: read-off loss = real loss there
    assert np.abs(cut.paths[0, -1]).max() < 1e-6
    assert cut.path_read[0, -1] == pytest.approx(cut.path_train[0, -1], rel=1e-5)
    if kind == "line":  # the other end of the line is run 1's final weights
        assert cut.paths[1, -1, 0] == pytest.approx(1.0, abs=1e-6)
        assert cut.path_read[1, -1] == pytest.approx(cut.path_train[1, -1], rel=1e-5)
        assert cut.train.shape == (lr.LINE_POINTS,)
    else:
        assert cut.train.shape == cut.val.shape == (9, 9)
    if kind == "pca":
        assert 0 < cut.explained[1] <= cut.explained[0] < 1


def test_the_pca_window_holds_every_path(trained):
    config, summary = trained
    cut = ls.slice_runs(
        lr.DEFAULT_TASK, config, summary.snapshots, summary.diverged, ls.PlaneConfig()
    )
    assert (
        cut.alphas.min()
        < np.nanmin(cut.paths[..., 0])
        < np.nanmax(cut.paths[..., 0])
        < cut.alphas.max()
    )
    assert (
        cut.betas.min()
        < np.nanmin(cut.paths[..., 1])
        < np.nanmax(cut.paths[..., 1])
        < cut.betas.max()
    )


def test_width_below_by_hand():
    alphas = np.linspace(-1, 1, 5)  # -1, -0.5, 0, 0.5, 1
    z = np.array([5.0, 3.0, 1.0, 1.5, 1.8])
    # right: stays below 2 to the end (1.0); left: crosses 2 between -0.5 (3) and 0 (1) at -0.25
    assert ls.width_below(alphas, z, 2.0) == pytest.approx(1.25)
    assert ls.width_below(alphas, z, 0.5) == 0.0


def test_the_edge_of_stability_lesson_tells_what_its_own_runs_do(eos):
    from playground.lessons import LESSONS

    lesson = LESSONS["edge_of_stability"]
    off = {
        int(name[4]) for name, value in lesson.params if name.endswith("_on") and value == "false"
    }
    # the lesson leaves on exactly the first two default rows: the runs of the `eos` fixture
    assert {0, 1, 2, 3} - off == {0, 1}
    config, records, _ = eos
    assert [r.lr for r in config.runs] == [0.25, 0.025]
    sharp = np.array([r.sharpness for r in records])  # (E, 2)
    loss = np.array([r.train_loss for r in records])  # (E, 2)
    # "climbs from about 6 past 2/η = 8 … to about 9.6"
    assert np.all(np.abs(sharp[0] - 6) < 0.5)
    peak = int(np.nanargmax(sharp[:, 0]))
    assert sharp[peak, 0] == pytest.approx(9.6, rel=0.1)
    # "the loss jumps up for a few epochs and the sharpness falls back below 8"
    jump = peak + int(np.argmax(loss[peak : peak + 10, 0]))  # the loss's top, a few epochs on
    assert loss[jump, 0] > 2 * loss[peak, 0] and np.nanmin(sharp[jump : jump + 20, 0]) < 8
    # "then climbs back towards 8 … and ends near it"
    assert sharp[-1, 0] == pytest.approx(8, rel=0.1)
    assert loss[-1, 0] < loss[jump, 0]  # "and the loss falls again"
    # "With η = 0.025 the sharpness barely moves (about 7), far below its bound of 80"
    assert 6 < np.nanmax(sharp[:, 1]) < 7.5


def test_the_views_defaults_use_under_half_the_budget():
    from playground import budget

    mlp_config = lr.LandscapeConfig()
    p = lr.problem(lr.DEFAULT_TASK, "mse")
    weights = sum(q.numel() for q in lr.build(mlp_config, lr.DEFAULT_TASK).parameters())
    assert budget.landscape(len(p.x), len(p.x_val), weights, mlp_config).seconds < 60
    net_config = lr.LandscapeConfig(model="lenet", epochs=60)  # the epochs the digits get
    params, macs = budget.lenet_costs(lr.DEFAULT_DIGITS.size, lr.LENET)
    d = lr.problem(lr.DEFAULT_DIGITS, "mse")
    assert budget.landscape(len(d.x), len(d.x_val), params + macs, net_config).seconds < 60
    # and the largest settings are refused, saying how many epochs fit
    big = lr.LandscapeConfig(
        epochs=2000, width=128, depth=4, runs=(lr.Run.parse("sgd;batch=1"),) * 5
    )
    estimate = budget.landscape(len(p.x), len(p.x_val), 60_000, big)
    assert estimate.over and 0 < estimate.largest < 2000


def test_the_pca_window_is_never_a_strip():
    # the fresh-eyes teacher: the lesson's plane (PC2 1.4 %) was drawn about 110 px high
    t = np.linspace(0, 1, 50)
    snaps = np.zeros((1, 50, 4))
    snaps[0, :, 0], snaps[0, :, 1] = 10 * t, 0.05 * np.sin(6 * t)  # along PC1, hardly PC2
    directions = np.eye(4)[:2]
    ok, alive = np.ones((1, 50), bool), np.ones(1, bool)
    alphas, betas = ls._window(snaps, ok, alive, np.zeros(4), directions, ls.PlaneConfig())
    wide, tall = np.ptp(alphas), np.ptp(betas)
    # (at most half as wide again as tall: at 3 to 1 a later teacher still saw strips with white
    # bands above and below them)
    assert max(wide, tall) <= 1.5 * min(wide, tall) * (1 + 1e-9)
    assert betas.min() < snaps[0, :, 1].min() and snaps[0, :, 1].max() < betas.max()

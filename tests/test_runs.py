import numpy as np
import pytest

from playground import runs
from playground.i18n import UserError
from playground.runs import DescentConfig


def reference_descent(x, y, config):
    """Independent hand-written gradient descent (numpy, no autograd)."""
    w, b = config.w0, config.b0
    batches = runs.batch_indices(len(x), config.batch_size, config.steps, config.seed)
    path = [(w, b)]
    for step in range(config.steps):
        idx = slice(None) if batches is None else batches[step]
        xb, yb = x[idx], y[idx]
        r = w * xb + b - yb
        if config.loss == "mse":
            gw, gb = np.mean(2 * r * xb), np.mean(2 * r)
        else:
            gw, gb = np.mean(np.sign(r) * xb), np.mean(np.sign(r))
        w, b = w - config.lr * gw, b - config.lr * gb
        path.append((w, b))
    return np.array(path)


@pytest.mark.parametrize(
    "config",
    [
        DescentConfig("mse", 0.05, 200),
        DescentConfig("mae", 0.1, 150, w0=-1.0, b0=2.0),
        DescentConfig("mse", 0.02, 120, w0=3.0, b0=-1.0, batch_size=16, seed=3),
        DescentConfig("mae", 0.05, 80, batch_size=1, seed=7),
    ],
    ids=["mse-full", "mae-full", "mse-minibatch", "mae-stochastic"],
)
def test_torch_trajectory_equals_hand_written_loop(random_xy, config):
    x, y = random_xy
    traj = runs.gradient_descent(x, y, config)
    expected = reference_descent(x, y, config)
    assert traj.diverged_at is None
    np.testing.assert_allclose(np.stack([traj.w, traj.b], axis=1), expected, atol=1e-6)


def test_classic_data_converges_to_w2_b0(classic_xy):
    traj = runs.gradient_descent(*classic_xy, DescentConfig("mse", 0.1, 2000))
    assert traj.w[-1] == pytest.approx(2.0, abs=1e-3)
    assert traj.b[-1] == pytest.approx(0.0, abs=1e-3)
    assert traj.loss[0] == pytest.approx(56 / 3)


def test_frame_has_documented_columns(classic_xy):
    frame = runs.gradient_descent(*classic_xy, DescentConfig(steps=5)).to_frame()
    assert list(frame.columns) == ["step", "w", "b", "loss", "lr"]
    assert frame["step"].tolist() == [0, 1, 2, 3, 4, 5]


def test_too_large_learning_rate_reports_divergence_and_keeps_the_path(classic_xy):
    x, y = classic_xy
    traj = runs.gradient_descent(x, y, DescentConfig("mse", 0.5, 2000))
    assert traj.diverged_at is not None and 1 <= traj.diverged_at < 2000
    assert len(traj.w) == traj.diverged_at  # iterates 0 … k-1 are kept
    assert np.isfinite(traj.loss).all()
    assert traj.loss[-1] > traj.loss[0]


def test_overflow_to_infinity_is_reported_not_raised(classic_xy):
    traj = runs.gradient_descent(*classic_xy, DescentConfig("mse", 100.0, 2000, w0=1e4))
    assert traj.diverged_at is not None
    assert np.isfinite(traj.w).all()


def test_below_the_stability_bound_converges(classic_xy):
    from playground.surfaces import stable_lr_bound

    x, y = classic_xy
    bound = stable_lr_bound(x)
    assert runs.gradient_descent(x, y, DescentConfig("mse", 0.95 * bound, 2000)).diverged_at is None
    assert runs.gradient_descent(x, y, DescentConfig("mse", 1.05 * bound, 2000)).diverged_at


def test_minibatches_visit_every_sample_once_per_epoch():
    batches = runs.batch_indices(10, 3, 8, seed=0)
    epoch = np.concatenate(batches[:4])
    assert sorted(epoch.tolist()) == list(range(10))
    assert [len(b) for b in batches[:4]] == [3, 3, 3, 1]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": 0.0},
        {"lr": -1.0},
        {"lr": float("nan")},
        {"steps": 0},
        {"steps": 10**6},
        {"loss": "huber"},
        {"batch_size": -2},
        {"w0": float("inf")},
    ],
)
def test_bad_settings_raise_user_errors_with_messages(kwargs):
    with pytest.raises(UserError) as err:
        DescentConfig(**kwargs)
    assert err.value.message() and not err.value.message().startswith("err_")


@pytest.mark.parametrize(
    ("bound", "expected"),
    [(0.1803, 0.05), (0.1, 0.05), (0.05, 0.02), (0.001, 5e-4), (3e-4, 1e-4), (2.4e-7, 1e-7)],
)
def test_the_suggested_learning_rate_is_a_round_number_below_half_the_bound(bound, expected):
    assert runs.suggested_lr(bound) == pytest.approx(expected)


def test_descent_at_the_suggested_rate_converges_on_data_far_from_the_origin():
    """Uploaded data with x in the thousands: 0.05 diverges at once, the suggested rate does not
    (checked by the run itself: the loss falls and nothing diverges)."""
    from playground import surfaces

    x = np.linspace(1000.0, 2000.0, 50)
    y = 3.0 * x - 2.0
    bound = surfaces.stable_lr_bound(x)
    assert runs.gradient_descent(x, y, runs.DescentConfig("mse", 0.05, 20)).diverged_at is not None
    traj = runs.gradient_descent(x, y, runs.DescentConfig("mse", runs.suggested_lr(bound), 200))
    assert traj.diverged_at is None
    assert traj.loss[-1] < 1e-3 * traj.loss[0]

"""From scratch to torch.optim: the four ways agree, and they find the least-squares fit."""

import numpy as np
import pytest

from playground import scratch
from playground.i18n import UserError


@pytest.mark.parametrize("problem", list(scratch.PROBLEMS))
def test_the_four_ways_give_the_same_coefficients(problem):
    spec = scratch.PROBLEMS[problem]
    fits = scratch.fit_all(scratch.ScratchConfig(problem, spec.lr, spec.steps))
    assert scratch.max_difference(fits, tuple(scratch.WAYS)) < 1e-9
    for fit in fits.values():
        assert fit.coefs.shape == (spec.steps + 1, spec.degree + 1)
        assert fit.loss.shape == (spec.steps,)
        assert np.all(np.diff(fit.loss) <= 1e-9)  # a small enough step never goes up


def test_the_ways_computed_apart_equal_them_computed_together():
    together = scratch.fit_ways("line", 0.05, 100)
    apart = scratch.fit_ways("line", 0.05, 100, ("hand",))
    apart |= scratch.fit_ways("line", 0.05, 100, ("autograd", "module"))
    assert list(apart) == list(together) == list(scratch.PLAIN_WAYS)
    for key, fit in together.items():
        np.testing.assert_array_equal(apart[key].coefs, fit.coefs)
        np.testing.assert_array_equal(apart[key].loss, fit.loss)
    with pytest.raises(ValueError, match="optim"):
        scratch.fit_ways("line", 0.05, 100, ("hand", "optim"))  # its own function: fit_optim


def test_the_line_reaches_w_2_b_0():
    fits = scratch.fit_all(scratch.ScratchConfig("line", 0.05, 1000))
    np.testing.assert_allclose(fits["optim"].final, [0.0, 2.0], atol=1e-6)
    np.testing.assert_allclose(scratch.least_squares("line"), [0.0, 2.0], atol=1e-12)


def test_the_cubic_approaches_the_taylor_like_least_squares_fit_of_sine():
    exact = scratch.least_squares("sine")
    assert abs(exact[0]) < 1e-12 and abs(exact[2]) < 1e-12  # sin is odd
    fits = scratch.fit_all(scratch.ScratchConfig("sine", 1e-6, 2000))
    assert np.abs(fits["hand"].final - exact).max() < 0.02
    assert fits["hand"].loss[-1] < fits["hand"].loss[0] / 50


@pytest.mark.parametrize(("problem", "steps"), [("sine", 2000), ("line", 1000)])
def test_rmsprop_ends_within_the_stated_tolerance_of_least_squares(problem, steps):
    spec = scratch.PROBLEMS[problem]
    fits = scratch.fit_all(
        scratch.ScratchConfig(problem, spec.lr, steps, "rmsprop", spec.rmsprop_lr)
    )
    assert np.abs(fits["optim"].final - scratch.least_squares(problem)).max() < 5e-3
    assert np.abs(fits["hand"].coefs[10] - fits["optim"].coefs[10]).max() > 1e-4  # other steps


def test_hand_gradient_matches_autograd_on_the_first_step():
    x, y = scratch.PROBLEMS["sine"].data()
    a = scratch.by_hand(x, y, 3, 1e-6, 1)
    b = scratch.by_autograd(x, y, 3, 1e-6, 1)
    np.testing.assert_allclose(a.coefs[1], b.coefs[1], rtol=1e-12, atol=1e-18)
    assert a.loss[0] == pytest.approx(np.sum(np.sin(x) ** 2))  # the loss at c = 0


@pytest.mark.filterwarnings("ignore:overflow")
def test_a_diverging_rate_stops_every_way_early_without_raising():
    fits = scratch.fit_all(scratch.ScratchConfig("sine", 0.5, 500))
    for fit in fits.values():
        assert len(fit.loss) < 500 and np.all(np.isfinite(fit.coefs))


def test_bad_settings_are_user_errors():
    with pytest.raises(UserError):
        scratch.ScratchConfig("circle")
    with pytest.raises(UserError):
        scratch.ScratchConfig(lr=-1)
    with pytest.raises(UserError):
        scratch.ScratchConfig(steps=10**9)


@pytest.mark.filterwarnings("ignore:overflow")
@pytest.mark.parametrize(
    ("lr", "optimizer", "steps"), [(1e-6, "sgd", 130), (1e-6, "rmsprop", 77), (0.5, "sgd", 40)]
)
def test_a_longer_run_cut_to_its_first_steps_is_the_shorter_run_bit_for_bit(lr, optimizer, steps):
    # what the view's step buckets rely on; the last case diverges before it is cut
    short = scratch.fit_all(scratch.ScratchConfig("sine", lr, steps, optimizer, 1e-3))
    longer = scratch.fit_all(
        scratch.ScratchConfig("sine", lr, scratch.bucket(steps), optimizer, 1e-3)
    )
    cut = scratch.prefix(longer, steps)
    assert scratch.bucket(steps) > steps
    for key in scratch.WAYS:
        np.testing.assert_array_equal(cut[key].coefs, short[key].coefs)
        np.testing.assert_array_equal(cut[key].loss, short[key].loss)


def test_step_buckets_hold_every_allowed_run_and_at_most_double_it():
    for steps in (1, 250, 251, 999, 1000, 2001, scratch.MAX_STEPS):
        assert steps <= scratch.bucket(steps) <= max(2 * steps, scratch.STEP_BUCKETS[0])
    assert scratch.STEP_BUCKETS[-1] == scratch.MAX_STEPS


def test_the_line_problems_loss_is_drawn_on_a_log_axis_though_it_reaches_zero():
    # a fresh-eyes teacher: the line problem's fit becomes exact, a loss of 0 made the axis
    # linear, and the chart was a spike at step 0 over a flat line
    from playground.figures import scratch as sf

    loss = np.array([56.0, 3.1, 0.2, 1e-3, 1e-9, 0.0, 0.0])
    fig = sf.loss_figure({"by hand": loss, "autograd": loss.copy()})
    assert fig.layout.yaxis.type == "log"
    assert min(fig.layout.yaxis.tickvals) <= 1e-6 and max(fig.layout.yaxis.tickvals) >= 10

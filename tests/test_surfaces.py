import numpy as np
import pytest

from playground import surfaces
from playground.i18n import UserError
from playground.surfaces import Grid


def test_classic_values_match_hand_calculation(classic_xy):
    x, y = classic_xy
    # MSE(0, 0) = (4 + 16 + 36) / 3; MAE(0, 0) = (2 + 4 + 6) / 3.
    assert surfaces.mse_at(x, y, 0.0, 0.0) == pytest.approx(56 / 3)
    assert surfaces.mse_at(x, y, 2.0, 0.0) == pytest.approx(0.0, abs=1e-12)
    assert surfaces.mae_at(x, y, 0.0, 0.0)[0] == pytest.approx(4.0)
    # MSE(1, 1): residuals 0, -1, -2 -> (0 + 1 + 4) / 3; MAE(1, 1) = 1.
    assert surfaces.mse_at(x, y, 1.0, 1.0) == pytest.approx(5 / 3)
    assert surfaces.mae_at(x, y, 1.0, 1.0)[0] == pytest.approx(1.0)


def test_classic_grid_surface_holds_hand_values(classic_xy):
    x, y = classic_xy
    grid = Grid(0.0, 4.0, 0.0, 4.0, 41)  # the curriculum's grid, steps of 0.1
    mse, mae = surfaces.mse_surface(x, y, grid), surfaces.mae_surface(x, y, grid)
    assert mse.shape == mae.shape == (41, 41)
    i2 = 20  # w = 2.0 on the w axis; b = 0 is row 0
    assert mse[0, 0] == pytest.approx(56 / 3) and mae[0, 0] == pytest.approx(4.0)
    assert mse[0, i2] == pytest.approx(0.0, abs=1e-12) and mae[0, i2] == pytest.approx(
        0.0, abs=1e-12
    )


@pytest.mark.parametrize("n", [1, 2, 7, 1000])
def test_fast_surfaces_equal_naive_broadcast(n):
    rng = np.random.default_rng(n)
    x, y = rng.normal(0, 2, n), rng.normal(1, 3, n)
    grid = Grid(-3.0, 2.5, -4.0, 5.0, 37)
    np.testing.assert_allclose(
        surfaces.mse_surface(x, y, grid),
        surfaces.mse_surface_naive(x, y, grid),
        rtol=1e-9,
        atol=1e-9,
    )
    np.testing.assert_allclose(
        surfaces.mae_surface(x, y, grid),
        surfaces.mae_surface_naive(x, y, grid),
        rtol=1e-9,
        atol=1e-9,
    )


def test_mae_surface_exact_when_residuals_sit_on_grid_values():
    # Residuals that equal grid values of b exactly, and ones outside the window.
    x = np.array([0.0, 0.0, 1.0, 2.0, 10.0])
    y = np.array([-1.0, 0.5, 1.0, -7.0, 50.0])
    grid = Grid(-1.0, 1.0, -1.0, 1.0, 5)
    np.testing.assert_allclose(
        surfaces.mae_surface(x, y, grid), surfaces.mae_surface_naive(x, y, grid), atol=1e-12
    )


def test_least_squares_matches_numpy_lstsq(random_xy):
    x, y = random_xy
    design = np.stack([x, np.ones_like(x)], axis=1)
    expected = np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose(surfaces.least_squares(x, y), expected, rtol=1e-10)


def test_least_absolute_is_no_worse_than_any_line_through_two_points(random_xy):
    x, y = random_xy[0][:40], random_xy[1][:40]
    w, b, value = surfaces.least_absolute(x, y)
    assert value == pytest.approx(surfaces.mae_at(x, y, w, b)[0])
    # An LAD optimum passes through two data points: brute force over all pairs.
    i, j = np.triu_indices(len(x), 1)
    ws = (y[j] - y[i]) / (x[j] - x[i])
    bs = y[i] - ws * x[i]
    assert value <= surfaces.mae_at(x, y, ws, bs).min() + 1e-9


def test_minimizing_set_shows_a_flat_bottom():
    # Two x values, each with y = 0 and y = 1: every line between them is optimal.
    x = np.array([0.0, 0.0, 1.0, 1.0])
    y = np.array([0.0, 1.0, 0.0, 1.0])
    grid = Grid(-1.0, 1.0, -1.0, 2.0, 31)
    z = surfaces.mae_surface(x, y, grid)
    _, _, value = surfaces.least_absolute(x, y)
    ws, bs = surfaces.minimizing_set(z, grid, value)
    assert value == pytest.approx(0.5)
    assert len(ws) > 10  # a region, not a point
    np.testing.assert_allclose(surfaces.mae_at(x, y, ws, bs), 0.5, atol=1e-9)


def test_stability_bound_is_two_over_largest_hessian_eigenvalue(classic_xy):
    x, _ = classic_xy
    # Hessian 2·[[14/3, 2], [2, 1]]; eigenvalues by hand from the characteristic polynomial.
    a, c, d = 28 / 3, 4.0, 2.0
    lam = (a + d) / 2 + np.sqrt(((a - d) / 2) ** 2 + c * c)
    assert surfaces.stable_lr_bound(x) == pytest.approx(2 / lam)


def test_grid_rejects_bad_ranges():
    with pytest.raises(UserError):
        Grid(1.0, 1.0, 0.0, 1.0, 11)
    with pytest.raises(UserError):
        Grid(0.0, 1.0, 0.0, 1.0, 402)


# ---------------------------------------------------------------- exact minima (audit, #29)


def _lad_primal_lp(x: np.ndarray, y: np.ndarray) -> float:
    """Independent reference: the primal LP min Σ(pᵢ + qᵢ) s.t. w·xᵢ + b + pᵢ − qᵢ = yᵢ."""
    from scipy.optimize import linprog

    n = len(x)
    a_eq = np.hstack([x[:, None], np.ones((n, 1)), np.eye(n), -np.eye(n)])
    cost = np.r_[0.0, 0.0, np.ones(2 * n)]
    bounds = [(None, None)] * 2 + [(0, None)] * (2 * n)
    res = linprog(cost, A_eq=a_eq, b_eq=y, bounds=bounds, method="highs")
    assert res.status == 0
    return res.fun / n


def test_mae_minimum_outside_any_bracket_around_least_squares():
    # The audit's data: the optimal slope 100 lies far from the least-squares slope.
    x = np.r_[np.zeros(400), np.full(400, 0.01), 1.5, -1.5]
    y = np.r_[np.zeros(400), np.ones(400), 0.0, 0.0]
    w, b, value = surfaces.least_absolute(x, y)
    # By hand: w = 100, b = 0 leaves only the two outliers, |0 − 150| and |0 + 150|: 300/802.
    assert value == pytest.approx(300 / 802, rel=1e-12)
    assert (w, b) == pytest.approx((100.0, 0.0), abs=1e-9)
    assert value == pytest.approx(_lad_primal_lp(x, y[: len(x)]), rel=1e-9)


@pytest.mark.parametrize("shape", ["gaussian", "outliers", "clustered", "offset", "ties"])
def test_least_absolute_matches_a_linear_programming_solver(shape):
    rng = np.random.default_rng(7)
    n = 150
    x = rng.normal(0, 1, n)
    y = 0.5 * x + rng.standard_cauchy(n) * 0.1
    if shape == "outliers":
        y[:15] += rng.normal(0, 1e3, 15)
        x[15:30] *= 50
    elif shape == "clustered":
        x = np.r_[np.zeros(70), np.full(70, 1e-3), rng.normal(0, 5, 10)]
    elif shape == "offset":
        x = 1.7e9 + 60.0 * np.arange(n)
        y = 20 + 1e-3 * (x - 1.7e9) + rng.laplace(0, 0.1, n)
    elif shape == "ties":
        x, y = np.round(x), np.round(y)  # many points on many candidate lines
    w, b, value = surfaces.least_absolute(x, y)
    reference = _lad_primal_lp(x - x.mean(), y)  # the LP on centred x (same minimum value)
    assert value == pytest.approx(reference, rel=1e-8, abs=1e-12)
    assert float(surfaces.mae_at(x, y, w, b)[0]) == pytest.approx(value, rel=1e-7, abs=1e-9)


def test_least_squares_is_exact_for_unix_timestamps():
    # One hour of minutes, x in seconds since 1970; y rises by 1e-3 per second.
    x = 1.7e9 + np.arange(0, 3600, 60.0)
    y = 20 + 1e-3 * (x - 1.7e9)
    w, b = surfaces.least_squares(x, y)
    assert w == pytest.approx(1e-3, rel=1e-9)
    assert b == pytest.approx(20 - 1e-3 * 1.7e9, rel=1e-12)
    assert surfaces.mse_at(x, y, w, b) == pytest.approx(0.0, abs=1e-12)


def test_mse_surface_is_exact_for_gps_latitudes():
    # Latitudes within 11 m (1e-4 degrees) of 48.85: raw moments lose ~15 % at the minimum.
    rng = np.random.default_rng(3)
    x = 48.85 + 1e-4 * rng.uniform(0, 1, 500)
    y = 3e4 * (x - 48.85) + rng.normal(0, 0.1, 500)
    design = np.stack([x - 48.85, np.ones_like(x)], axis=1)  # centred by hand, then lstsq
    slope, icpt = np.linalg.lstsq(design, y, rcond=None)[0]
    w, b = surfaces.least_squares(x, y)
    assert w == pytest.approx(slope, rel=1e-9)
    ws = w + np.array([-1.0, 0.0, 1.0])
    bs = b - (ws - w) * 48.85
    direct = np.array(
        [
            np.mean((wi * (x - 48.85) + (bi + wi * 48.85) - y) ** 2)
            for wi, bi in zip(ws, bs, strict=True)
        ]
    )
    np.testing.assert_allclose(surfaces.mse_at(x, y, ws, bs), direct, rtol=1e-9)
    assert icpt == pytest.approx(b + w * 48.85, abs=1e-9)


def test_constant_x_has_a_line_of_minima():
    x, y = np.full(5, 2.0), np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    assert surfaces.constant(x) and not surfaces.constant(np.array([0.0, 1e-300]))
    w, b = surfaces.least_squares(x, y)
    assert b == pytest.approx(y.mean() - 2 * w)
    # Every line through (2, mean y) is a minimiser: MSE = var(y) along it.
    for slope in (w, 5.0, -3.0):
        assert surfaces.mse_at(x, y, slope, y.mean() - 2 * slope) == pytest.approx(np.var(y))
    _, _, mae = surfaces.least_absolute(x, y)
    assert mae == pytest.approx(np.mean(np.abs(y - 3.0)))


def test_the_mae_minimum_of_points_on_a_line_needs_no_linear_program(monkeypatch):
    # a student's 300,000 points on y = 2x (100,000 kept) took 68 s: the certificate's LP over
    # 100,000 points on the line, where balancing them with zeros proves it at once
    import scipy.optimize

    def refused(*_args, **_kwargs):
        raise AssertionError("a linear program was solved")

    monkeypatch.setattr(scipy.optimize, "linprog", refused)
    x = np.arange(100_000) * 1e-5
    w, b, value = surfaces.least_absolute(x, 2 * x + 0.001)
    assert (w, b, value) == pytest.approx((2.0, 0.001, 0.0), abs=1e-9)


def test_a_linear_program_out_of_time_leaves_the_descents_line(monkeypatch):
    import scipy.optimize

    class OutOfTime:
        status = 1  # HiGHS: time limit reached

    monkeypatch.setattr(scipy.optimize, "linprog", lambda *a, **k: OutOfTime())
    monkeypatch.setattr(surfaces, "_lad_certified", lambda *a, **k: False)
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 10, 500)
    y = 3 * x - 1 + rng.laplace(0, 0.5, 500)
    got = surfaces.least_absolute(x, y)
    monkeypatch.undo()
    want = surfaces.least_absolute(x, y)  # (certified, or the full LP)
    assert got[2] == pytest.approx(want[2], rel=1e-9)  # the same least MAE

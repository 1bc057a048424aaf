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

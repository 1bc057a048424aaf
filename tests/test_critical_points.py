"""Every critical point inside each surface's window is listed, and listed as what it is.

The points are found here without the registry's lists: Newton's method in float64 from a
60 × 60 grid of starts over the window, with gradient and Hessian of f by ``torch.func``.
Points where ‖∇f‖ is tiny are deduplicated and classified by the Hessian's eigenvalues (both
> 0: a minimum, both < 0: a maximum, opposite signs: a saddle). A degenerate point (an
eigenvalue zero, as at the origin of the monkey saddle x³ − 3xy²) is classified by f on a small
circle around it: above and below its value there means a saddle, only above a minimum, only
below a maximum. Then each surface must list every point found, each as its kind ("min" for
the lowest minima in the window, "local_min" for the others) with its value, and nothing else.
"""

import numpy as np
import pytest
import torch

from playground import landscapes
from playground.landscapes import SurfaceOptions

N_STARTS = 60  # starts per side of the window
NEWTON_STEPS = 80  # quadratic convergence needs few; at the monkey saddle Newton halves r

CASES = [
    *[(name, SurfaceOptions()) for name in landscapes.BUILDERS if name != "custom"],
    ("bowl", SurfaceOptions(kappa=100.0)),
    ("regression_mse", SurfaceOptions()),  # a quadratic: one minimum, checked on its own below
]
EXCLUDED = {
    "custom": "its formula is the user's: nothing is listed",
    "regression_mae": "piecewise linear, its gradient never vanishes: the minimum is a kink",
}
# Critical points deliberately not listed, and how many there are: a surface that changes must
# change this too. The Landscape docstring says why (320 markers would hide Rastrigin's map).
UNLISTED = {("rastrigin", "saddle"): 220, ("rastrigin", "max"): 100}
# Critical points with a zero Hessian eigenvalue, classified by f around them.
DEGENERATE = {"monkey": 1}


def critical_points(land) -> list[dict]:
    """Every critical point strictly inside the window: x, y, value, eigenvalues, kind."""
    x0, x1, y0, y1 = land.window
    gx, gy = np.meshgrid(np.linspace(x0, x1, N_STARTS), np.linspace(y0, y1, N_STARTS))
    p = torch.tensor(np.stack([gx.ravel(), gy.ravel()], axis=1), dtype=torch.float64)  # (S, 2)

    def f(q: torch.Tensor) -> torch.Tensor:
        return land.fn(q[0], q[1])

    grad = torch.vmap(torch.func.grad(f))
    hess = torch.vmap(torch.func.jacrev(torch.func.grad(f)))  # reverse over reverse
    for _ in range(NEWTON_STEPS):
        g, h = grad(p), hess(p)  # (S, 2), (S, 2, 2)
        det = h[:, 0, 0] * h[:, 1, 1] - h[:, 0, 1] * h[:, 1, 0]
        adj_g = torch.stack(
            [
                h[:, 1, 1] * g[:, 0] - h[:, 0, 1] * g[:, 1],
                h[:, 0, 0] * g[:, 1] - h[:, 1, 0] * g[:, 0],
            ],
            dim=1,
        )
        p = p - torch.nan_to_num(adj_g / det[:, None], nan=0.0, posinf=0.0, neginf=0.0)

    span = max(x1 - x0, y1 - y0)
    g_tol = 1e-8 * (1 + land.peak / land.scale)
    with np.errstate(invalid="ignore"):
        xy = p.numpy()
        g = np.linalg.norm(grad(p).numpy(), axis=1)
        keep = (
            np.isfinite(xy).all(axis=1)
            & (xy[:, 0] > x0)
            & (xy[:, 0] < x1)
            & (xy[:, 1] > y0)
            & (xy[:, 1] < y1)
            & (g <= g_tol)
        )
    unique: list[np.ndarray] = []
    for q in xy[keep]:
        if all(np.hypot(*(q - u)) > 1e-6 * span for u in unique):
            unique.append(q)
    if not unique:
        return []
    pts = torch.tensor(np.array(unique))  # (U, 2)
    with torch.no_grad():
        values = land.fn(pts[:, 0], pts[:, 1]).numpy()
    eigs = torch.linalg.eigvalsh(hess(pts)).numpy()  # (U, 2), ascending
    return [
        {"x": q[0], "y": q[1], "value": v, "eig": e, "kind": _kind(land, q, v, e)}
        for q, v, e in zip(unique, values, eigs, strict=True)
    ]


def _kind(land, q: np.ndarray, value: float, eig: np.ndarray) -> str:
    tol = 1e-6 * (1 + land.peak / land.scale**2)  # "zero" for a curvature on this map
    if eig[0] > tol:
        return "min"
    if eig[1] < -tol:
        return "max"
    if eig[0] < -tol and eig[1] > tol:
        return "saddle"
    # Degenerate: look at f on a small circle around the point.
    angle = torch.linspace(0, 2 * torch.pi, 97, dtype=torch.float64)[:-1]
    r = 1e-3 * land.scale
    with torch.no_grad():
        ring = land.fn(q[0] + r * torch.cos(angle), q[1] + r * torch.sin(angle)).numpy() - value
    eps = 1e-12 * (1 + abs(value))
    up, down = ring.max() > eps, ring.min() < -eps
    return "degenerate-" + ("saddle" if up and down else "min" if up else "max" if down else "flat")


def _describe(c: dict) -> str:
    return (
        f"{c['kind']} at ({c['x']:.12f}, {c['y']:.12f}), f = {c['value']:.12g}, "
        f"Hessian eigenvalues ({c['eig'][0]:.6g}, {c['eig'][1]:.6g})"
    )


def listing_errors(name: str, land, found: list[dict]) -> list[str]:
    """What is wrong with the landscape's lists against the critical points found."""
    x0, x1, y0, y1 = land.window
    span = max(x1 - x0, y1 - y0)
    kinds = [c["kind"].removeprefix("degenerate-") for c in found]
    lowest = min(
        (c["value"] for c, k in zip(found, kinds, strict=True) if k == "min"), default=None
    )
    errors, matched = [], set()
    groups = {"minima": ("min", "local_min"), "saddles": ("saddle",), "maxima": ("max",)}
    for group, allowed in groups.items():
        for p in getattr(land, group, ()):  # a surface without a maxima field lists none
            where = f"listed {p.kind} ({p.x}, {p.y})"
            if p.kind not in allowed:
                errors.append(f"{where}: kind {p.kind!r} in {group}")
            if not (x0 < p.x < x1 and y0 < p.y < y1):
                errors.append(f"{where}: outside the window {land.window}")
                continue
            dist = [np.hypot(p.x - c["x"], p.y - c["y"]) for c in found]
            i = int(np.argmin(dist)) if dist else -1
            if i < 0 or dist[i] > 1e-6 * span:
                errors.append(f"{where}: not a critical point (nothing found within 1e-6·span)")
                continue
            if i in matched:
                errors.append(f"{where}: listed twice")
            matched.add(i)
            c, kind = found[i], kinds[i]
            if kind != ("min" if group == "minima" else allowed[0]):
                errors.append(f"{where}: is a {_describe(c)}")
            if abs(p.value - c["value"]) > 1e-9 * (1 + abs(c["value"])):
                errors.append(f"{where}: value {p.value!r}, f there is {float(c['value'])!r}")
            if group == "minima" and lowest is not None:
                is_lowest = c["value"] - lowest <= 1e-9 * (1 + abs(lowest))
                if is_lowest != (p.kind == "min"):
                    errors.append(
                        f"{where}: f = {c['value']:.12g} while the lowest minimum in the window"
                        f" has {lowest:.12g}, so it should be {'min' if is_lowest else 'local_min'}"
                    )
    unlisted = {}
    for i, (c, kind) in enumerate(zip(found, kinds, strict=True)):
        if i in matched:
            continue
        if (name, kind) in UNLISTED:
            unlisted[kind] = unlisted.get(kind, 0) + 1
        else:
            errors.append(f"missing: {_describe(c)}")
    for (surface, kind), count in UNLISTED.items():
        if surface == name and unlisted.get(kind, 0) != count:
            errors.append(f"{count} unlisted {kind} points expected, found {unlisted.get(kind, 0)}")
    degenerate = sum(c["kind"].startswith("degenerate") for c in found)
    if degenerate != DEGENERATE.get(name, 0):
        errors.append(
            f"{degenerate} degenerate critical points, {DEGENERATE.get(name, 0)} expected"
        )
    return errors


@pytest.mark.parametrize(
    ("name", "options"),
    CASES,
    ids=[f"{n}-kappa{o.kappa:g}" if n == "bowl" else n for n, o in CASES],
)
def test_every_critical_point_in_the_window_is_listed_as_what_it_is(name, options):
    land = landscapes.get(name, options)
    found = critical_points(land)
    assert found, f"{name}: no critical point found in the window"
    errors = listing_errors(name, land, found)
    assert not errors, f"{name}:\n  " + "\n  ".join(errors)


def test_every_surface_is_checked_or_excluded_with_a_reason():
    assert set(landscapes.NAMES) == {name for name, _ in CASES} | set(EXCLUDED)
    doc = landscapes.Landscape.__doc__
    assert "Rastrigin" in doc and "MAE" in doc and "custom" in doc  # the exclusions are visible


def test_the_finder_sees_what_it_must():
    """Newton from the grid finds a point not on the grid, a maximum and a degenerate saddle."""
    beale = critical_points(landscapes.get("beale"))
    assert any(abs(c["x"] - 0.1005379) < 1e-6 and c["kind"] == "saddle" for c in beale)
    him = critical_points(landscapes.get("himmelblau"))
    assert sorted(c["kind"] for c in him) == ["max"] + ["min"] * 4 + ["saddle"] * 4
    (monkey,) = critical_points(landscapes.get("monkey"))
    assert monkey["kind"] == "degenerate-saddle" and np.hypot(monkey["x"], monkey["y"]) < 1e-12


@pytest.mark.parametrize("seed", [None, 0, 1])
def test_regression_mse_minimum_is_the_least_squares_fit(seed):
    if seed is None:
        x, y = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])  # the default data
        land = landscapes.get("regression_mse")
    else:
        rng = np.random.default_rng(seed)
        x = rng.uniform(-2.0, 3.0, 30)
        y = 1.5 * x - 0.7 + rng.normal(0.0, 0.5, 30)
        land = landscapes.get("regression_mse", data=(x, y))
    w, b = np.polyfit(x, y, 1)
    (m,) = land.minima
    assert (m.kind, land.saddles, getattr(land, "maxima", ())) == ("min", (), ())
    np.testing.assert_allclose([m.x, m.y], [w, b], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(m.value, np.mean((w * x + b - y) ** 2), rtol=1e-9, atol=1e-12)
    (found,) = critical_points(land)
    assert found["kind"] == "min" and np.hypot(found["x"] - w, found["y"] - b) < 1e-9


def test_regression_mae_minimum_is_below_its_whole_grid():
    """The MAE is excluded above (a kink, no zero gradient); its listed minimum is still lowest."""
    land = landscapes.get("regression_mae")
    (m,) = land.minima
    x0, x1, y0, y1 = land.window
    assert x0 < m.x < x1 and y0 < m.y < y1
    assert land.grid(101).min() >= m.value - 1e-12

"""The optimizer race: runs equal plain torch loops, surfaces are what they claim, lessons hold."""

import dataclasses

import numpy as np
import pytest
import torch

from playground import landscapes, runs
from playground.i18n import UserError, t
from playground.optimizers import OPTIMIZERS, RunSpec
from playground.runs import RaceConfig


def plain_torch_loop(landscape, run, start, steps):
    """What a user would write: one tensor, one optimizer, zero_grad / backward / step."""
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = run.spec.build([p], dict(run.values))
    out = [p.detach().clone()]

    def closure():
        opt.zero_grad()
        value = landscape.fn(p[0], p[1])
        value.backward()
        return value

    for _ in range(steps):
        if isinstance(opt, torch.optim.LBFGS):
            opt.step(closure)
        else:
            closure()
            opt.step()
        out.append(p.detach().clone())
    return torch.stack(out).numpy()


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_each_run_equals_a_plain_torch_loop(name):
    land = landscapes.get("rosenbrock")
    run = RunSpec(name, (("lr", 1e-3 if name not in ("adadelta", "lbfgs") else 0.5),))
    steps = 10 if name == "lbfgs" else 60
    path = runs.run_optimizer(land, run, RaceConfig((-1.5, 2.0), steps))
    np.testing.assert_allclose(path.xy, plain_torch_loop(land, run, (-1.5, 2.0), steps), atol=1e-7)


def test_runs_raced_together_equal_runs_alone():
    land = landscapes.get("himmelblau")
    contestants = [RunSpec.parse(t) for t in (*land.race, "adam:lr=0.2,beta1=0.5", "sgd:lr=0.001")]
    config = RaceConfig(land.start, 200)
    together = runs.race(land, contestants, config)
    for run, path in zip(contestants, together, strict=True):
        alone = runs.run_optimizer(land, run, config)
        np.testing.assert_array_equal(path.xy, alone.xy)


@pytest.mark.parametrize("name", landscapes.NAMES)
def test_listed_minima_and_saddles_have_their_value_and_zero_gradient(name):
    land = landscapes.get(name)
    points = [*land.minima, *land.saddles]
    if not points:
        pytest.skip(f"{name} lists no critical points")
    xy = np.array([[p.x, p.y] for p in points])
    np.testing.assert_allclose(land.value(xy), [p.value for p in points], atol=1e-9)
    if name != "regression_mae":  # the MAE is not differentiable at its minimum (a kink)
        assert np.abs(land.gradient(xy)).max() < 1e-6


@pytest.mark.parametrize("name", landscapes.NAMES)
def test_minima_are_minima_and_saddles_are_saddles_by_hessian(name):
    land = landscapes.get(name)
    if name == "regression_mae" or not (land.minima or land.saddles):
        pytest.skip("no smooth critical points")
    for p in land.minima:
        assert land.hessian_eigenvalues(np.array([[p.x, p.y]]))[0, 0] > -1e-9
    for p in land.saddles:
        eig = land.hessian_eigenvalues(np.array([[p.x, p.y]]))[0]
        assert eig[0] <= 1e-9 <= eig[1] + 1e-9  # one direction down (or flat), one up


def test_himmelblau_has_four_minima_of_value_zero():
    land = landscapes.get("himmelblau")
    assert len(land.minima) == 4 and all(abs(m.value) < 1e-12 for m in land.minima)


def test_rastrigin_global_minimum_is_the_origin_and_local_minima_exist():
    land = landscapes.get("rastrigin")
    assert (land.minima[0].x, land.minima[0].y, land.minima[0].value) == (0.0, 0.0, 0.0)
    assert sum(m.kind == "local_min" for m in land.minima) == 120


def test_default_nesterov_and_adam_reach_the_rosenbrock_minimum():
    land = landscapes.get("rosenbrock")
    contestants = [RunSpec.parse(t) for t in land.race]
    paths = runs.race(land, contestants, RaceConfig((-1.5, 2.0), land.steps))
    for run, path in zip(contestants, paths, strict=True):
        if run.optimizer in ("nesterov", "adam"):
            assert np.hypot(*(path.xy[-1] - 1.0)) < 1e-2, run.label()


def test_saddle_preset_sgd_ends_higher_than_momentum():
    land = landscapes.get("saddle")
    contestants = [RunSpec.parse(t) for t in land.race]
    paths = dict(
        zip(
            [r.optimizer for r in contestants],
            runs.race(land, contestants, RaceConfig(land.start, land.steps)),
            strict=True,
        )
    )
    assert paths["sgd"].loss[-1] > paths["momentum"].loss[-1]
    assert paths["sgd"].diverged_at is None and paths["momentum"].diverged_at is None


def test_two_basin_momentum_crosses_to_the_global_minimum_sgd_does_not():
    land = landscapes.get("two_basin")
    contestants = [RunSpec.parse(t) for t in land.race]
    paths = runs.race(land, contestants, RaceConfig(land.start, land.steps))
    ends = {r.optimizer: p.xy[-1] for r, p in zip(contestants, paths, strict=True)}
    assert ends["momentum"][0] < 0 < ends["sgd"][0]


def _beale_saddle_at_0_1():
    land = landscapes.get("beale")
    (saddle,) = [s for s in land.saddles if (s.x, s.y) == (0.0, 1.0)]
    assert len(land.saddles) == 2 and land.minima[0].value == 0.0
    return land, saddle


def test_a_race_that_starts_high_above_every_saddle_escapes_none():
    """Beale's default start (f = 41.25) is far above both saddles (14.2 and 9.86): its runs
    fall past the saddles' levels at once, which is no escape from a saddle ("—")."""
    land, _ = _beale_saddle_at_0_1()
    contestants = [RunSpec.parse(t) for t in land.race]
    paths = runs.race(land, contestants, RaceConfig(land.start, 300))
    assert paths[0].loss[0] == pytest.approx(41.25)
    assert [runs.escape_step(land, p) for p in paths] == [None] * len(paths)


@pytest.mark.parametrize("text", ["sgd:lr=0.001", "momentum:lr=0.001", "adam:lr=0.01"])
def test_a_run_that_starts_on_a_saddles_level_escapes_when_clearly_below_it(text):
    """On the line x = 0 Beale is 14.203125 everywhere: a start there is at the (0, 1) saddle's
    level; the escape is the first step 10 % of its depth below it (its depth: 14.2 − 0)."""
    land, saddle = _beale_saddle_at_0_1()
    path = runs.run_optimizer(land, RunSpec.parse(text), RaceConfig((0.0, 1.2), 300))
    assert path.loss[0] == pytest.approx(saddle.value)
    expected = np.nonzero(path.loss < 0.9 * saddle.value)[0]
    assert expected.size  # it got away
    assert runs.escape_step(land, path) == expected[0] > 0


def test_the_saddle_lesson_escapes_are_those_a_student_sees():
    land = landscapes.get("saddle")
    contestants = [RunSpec.parse(t) for t in land.race]  # SGD, Momentum, Nesterov, RMSprop, Adam
    paths = runs.race(land, contestants, RaceConfig(land.start, land.steps))
    escaped = [runs.escape_step(land, p) for p in paths]
    assert escaped[0] is None  # SGD is still at the saddle after 100 steps
    for p, step in zip(paths[1:], escaped[1:], strict=True):  # the others got away
        assert step == np.nonzero(p.loss < -0.01 * land.peak)[0][0]


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_lr_10_on_rosenbrock_is_reported_diverged_without_raising(name):
    land = landscapes.get("rosenbrock")
    path = runs.run_optimizer(land, RunSpec(name, (("lr", 10.0),)), RaceConfig((-1.5, 2.0), 300))
    if name == "adadelta":
        # Adadelta's step is γ·sqrt(u + ε)/sqrt(v + ε)·g: it starts at about γ·1e-3 and grows
        # from its own history, so γ = 10 is no blow-up. It must still end finite.
        assert path.diverged_at is None and np.isfinite(path.xy).all()
    else:
        assert path.diverged_at is not None and path.diverged_at <= 5
    assert np.isfinite(path.xy).all() and len(path.xy) == (path.diverged_at or 301)


@pytest.mark.parametrize("name", ["lbfgs", "sgd"])
def test_a_run_stops_computing_once_it_has_blown_up(name):
    land = landscapes.get("rosenbrock")
    calls = []

    def counted(x, y):
        calls.append(1)
        return land.fn(x, y)

    counting = dataclasses.replace(land, fn=counted)
    path = runs.run_optimizer(
        counting, RunSpec(name, (("lr", 10.0),)), RaceConfig((-1.5, 2.0), 300)
    )
    assert path.diverged_at is not None
    # Every step evaluates f once (L-BFGS up to 25 times): 300 steps would be 300 to 7,500
    # calls. The loop ends at the first non-finite loss, a few steps after the run left the map.
    assert len(calls) < 100


def test_noise_is_seeded_and_the_same_for_every_run():
    land = landscapes.get("bowl")
    cfg = RaceConfig((-2.0, 1.0), 50, noise=0.5, seed=3)
    a = runs.race(land, [RunSpec.parse("sgd:lr=0.01"), RunSpec.parse("sgd:lr=0.01")], cfg)
    np.testing.assert_array_equal(a[0].xy, a[1].xy)
    b = runs.run_optimizer(
        land, RunSpec.parse("sgd:lr=0.01"), RaceConfig((-2.0, 1.0), 50, 0.5, 0, 4)
    )
    assert not np.array_equal(a[0].xy, b.xy)
    exact = runs.run_optimizer(land, RunSpec.parse("sgd:lr=0.01"), RaceConfig((-2.0, 1.0), 50))
    assert not np.array_equal(a[0].xy, exact.xy)


def test_lbfgs_gets_the_same_noise_as_every_other_run_one_draw_per_step():
    land = landscapes.get("bowl")
    cfg = RaceConfig((-2.0, 1.0), 8, noise=0.5, seed=3)
    sgd, lbfgs = runs.race(land, [RunSpec.parse("sgd:lr=0.01"), RunSpec.parse("lbfgs")], cfg)
    # The draws a user would make: one N(0, σ²) pair per step from the seeded generator.
    gen = torch.Generator().manual_seed(3)
    draws = [0.5 * torch.randn(2, generator=gen, dtype=torch.float64) for _ in range(8)]
    # SGD's steps reveal the noise it got: x_{t+1} = x_t − γ(∇f(x_t) + n_t).
    implied = (sgd.xy[:-1] - sgd.xy[1:]) / 0.01 - sgd.grad[:-1]  # (T, 2)
    np.testing.assert_allclose(implied, torch.stack(draws).numpy(), atol=1e-9)
    # L-BFGS by hand, every evaluation inside step t disturbed by the same n_t.
    p = torch.tensor(cfg.start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([p])
    xy = [p.detach().clone()]
    for n in draws:

        def closure(n=n):
            opt.zero_grad()
            value = land.fn(p[0], p[1])
            value.backward()
            p.grad.add_(n)
            return value

        opt.step(closure)
        xy.append(p.detach().clone())
    np.testing.assert_allclose(lbfgs.xy, torch.stack(xy).numpy(), rtol=1e-12, atol=1e-12)


def test_clipping_bounds_every_step():
    land = landscapes.get("rosenbrock")
    path = runs.run_optimizer(
        land, RunSpec.parse("sgd:lr=0.01"), RaceConfig((-1.5, 2.0), 20, clip=1.0)
    )
    steps = np.linalg.norm(np.diff(path.xy, axis=0), axis=1)
    assert steps.max() <= 0.01 + 1e-12
    assert path.diverged_at is None


def test_basin_map_on_himmelblau_finds_all_four_minima_and_equals_single_runs():
    land = landscapes.get("himmelblau")
    run = RunSpec.parse("sgd:lr=0.01")
    basins = runs.basin_map(land, run, n=12, steps=200)
    assert set(np.unique(basins.label)) == {0, 1, 2, 3}
    for j, i in [(0, 0), (5, 7), (11, 3)]:
        alone = runs.run_optimizer(land, run, RaceConfig((basins.xs[i], basins.ys[j]), 200))
        np.testing.assert_allclose(basins.final[j, i], alone.xy[-1], atol=1e-9)


def test_basin_map_refuses_lbfgs_with_a_reason():
    with pytest.raises(UserError) as err:
        runs.basin_map(landscapes.get("himmelblau"), RunSpec("lbfgs"), n=5, steps=5)
    assert "LBFGS" in err.value.message() or "L-BFGS" in err.value.message()


def test_basin_map_labels_divergence():
    basins = runs.basin_map(landscapes.get("rosenbrock"), RunSpec.parse("sgd:lr=0.01"), 6, 50)
    assert (basins.label == runs.DIVERGED).any()


def test_run_spec_text_round_trip_and_errors():
    run = RunSpec.parse("sgd:lr=0.001,momentum=0.9,nesterov=true")
    assert RunSpec.parse(run.to_text()) == run
    assert run.settings["nesterov"] is True and run.settings["dampening"] == 0.0
    for bad, key in [
        ("adamm", "err_unknown_optimizer"),
        ("adam:lr=abc", "err_setting_number"),
        ("adam:foo=1", "err_unknown_setting"),
        ("adam:lr=-1", "err_setting_range"),
        ("adam:lr", "err_run_syntax"),
        ("sgd:nesterov=maybe", "err_setting_bool"),
    ]:
        with pytest.raises(UserError) as err:
            RunSpec.parse(bad)
        assert err.value.key == key


def test_race_config_bounds():
    for kwargs in [
        {"steps": 0},
        {"steps": 10**6},
        {"start": (float("nan"), 0.0)},
        {"noise": -1.0},
        {"start": (1e9, 0.0)},
    ]:
        with pytest.raises(UserError):
            RaceConfig(**{"start": (0.0, 0.0), **kwargs})


def test_path_frame_columns():
    path = runs.run_optimizer(landscapes.get("bowl"), RunSpec("adam"), RaceConfig((1.0, 1.0), 3))
    assert list(path.to_frame().columns) == ["step", "x", "y", "loss"]


def test_every_setting_in_range_is_accepted_by_torch():
    # The registry's bounds are the user's: torch must take both ends (Rprop refused
    # eta_minus = 0 or 1 and eta_plus = 1, which the bounds allowed).
    # A combination torch refuses is refused first by RunSpec, with a message.
    p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    for spec in OPTIMIZERS.values():
        for s in spec.settings:
            if s.kind == "bool":
                continue
            for value in (s.low, s.high):
                try:
                    run = RunSpec(spec.key, ((s.name, value),))
                except UserError as e:
                    assert e.key == "err_nesterov", (spec.key, s.name, value)
                    continue
                run.spec.build([p], dict(run.values))


@pytest.mark.parametrize(
    ("formula", "key"),
    [
        ("x**x**x**x**x**x", "err_start_value"),  # overflows at the start (1.8, 1.8)
        ("exp(exp(exp(exp(x))))", "err_start_value"),
        ("10**10**10", "err_expr_not_finite"),  # infinite everywhere: nothing to draw
    ],
)
def test_a_formula_that_overflows_is_a_message_not_a_crash(formula, key):
    # Every run used to stop before its first step, and the map's first frame was empty
    # (IndexError in the figure: "Something went wrong").
    options = landscapes.SurfaceOptions(formula=formula)
    with pytest.raises(UserError) as caught:
        land = landscapes.get("custom", options)
        runs.race(land, [RunSpec.parse("sgd"), RunSpec.parse("adam")], RaceConfig(land.start, 20))
    assert caught.value.key == key
    # from a start where f and its gradient are finite, the race runs (and may diverge: a
    # lesson, with the path up to there)
    if key == "err_start_value":
        land = landscapes.get("custom", options)
        paths = runs.race(land, [RunSpec.parse("sgd:lr=1e-6")], RaceConfig((0.5, 0.5), 5))
        assert len(paths[0].xy) >= 1 and np.isfinite(paths[0].loss).all()


def test_race_labels_name_momentum_in_the_class_language():
    from playground.optimizers import RunSpec

    assert RunSpec.parse("momentum").label("en").startswith("Momentum lr=")
    assert RunSpec.parse("momentum").label("zh").startswith("动量 lr=")
    assert RunSpec.parse("nesterov").label("zh").startswith("Nesterov 动量 lr=")
    assert RunSpec.parse("adam").label("zh").startswith("Adam lr=")  # a name, not a word


def test_hessians_along_a_path_are_exact_in_batches_of_bounded_memory(monkeypatch):
    """The Hessian of f = x²·y + sin(y) is [[2y, 2x], [2x, −sin y]]: its eigenvalues along a
    path, computed a few points at a time when each value of f is costly (a regression surface
    over many data points), are the hand-derived ones, and no batch exceeds the bound."""
    import torch

    from playground import landscapes

    land = landscapes.Landscape("t", lambda x, y: x**2 * y + torch.sin(y), (-2, 2, -2, 2), (0, 0))
    rng = np.random.default_rng(0)
    xy = rng.uniform(-2, 2, (301, 2))
    expected = np.array([np.linalg.eigvalsh([[2 * b, 2 * a], [2 * a, -np.sin(b)]]) for a, b in xy])
    batches = []
    vmap = torch.vmap

    def counting(fn):
        inner = vmap(fn)

        def run(points):
            batches.append(len(points))
            return inner(points)

        return run

    monkeypatch.setattr(torch, "vmap", counting)
    np.testing.assert_allclose(land.hessian_eigenvalues(xy), expected, rtol=1e-12, atol=1e-12)
    assert batches == [301]  # one batch when a value costs little
    batches.clear()
    costly = landscapes.Landscape(land.key, land.fn, land.window, land.start, terms=100_000)
    monkeypatch.setattr(landscapes, "HESSIAN_BATCH", 4_000_000)
    np.testing.assert_allclose(costly.hessian_eigenvalues(xy), expected, rtol=1e-12, atol=1e-12)
    assert max(batches) * 100_000 <= 4_000_000 and sum(batches) == 301


def test_the_mae_surface_over_its_data_counts_its_terms():
    from playground import landscapes

    x = np.linspace(0, 1, 5000)
    mae = landscapes.get("regression_mae", data=(x, 2 * x))
    mse = landscapes.get("regression_mse", data=(x, 2 * x))
    assert mae.terms == 5000 and mse.terms == 1


def test_the_results_table_names_optimizers_in_the_students_language():
    # a fresh-eyes teacher: the zh table said "Momentum" while the legend said 动量
    from playground import landscapes, runs
    from playground.optimizers import RunSpec

    land = landscapes.get("saddle")
    specs = [RunSpec.parse("momentum:lr=0.01"), RunSpec.parse("adam:lr=0.01")]
    paths = runs.race(land, specs, runs.RaceConfig(land.start, 5))
    zh = runs.race_table(land, specs, paths, lang="zh")
    assert list(zh["optimizer"]) == ["动量", "Adam"]
    assert zh["run"][0].startswith("动量")
    assert list(runs.race_table(land, specs, paths)["optimizer"]) == ["Momentum", "Adam"]


def test_a_run_leaving_a_surface_of_your_own_is_not_told_of_a_saddle():
    # the fresh-eyes teacher: x**x**x**x got "going downhill away from the saddle never ends"
    from playground.i18n import t
    from tests.test_links import open_link

    at = open_link("race", {"surface": "custom", "formula": "-(x**2) - y**2", "steps": "200"})
    said = [w.value for w in at.warning]
    marker = t("race_left_unknown", "en", run="", step=0).split("step")[0][2:]
    assert any(marker in w for w in said), said
    assert not any("saddle" in w for w in said)


def test_a_new_surface_says_that_its_own_start_steps_and_contestants_were_set():
    # a fresh-eyes teacher set steps 150 and a start, picked Himmelblau, and found them changed
    # with no word of it
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "pages"))
    from tests.test_app import open_view

    at = open_view("race.py")
    at.number_input(key="steps").set_value(150).run()
    at.selectbox(key="surface").set_value("himmelblau").run()
    assert not at.exception
    said = [toast.value for toast in at.toast]
    assert t("race_surface_set", "en", surface=t("surface_himmelblau", "en")) in said, said
    assert at.number_input(key="steps").value != 150  # (set: and said)


def test_every_surfaces_start_is_a_number_as_a_person_writes_it():
    # a fresh-eyes teacher: Start x showed -0.39999999999… on the regression MAE surface
    for name in landscapes.NAMES:
        land = landscapes.get(name)
        for value in land.start:
            assert float(f"{value:.6g}") == value, (name, value)


def test_a_formula_undefined_on_part_of_the_window_races_without_a_crash():
    # a fresh-eyes teacher typed log(x): torch's L-BFGS, polishing the surface's lowest point,
    # stepped to x < 0 (NaN) and its strong-Wolfe search raised IndexError; the race, its
    # table and its loss plot were replaced by "Something went wrong"
    land = landscapes.get("custom", landscapes.SurfaceOptions(formula="log(x)"))
    low = land.lowest  # (the grid's lowest point where log is defined: no polish)
    _, x1, y0, y1 = land.window
    assert 0 < low.x < x1 and y0 < low.y < y1 and np.isfinite(low.value)
    assert low.value == pytest.approx(np.log(low.x))
    specs = [RunSpec.parse("sgd"), RunSpec.parse("adam")]
    paths = runs.race(land, specs, RaceConfig(land.start, 20))
    table = runs.race_table(land, specs, paths, 1e-3, "en")
    assert len(table) == 2


def test_a_start_at_a_saddles_level_going_away_from_it_escapes_no_saddle():
    # a fresh-eyes teacher: Himmelblau from (0, -0.5) (f = 177.8; the saddle near (-0.13, -1.95)
    # is at 178.3, 1.45 away, and every run goes up and right, away from it): "RMSprop escaped
    # the saddle at step 1"
    land = landscapes.get("himmelblau")
    (saddle,) = [s for s in land.saddles if abs(s.value - 178.3) < 0.5]
    for text in ("sgd", "rmsprop", "adam"):
        path = runs.run_optimizer(land, RunSpec.parse(text), RaceConfig((0.0, -0.5), 50))
        assert abs(path.loss[0] - saddle.value) < 1  # at its level
        gone = np.hypot(path.xy[:2, 0] - saddle.x, path.xy[:2, 1] - saddle.y)
        assert gone[1] > gone[0] > 1.4  # far from it, and going away
        assert runs.escape_step(land, path) is None, text
    # beside it, on the same surface: an escape
    near = runs.run_optimizer(
        land, RunSpec.parse("sgd:lr=0.001"), RaceConfig((saddle.x + 0.05, saddle.y), 300)
    )
    assert runs.escape_step(land, near) is not None

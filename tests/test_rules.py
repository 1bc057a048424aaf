"""The update rules the race view shows are executable, and torch.optim does what they say.

Each rule in playground.rules has a float64 numpy reference written from its LaTeX. Here the
reference and the torch optimizer take the same gradients (random, with sign flips, zeros and
the first step) and must agree to 1e-10 at every one of 50 steps, for every registry entry and
the settings its card mentions, with torch's default implementation, foreach=False and
foreach=True. L-BFGS calls a closure, so it runs on smooth float64 functions instead.
"""

from __future__ import annotations

import ast
import inspect
import re
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch

from playground import rules
from playground.optimizers import OPTIMIZERS
from playground.rules import RULES

STEPS = 50
TOL = 1e-10
N = 5  # parameters per test
PLAYGROUND = Path(rules.__file__).parent


@pytest.fixture
def float64_state():
    """Torch's scalar state in float64, as the parameters.

    torch keeps some scalars of its state in the default dtype: ASGD's η and averaging weight,
    NAdam's product of μ's (and the step counters, which stay exact). In float32 they are
    rounded at ~6e-8 relative, far above 1e-10 (test_float32_state_is_the_only_gap).
    """
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


def gradients(seed: int, steps: int = STEPS, n: int = N) -> np.ndarray:
    """Random float64 gradients (steps, n) that exercise every branch of the rules.

    Coordinates 0 and 1 flip sign at every step (in opposite phase), 2 keeps its sign, 3 is
    random and 4 is exactly zero every 7th step, from the first. Magnitudes span e^-3 … e^2.
    """
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(steps, n)) * np.exp(rng.uniform(-3, 2, size=(steps, n)))
    flip = np.where(np.arange(steps) % 2 == 0, 1.0, -1.0)
    g[:, 0] = np.abs(g[:, 0]) * flip
    g[:, 1] = -np.abs(g[:, 1]) * flip
    g[:, 2] = np.abs(g[:, 2])
    g[::7, 4] = 0.0
    return g


def accepts(key: str, argument: str) -> bool:
    return argument in inspect.signature(OPTIMIZERS[key].cls).parameters


# Settings each card mentions, beyond the generic cases (defaults, each boolean flipped, weight
# decay, maximize). SGD's nesterov needs momentum > 0 and dampening 0 (torch refuses otherwise).
EXTRA: dict[str, list[dict]] = {
    "sgd": [
        {"momentum": 0.9},
        {"momentum": 0.9, "dampening": 0.5},
        {"momentum": 0.9, "nesterov": True},
        {"dampening": 0.5},  # no effect without momentum
        {"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.1, "maximize": True},
    ],
    "momentum": [
        {"dampening": 0.5},
        {"momentum": 0.0},
        {"momentum": 0.99, "dampening": 0.5, "weight_decay": 0.1},
        {"nesterov": True, "weight_decay": 0.1, "maximize": True},
    ],
    "nesterov": [
        {"momentum": 0.5},
        {"nesterov": False, "dampening": 0.5},
        {"momentum": 0.99, "weight_decay": 0.1, "maximize": True},
    ],
    "rmsprop": [
        {"momentum": 0.9},
        {"centered": True, "momentum": 0.9},
        {"centered": True, "weight_decay": 0.1, "maximize": True},
        {"alpha": 0.5, "eps": 1e-3},
    ],
    "adam": [
        {"amsgrad": True, "weight_decay": 0.1},
        {"amsgrad": True, "maximize": True},
        {"beta1": 0.5, "beta2": 0.9, "eps": 1e-3},
    ],
    "adamw": [
        {"weight_decay": 0.0},
        {"weight_decay": 1.0, "amsgrad": True, "maximize": True},
        {"beta1": 0.5, "beta2": 0.9, "eps": 1e-3},
    ],
    "adagrad": [
        {"lr_decay": 0.1},
        {"lr_decay": 0.1, "weight_decay": 0.1, "maximize": True},
        {"eps": 1e-3},
    ],
    "adadelta": [{"rho": 0.5}, {"eps": 1e-3}, {"lr": 0.1}],
    "adamax": [{"beta1": 0.5, "beta2": 0.9}, {"eps": 0.1}],
    "nadam": [
        {"momentum_decay": 0.1},
        {"momentum_decay": 0.0},
        {"beta1": 0.5, "beta2": 0.9, "eps": 1e-3},
    ],
    "radam": [
        {"beta2": 0.9},  # rectified (ρ_t > 5) from the third step
        {"beta1": 0.5, "eps": 1e-2},
        {"beta2": 0.99999, "weight_decay": 0.1, "maximize": True},
        {"beta2": 0.9999, "eps": 1e-4},  # where ε sits matters while 1 − β₂ᵗ is small
    ],
    "asgd": [
        {"t0": 10.0},  # the average θ̄ starts within the 50 steps
        {"t0": 0.0, "lambd": 0.1},
        {"lambd": 0.5, "alpha": 1.5},
        {"t0": 10.0, "weight_decay": 0.1, "maximize": True},
    ],
    "rprop": [
        {"eta_minus": 0.3, "eta_plus": 2.0},
        {"step_max": 0.05},  # δ clipped from above
        {"lr": 0.5, "step_max": 0.1},  # even δ_1
        {"lr": 1e-4, "step_min": 1e-3},  # δ clipped from below
    ],
}


def cases(key: str) -> list[dict]:
    """Setting combinations for an elementwise optimizer: its defaults, each boolean flipped,
    nonzero weight decay, maximize (where torch has it) and the card's own settings."""
    spec = OPTIMIZERS[key]
    names = {s.name for s in spec.settings}
    out: list[dict] = [{}]
    for s in spec.settings:
        if s.kind == "bool":
            flipped = {s.name: not s.default}
            if s.name == "nesterov" and flipped["nesterov"]:
                flipped["momentum"] = 0.9
            out.append(flipped)
    if "weight_decay" in names:
        out.append({"weight_decay": 0.1})
    if accepts(key, "maximize"):
        out.append({"maximize": True})
        if "weight_decay" in names:
            out.append({"maximize": True, "weight_decay": 0.1})
    out += EXTRA.get(key, [])
    return out


ELEMENTWISE = sorted(k for k, spec in OPTIMIZERS.items() if spec.elementwise)
CLOSURE = sorted(k for k, spec in OPTIMIZERS.items() if not spec.elementwise)
CASES = [(key, values) for key in ELEMENTWISE for values in cases(key)]


def case_id(values: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in values.items()) or "defaults"


def follow(key: str, values: dict, foreach: bool | None, seed: int):
    """Run the rule's reference and torch on the same gradients.

    Returns the two trajectories (STEPS + 1, N), the reference and the torch optimizer.
    """
    spec = OPTIMIZERS[key]
    reference = RULES[key].start({**spec.defaults(), **values})
    rng = np.random.default_rng(seed + 1)
    theta = rng.normal(size=N)
    p = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    options = dict(values) if foreach is None else {**values, "foreach": foreach}
    opt = spec.build([p], options)
    ours, theirs = [theta], [theta]
    averages = []  # ASGD's θ̄: (reference, torch) after each step
    for g in gradients(seed):
        theta = reference.step(theta, g)
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        ours.append(theta)
        theirs.append(p.detach().numpy().copy())
        if key == "asgd":
            averages.append((reference.average, opt.state[p]["ax"].numpy().copy()))
    return np.array(ours), np.array(theirs), averages


def assert_same_path(ours: np.ndarray, theirs: np.ndarray, what: str, tol: float = TOL) -> None:
    """Step by step, so a failure names the first step where the rule and torch part."""
    for t, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=f"{what}, step {t}")


# ------------------------------------------------------------------ every registry entry


@pytest.mark.parametrize("key", sorted(OPTIMIZERS))
def test_every_registry_entry_has_a_rule(key):
    """A new optimizer in the registry fails here until its rule and reference are written."""
    assert key in RULES, f"no update rule for {key!r} in playground.rules.RULES"
    rule = RULES[key]
    assert OPTIMIZERS[key].latex == rule.latex  # one source of truth
    assert rule.closure == (not OPTIMIZERS[key].elementwise)
    if not rule.closure:
        assert cases(key), key


def test_no_rule_without_a_registry_entry():
    assert set(RULES) == set(OPTIMIZERS)


@pytest.mark.parametrize("key", ELEMENTWISE)
def test_cases_change_every_setting(key):
    """Every setting of the card is set away from its default in at least one case."""
    changed = {name for values in cases(key) for name in values}
    assert {s.name for s in OPTIMIZERS[key].settings} <= changed | {"lr"}


@pytest.mark.parametrize("foreach", [None, False, True], ids=["default", "no-foreach", "foreach"])
@pytest.mark.parametrize(("key", "values"), CASES, ids=[f"{k}:{case_id(v)}" for k, v in CASES])
def test_rule_follows_torch(key, values, foreach, float64_state):
    """50 steps of the rule as displayed equal 50 steps of torch.optim, to 1e-10."""
    if foreach is not None and not accepts(key, "foreach"):
        pytest.skip(f"{key} has no foreach option")
    seed = zlib.crc32(f"{key}:{case_id(values)}".encode())
    ours, theirs, averages = follow(key, values, foreach, seed)
    assert_same_path(ours, theirs, f"{key} {values} foreach={foreach}")
    for t, (a, b) in enumerate(averages, start=1):
        np.testing.assert_allclose(a, b, rtol=TOL, atol=TOL, err_msg=f"ASGD θ̄, step {t}")


@pytest.mark.parametrize("key", ELEMENTWISE)
def test_float32_state_is_the_only_gap(key):
    """With torch's default float32 scalar state the rules still agree, to float32 rounding."""
    assert torch.get_default_dtype() == torch.float32
    ours, theirs, _ = follow(key, {}, None, seed=7)
    assert_same_path(ours, theirs, key, tol=1e-6)


# ------------------------------------------------------------------ the audit's regressions


def test_rprop_skips_the_step_after_a_sign_flip(float64_state):
    """Rprop(lr=1.5), gradients +1 then −1 from 1: torch stays at −0.5 on the flip.

    The old card stepped with the shrunk δ = 0.75 and went back to 0.25.
    """
    p = torch.tensor([1.0], requires_grad=True)
    opt = torch.optim.Rprop([p], lr=1.5)
    reference = RULES["rprop"].start({**OPTIMIZERS["rprop"].defaults(), "lr": 1.5})
    theta = np.array([1.0])
    for g in (1.0, -1.0):
        p.grad = torch.tensor([g])
        opt.step()
        theta = reference.step(theta, np.array([g]))
    assert p.item() == -0.5
    assert theta[0] == -0.5
    assert reference.delta[0] == 0.75  # δ shrank, and is used from the next step


def test_nadam_first_step_is_1_056_lr(float64_state):
    """NAdam's first step is 1.056·γ (torch's μ_1, μ_2); reading m̂_t as m_t/(1 − β₁ᵗ), as the
    old card allowed, gave 1.45·γ."""
    spec = OPTIMIZERS["nadam"]
    lr = spec.defaults()["lr"]
    p = torch.tensor([0.0], requires_grad=True)
    opt = spec.build([p], {})
    p.grad = torch.tensor([1.0])
    opt.step()
    first = -p.item() / lr
    assert first == pytest.approx(1.056, abs=1e-3)
    reference = RULES["nadam"].start(spec.defaults())
    assert -reference.step(np.array([0.0]), np.array([1.0]))[0] / lr == pytest.approx(
        first, rel=1e-12
    )
    mu1, mu2 = reference.mu(1), reference.mu(2)
    old = mu2 * 1.0 + (1 - mu1) * 1.0 / (1 - mu1)  # m̂_1 = m_1/(1 − β₁) = g = 1
    assert old == pytest.approx(1.45, abs=1e-2)


def test_radam_epsilon_sits_beside_the_raw_root(float64_state):
    """torch: l_t = √(1 − β₂ᵗ)/(√v_t + ε); the old card's r_t/(√v̂_t + ε) is another step."""
    spec = OPTIMIZERS["radam"]
    values = {"eps": 0.1}  # large enough to tell the placements apart
    settings = {**spec.defaults(), **values}
    p = torch.tensor([0.0], requires_grad=True)
    opt = spec.build([p], values)
    reference = RULES["radam"].start(settings)
    theta, g = np.array([0.0]), np.array([0.01])
    b2, eps, lr = settings["beta2"], settings["eps"], settings["lr"]
    t = 10
    for _ in range(t):
        before = p.item()
        p.grad = torch.tensor(g)
        opt.step()
        theta = reference.step(theta, g)
        assert theta[0] == pytest.approx(p.item(), rel=1e-12, abs=1e-15)
    # step t = 10 is rectified (ρ_10 > 5); constant g gives m̂ = g and v_t = (1 − β₂ᵗ) g²
    rho_inf = 2 / (1 - b2) - 1
    rho = rho_inf - 2 * t * b2**t / (1 - b2**t)
    assert rho > 5
    r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    v = (1 - b2**t) * g[0] ** 2
    new = lr * g[0] * r * np.sqrt(1 - b2**t) / (np.sqrt(v) + eps)
    old = lr * g[0] * r / (np.sqrt(v / (1 - b2**t)) + eps)
    assert before - p.item() == pytest.approx(new, rel=1e-9)
    assert abs(old - new) > 1e-3 * new


def test_asgd_eta_at_step_t(float64_state):
    """ASGD steps with η_t = γ/(1 + λγ(t − 1))^α: the first step is γ, not γ/(1 + λγ)^α."""
    spec = OPTIMIZERS["asgd"]
    values = {"lr": 0.1, "lambd": 0.5, "alpha": 0.75}
    settings = {**spec.defaults(), **values}
    p = torch.tensor([0.0], requires_grad=True)
    opt = spec.build([p], values)
    reference = RULES["asgd"].start(settings)
    theta, g = np.array([0.0]), np.array([1.0])
    lr, lambd, alpha = 0.1, 0.5, 0.75
    for t in range(1, 6):
        before = p.item()
        p.grad = torch.tensor(g)
        opt.step()
        theta = reference.step(theta, g)
        eta = lr / (1 + lambd * lr * (t - 1)) ** alpha
        assert p.item() == pytest.approx((1 - lambd * eta) * before - eta, rel=1e-12)
        assert theta[0] == pytest.approx(p.item(), rel=1e-12)
        if t == 1:
            assert p.item() == -lr  # the old card: −γ/(1 + λγ)^α ≈ −0.0964
            assert -lr / (1 + lambd * lr) ** alpha != pytest.approx(p.item(), rel=1e-3)


# ------------------------------------------------------------------ L-BFGS (a closure)

_RNG = np.random.default_rng(3)
_Q, _ = np.linalg.qr(_RNG.normal(size=(N, N)))
A = _Q @ np.diag(np.geomspace(0.5, 5.0, N)) @ _Q.T  # a random SPD matrix, condition number 10
B = _RNG.normal(size=N)


def rosenbrock(x):
    """f and its gradient at x (2,): Rosenbrock's valley, minimum at (1, 1)."""
    f = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
    grad = np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])
    return f, grad


def rosenbrock_torch(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def quadratic(x):
    """½ xᵀAx − bᵀx and its gradient at x (N,)."""
    return 0.5 * x @ A @ x - B @ x, A @ x - B


def quadratic_torch(p):
    return 0.5 * p @ torch.tensor(A) @ p - torch.tensor(B) @ p


def waves(x):
    """Σ cos 3x + 0.1‖x‖² at x (N,): non-convex, so some curvature pairs are skipped."""
    return np.cos(3 * x).sum() + 0.1 * (x**2).sum(), -3 * np.sin(3 * x) + 0.2 * x


def waves_torch(p):
    return torch.cos(3 * p).sum() + 0.1 * (p**2).sum()


def parabola(x):
    """2x² at x (1,): L-BFGS's second iteration is an exact Newton step to 0."""
    return 2 * x @ x, 4 * x


def parabola_torch(p):
    return 2 * p @ p


FUNCTIONS = {
    "rosenbrock": (rosenbrock, rosenbrock_torch),
    "quadratic": (quadratic, quadratic_torch),
    "waves": (waves, waves_torch),
    "parabola": (parabola, parabola_torch),
}
LBFGS_CASES = [
    {},
    {"lr": 0.1},
    {"max_iter": 1},
    {"max_iter": 2},  # torch's max_eval = ⌊5·2/4⌋ = 2 ends each step after one iteration
    {"max_iter": 3},
    {"history_size": 1},
    {"history_size": 2},
    {"lr": 0.5, "max_iter": 5, "history_size": 3},
]
QUADRATIC_START = np.random.default_rng(5).normal(size=N)
WAVES_START = np.random.default_rng(6).normal(size=N)
# (function, start, settings). Well-conditioned: torch itself, started one ulp away, stays
# within 1e-11 of its own path, so 1e-10 is a meaningful and portable tolerance.
STRICT = [
    *(("quadratic", QUADRATIC_START, values) for values in LBFGS_CASES),
    *(("rosenbrock", (0.5, 0.5), LBFGS_CASES[i]) for i in (0, 1, 2, 3, 4, 7)),
    *(("waves", WAVES_START, LBFGS_CASES[i]) for i in (0, 1, 7)),
    ("quadratic", np.linalg.solve(A, B), {}),  # at the minimum: ‖g‖∞ ≤ 1e-7, no move
    ("parabola", (1.5,), {}),  # an exact Newton step: ‖g‖∞ ≤ 1e-7 inside a step
    ("parabola", (1e-4,), {"lr": 1e-6}),  # ‖t d‖∞ ≤ 1e-9 ends each step
]
# Fixed-step L-BFGS amplifies rounding here: torch itself, started one ulp away, ends up to
# ~3e-7 apart (Rosenbrock's classic start). The rule must agree within 10× that sensitivity.
# (From there with history_size=1 torch is chaotic: one ulp moves it by 2, so it is left out.)
SENSITIVE = [
    *(("rosenbrock", (-1.2, 1.0), LBFGS_CASES[i]) for i in (0, 1, 2, 3, 4, 6, 7)),
    *(("rosenbrock", (0.5, 0.5), LBFGS_CASES[i]) for i in (5, 6)),
    *(("waves", WAVES_START, LBFGS_CASES[i]) for i in (2, 3, 4)),
]


def scenario_id(scenario) -> str:
    function, start, values = scenario
    return f"{function}({', '.join(f'{x:.3g}' for x in start)}):{case_id(values)}"


def follow_closure(key: str, function: str, start, values: dict):
    """.step(closure) STEPS times on the reference and on torch (line_search_fn=None).

    Returns both trajectories (STEPS + 1, n), the pairs (rule, torch) of inner-iteration counts
    after each step, and the reference.
    """
    spec = OPTIMIZERS[key]
    numpy_fn, torch_fn = FUNCTIONS[function]
    theta = np.array(start, dtype=np.float64)
    reference = RULES[key].start({**spec.defaults(), **values})
    p = torch.tensor(theta, requires_grad=True)
    opt = spec.build([p], values)
    assert opt.defaults["line_search_fn"] is None

    def closure():
        opt.zero_grad()
        value = torch_fn(p)
        value.backward()
        return value

    ours, theirs, counts = [theta], [theta], []
    for _ in range(STEPS):
        theta = reference.step(theta, numpy_fn)
        opt.step(closure)
        ours.append(theta)
        theirs.append(p.detach().numpy().copy())
        counts.append((reference.k, opt.state[p].get("n_iter", 0)))
    return np.array(ours), np.array(theirs), counts, reference


def torch_sensitivity(key: str, function: str, start, values: dict) -> float:
    """How far torch's own path moves when the start moves by one ulp (a relative 2⁻⁵²)."""
    start = np.array(start, dtype=np.float64)
    _, theirs, _, _ = follow_closure(key, function, start, values)
    _, nudged, _, _ = follow_closure(key, function, start * (1 + 2**-52), values)
    return float(np.abs(nudged - theirs).max())


def assert_same_counts(counts) -> None:
    for t, (k, n_iter) in enumerate(counts, start=1):
        assert k == n_iter, f"inner iterations after step {t}: rule {k}, torch {n_iter}"


@pytest.mark.parametrize("scenario", STRICT, ids=scenario_id)
@pytest.mark.parametrize("key", CLOSURE)
def test_closure_rule_follows_torch(key, scenario):
    """50 .step(closure) calls of the rule as displayed equal torch's, to 1e-10, with the same
    number of inner iterations in each (where 1e-10 is 10× above torch's own rounding noise)."""
    assert torch_sensitivity(key, *scenario) < 1e-11, "not a well-conditioned scenario"
    ours, theirs, counts, _ = follow_closure(key, *scenario)
    assert_same_counts(counts)
    assert_same_path(ours, theirs, f"{key} {scenario_id(scenario)}")


@pytest.mark.parametrize("scenario", SENSITIVE, ids=scenario_id)
def test_lbfgs_where_rounding_is_amplified(scenario):
    """Where fixed-step L-BFGS amplifies rounding, the rule stays within 10× torch's own
    sensitivity to a one-ulp nudge of the start (1e-10 where that is smaller), with exactly
    torch's inner-iteration counts."""
    sensitivity = torch_sensitivity("lbfgs", *scenario)
    assert sensitivity < 1e-6, "too chaotic a scenario to compare paths"
    ours, theirs, counts, _ = follow_closure("lbfgs", *scenario)
    assert_same_counts(counts)
    assert_same_path(ours, theirs, scenario_id(scenario), tol=max(TOL, 10 * sensitivity))


def test_lbfgs_scenarios_reach_every_branch():
    """Across the scenarios the reference keeps, evicts and skips pairs and meets every stop."""
    stops: dict[str, int] = {}
    skipped = evicted = 0
    for function, start, values in STRICT + SENSITIVE:
        reference = RULES["lbfgs"].start({**OPTIMIZERS["lbfgs"].defaults(), **values})
        theta = np.array(start, dtype=np.float64)
        for _ in range(STEPS):
            theta = reference.step(theta, FUNCTIONS[function][0])
        for reason, count in reference.stops.items():
            stops[reason] = stops.get(reason, 0) + count
        skipped += reference.skipped
        kept = reference.k - 1 - reference.skipped  # the first iteration makes no pair
        evicted += kept > reference.history_size
    assert skipped and evicted
    assert set(stops) == {"gradient", "not descent", "max_iter", "max_eval", "step", "f change"}


def test_lbfgs_line_search_is_not_reproduced():
    """The reference covers torch's default (no line search); the card says so."""
    with pytest.raises(NotImplementedError):
        RULES["lbfgs"].start({**OPTIMIZERS["lbfgs"].defaults(), "strong_wolfe": True})
    from playground.i18n import LANGUAGES, t

    for lang in LANGUAGES:  # the card's note says so, in every language
        assert "strong_wolfe" in t("note_lbfgs", lang)


# ------------------------------------------------------------------ what the rules are for


@pytest.mark.parametrize("module", ["runs", "landscapes", "training", "convnet"])
def test_runs_step_torch_not_the_references(module):
    """No run module imports playground.rules: runs always step torch.optim."""
    tree = ast.parse((PLAYGROUND / f"{module}.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert all(a.name != "playground.rules" for a in node.names), module
        elif isinstance(node, ast.ImportFrom):
            assert node.module != "playground.rules", module
            if node.module in ("playground", None):
                assert all(a.name != "rules" for a in node.names), module


def test_rules_are_pure_numpy():
    """rules.py imports neither torch nor streamlit, nor the registry."""
    tree = ast.parse((PLAYGROUND / "rules.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"__future__", "collections", "dataclasses", "numpy"}, imported


# Commands KaTeX renders (a subset of its supported functions): a typo fails here, not on screen.
KATEX = {
    "begin", "end", "text", "frac", "tfrac", "sqrt", "theta", "gamma", "lambda", "mu", "tau",
    "alpha", "beta", "epsilon", "eta", "rho", "psi", "omega", "delta", "Delta", "nabla", "infty",
    "hat", "bar", "tilde", "max", "min", "quad", "qquad", "cdot", "cdots", "le", "leftarrow",
    "operatorname", "bigl", "bigr", "Bigl", "Bigr", "top", "lfloor", "rfloor", "textstyle",
    "prod", "texttt", "lnot", "dots", "ge",
}  # fmt: skip


@pytest.mark.parametrize("key", sorted(RULES))
def test_latex_uses_known_katex_commands(key):
    latex = RULES[key].latex
    commands = set(re.findall(r"\\([A-Za-z]+)", latex))
    assert commands <= KATEX, commands - KATEX
    depth = 0
    for char in latex.replace(r"\{", "").replace(r"\}", ""):
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, "a } closes nothing"
    assert depth == 0, "a { is never closed"
    assert latex.count(r"\begin{") == latex.count(r"\end{")
    assert latex.startswith(r"\begin{aligned}") and latex.endswith(r"\end{aligned}")

"""What one request may cost on a server a class shares, estimated from its settings.

Every costly computation — a training, a race on a large data set, its Hessians, a basin map —
is estimated before it starts, in seconds of one CPU core, from its settings (points ×
parameters × epochs, steps × data points, …). Over :data:`BUDGET_SECONDS` it is refused with
the largest setting that fits, so one student cannot hold a worker for hours. The workers
enforce the budget too (playground.jobs caps CPU time and memory; a training is ended at
:data:`CAP` × budget), so an estimate that is off cannot run away either.

The constants were measured on a 2-core AMD EPYC server with one torch thread per worker
(``python benchmarks/bench_budget.py`` measures them again and prints estimate / measured).
They err on the side of cost: a run estimated at the budget takes between about half and the
whole of it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from playground.i18n import DEFAULT_LANGUAGE, UserError, t

BUDGET_SECONDS = 120.0  # CPU seconds of one core that one request may use
CAP = 1.5  # the workers end a request at CAP × its budget (estimates err by less than that)
MEMORY_BYTES = 2**30  # what a worker may allocate beyond what it holds when it starts
QUICK_SECONDS = 1.0  # a request estimated at more runs in the long lane (niced), not the quick

# An MLP training step (playground.training): per mini-batch, a fixed cost and one per
# parameter of every variant (the optimizer's update, the weight gradients); per sample, one
# per parameter of every variant (forward and backward).
MLP_BATCH, MLP_BATCH_VARIANT, MLP_PARAM_STEP, MLP_SAMPLE_PARAM = 6e-4, 1e-4, 7e-9, 1.5e-10
MLP_EPOCH = 1e-3  # per epoch: the evaluation's and early stopping's fixed costs
# A ConvNet step (playground.convnet), per variant: per mini-batch, a fixed cost and one per
# parameter; per sample, one per multiply-add of the forward pass (with its backward).
NET_BATCH, NET_PARAM_STEP, NET_SAMPLE_MAC = 1.5e-3, 5e-9, 3.5e-10
# A surface over data (the regression MAE: one term per data point), per term evaluated with
# its gradient: in a race step, in a basin map's step (every start at once), in a Hessian.
RACE_TERM, RACE_STEP = 1.5e-8, 1e-4
BASIN_TERM, BASIN_STEP = 1.5e-8, 1e-3
HESSIAN_TERM, HESSIAN_POINT = 5e-8, 1e-3
# A landscape run (playground.landscape_runs), per run: a pass over n points costs a fixed part
# and one per unit of work (parameters × points for an MLP, multiply-adds for a LeNet); a
# training step's fixed part is larger (backward, the optimizer); an epoch's evaluation is about
# half a pass over every point; a warm-started sharpness some passes over the training set (the
# gradient's graph and a few Hessian-vector products; through convolutions and max-pooling, far
# more). Fitted on bench_budget.py's landscape rows.
PASS_FIXED, PASS_WORK = 2e-4, 3e-10
STEP_FIXED = {"mlp": 5e-4, "lenet": 1.5e-3}
EVAL_PASSES = 0.5
SHARPNESS_PASSES = {"mlp": 4.0, "lenet": 16.0}
# A slice (playground.landscape_slices): per grid point, one evaluation over the points.
SLICE_POINT, SLICE_WORK = 2e-5, 1.5e-10


@dataclass(frozen=True)
class Estimate:
    """A request's estimated cost and the largest value of its main setting that fits.

    Attributes
    ----------
    seconds : float
        Estimated CPU seconds of one core.
    setting : str
        The setting that ``largest`` is about: "epochs", "steps" or "points" (per axis).
    largest : int
        The largest value of that setting (the others as they are) within the budget; 0 when
        none fits.
    """

    seconds: float
    setting: str
    largest: int

    @property
    def over(self) -> bool:
        return self.seconds > BUDGET_SECONDS

    def check(self) -> None:
        """Raise a UserError that says the cost, the budget and what fits, when over it."""
        if self.over:
            raise UserError(
                f"err_budget_{self.setting}",
                cost=Duration(self.seconds),
                budget=Duration(BUDGET_SECONDS),
                largest=f"{self.largest:,}",
            )


@dataclass(frozen=True)
class Duration:
    """A duration as a class says it, in each language: "40 s", "3 min", "2.5 h"."""

    seconds: float

    def in_language(self, lang: str) -> str:
        s = self.seconds
        if s < 90:
            return t("dur_s", lang, n=max(1, round(s)))
        if s < 5400:
            return t("dur_min", lang, n=f"{s / 60:.0f}")
        return t("dur_h", lang, n=f"{s / 3600:.1f}")

    def __str__(self) -> str:
        return self.in_language(DEFAULT_LANGUAGE)


def _largest(per_unit: float, fixed: float = 0.0, power: float = 1.0) -> int:
    """The largest whole u with fixed + per_unit · u**power within the budget."""
    room = BUDGET_SECONDS - fixed
    if room <= 0 or per_unit <= 0:
        return 0
    return math.floor((room / per_unit) ** (1 / power))


def mlp_parameters(in_dim: int, out_dim: int, depth: int, width: int) -> int:
    """Weights and biases of the lab's MLP: ``depth`` hidden layers of ``width``."""
    sizes = [in_dim, *([width] * depth), out_dim]
    return sum((a + 1) * b for a, b in itertools.pairwise(sizes))


def lab(n_train: int, n_eval: int, in_dim: int, out_dim: int, config) -> Estimate:
    """A lab training (playground.training.TrainConfig ``config``): about ``epochs`` × an
    epoch, every variant in one batched model; ``n_eval`` points are evaluated each epoch."""
    variants = len(config.variants)
    pv = mlp_parameters(in_dim, out_dim, config.depth, config.width) * variants
    batches = math.ceil(n_train / config.batch_size) if config.batch_size else 1
    per_batch = MLP_BATCH + MLP_BATCH_VARIANT * variants + MLP_PARAM_STEP * pv
    epoch = MLP_EPOCH + batches * per_batch + (n_train + n_eval) * MLP_SAMPLE_PARAM * pv
    return Estimate(epoch * config.epochs, "epochs", _largest(epoch))


def lenet_costs(size: int, config) -> tuple[int, int]:
    """(parameters, multiply-adds of one image's forward pass) of the ConvNet view's LeNet."""
    c1, c2, hidden, k1, k2 = config.channels1, config.channels2, config.hidden, 5, 3
    flat = c2 * (size // 4) ** 2
    params = (k1 * k1 + 1) * c1 + (k2 * k2 * c1 + 1) * c2 + (flat + 1) * hidden + (hidden + 1) * 10
    macs = size * size * c1 * k1 * k1 + (size // 2) ** 2 * c1 * c2 * k2 * k2 + flat * hidden
    return params, macs


def convnet(size: int, n_train: int, n_eval: int, config) -> Estimate:
    """A ConvNet training (playground.convnet.NetConfig ``config``) on ``size`` × ``size``
    digits: every variant is its own model."""
    params, macs = lenet_costs(size, config)
    batches = math.ceil(n_train / config.batch_size)
    per_variant = batches * (NET_BATCH + NET_PARAM_STEP * params) + (
        n_train + n_eval
    ) * NET_SAMPLE_MAC * (macs + params)
    epoch = per_variant * len(config.variants)
    return Estimate(epoch * config.epochs, "epochs", _largest(epoch))


def race(steps: int, runs: int, terms: int) -> Estimate:
    """A race of ``runs`` optimizers for ``steps`` on a surface of ``terms`` terms."""
    step = runs * (RACE_STEP + RACE_TERM * terms)
    return Estimate(step * steps, "steps", _largest(step))


def hessians(points: int, terms: int, runs: int = 1) -> Estimate:
    """Hessians at ``points`` points (every step of ``runs`` paths); largest: steps."""
    point = HESSIAN_POINT + HESSIAN_TERM * terms
    return Estimate(point * points, "steps", _largest(point * max(1, runs)))


def fair(optimizers: int, rates: int, starts: int, steps: int, terms: int) -> Estimate:
    """A fair race: for each optimizer, rates × starts points for ``steps`` steps (each step a
    basin map's: one evaluation of every point); largest: steps."""
    per_step = optimizers * (BASIN_STEP + BASIN_TERM * terms * rates * starts)
    return Estimate(per_step * steps, "steps", _largest(per_step))


def basin(n: int, steps: int, terms: int) -> Estimate:
    """A basin map: ``n`` × ``n`` starts for ``steps`` steps; largest: points per axis."""
    per_start = steps * BASIN_TERM * terms
    fixed = steps * BASIN_STEP
    return Estimate(fixed + per_start * n * n, "points", _largest(per_start, fixed, 2))


def landscape(n_train: int, n_val: int, work: int, config) -> Estimate:
    """A landscape training (playground.landscape_runs.LandscapeConfig ``config``): every run
    its own model; ``work`` per point of one pass (parameters, or a LeNet's multiply-adds)."""

    def passes(points: int, fixed: float = PASS_FIXED) -> float:
        return fixed + PASS_WORK * work * points

    step = STEP_FIXED[config.model]
    epoch = 0.0
    for run in config.runs:
        size = min(run.batch_size or n_train, n_train)
        epoch += math.ceil(n_train / size) * passes(size, step)
        epoch += EVAL_PASSES * passes(n_train + n_val)
        if config.sharpness_every:
            sharp = SHARPNESS_PASSES[config.model]
            epoch += sharp * passes(n_train, step) / config.sharpness_every
    return Estimate(epoch * config.epochs, "epochs", _largest(epoch))


INSIDE_STEP, INSIDE_WORK = 5e-4, 2e-9  # a step of the small network: fixed, per weight × point


def inside(n_points: int, spec, epochs: int) -> Estimate:
    """A training of "Inside the network" (playground.inside.NetSpec ``spec``) on drawn points."""
    sizes = spec.sizes
    weights = sum(a * b + b for a, b in itertools.pairwise(sizes))
    n_train = max(1, int(0.7 * n_points))
    batches = math.ceil(n_train / (spec.batch_size or n_train))
    epoch = batches * INSIDE_STEP + 2 * INSIDE_WORK * weights * n_points
    return Estimate(epoch * epochs, "epochs", _largest(epoch))


def landscape_slice(n_points: int, grid_points: int, work: int) -> Estimate:
    """A slice: the loss at ``grid_points`` weight vectors over ``n_points`` points each."""
    point = SLICE_POINT + SLICE_WORK * work * n_points
    return Estimate(point * grid_points, "points", _largest(point))


def lane(estimate: Estimate) -> str:
    """The worker lane for a request: "quick" (what the class waits on: a rerun's figures)
    unless it is estimated at more than QUICK_SECONDS, then "long" (lower CPU priority), so a
    student's race over 100,000 points does not queue the class's quick requests behind it."""
    return "quick" if estimate.seconds <= QUICK_SECONDS else "long"

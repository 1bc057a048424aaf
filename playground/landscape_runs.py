"""The landscape view's runs: several optimizers trained from the same initial weights, with a
snapshot of the weights and the sharpness along the way (:func:`train`), then the slice they
are drawn on (:func:`slice_runs`).

Each run is its own copy of one model (an MLP on the overfitting lab's tasks, or the ConvNet
view's LeNet on the digits) with its own ``torch.optim`` optimizer: nothing here updates a
weight itself. The sharpness is measured on the whole training set after every epoch
(``sharpness_every``), by power iteration started from the previous epoch's eigenvector (the
top eigenvector turns slowly, so a few Hessian–vector products suffice: a warm start).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from playground import data, digits, landscape
from playground.convnet import LeNet, NetConfig
from playground.i18n import UserError
from playground.optimizers import RunSpec
from playground.training import ACTIVATIONS, Summary, TrainConfig, mlp

MODELS = ("mlp", "lenet")
LOSSES = ("mse", "cross_entropy")
PLANES = ("pca", "random", "line")
MAX_RUNS = 5
MAX_EPOCHS = 2000
MAX_WIDTH, MAX_DEPTH = 128, 4
MAX_RESOLUTION = 51
LINE_POINTS = 61  # points of the 1-D slice between two runs' final weights
WIDTH_ALPHAS = np.linspace(-1.0, 1.0, 41)  # the slice whose width the results table gives


@dataclass(frozen=True)
class Run:
    """One run: an optimizer with its settings, the batch size (0 = full batch) and dropout.

    Text form: ``"sgd:lr=0.25"``, ``"adam:lr=0.005;batch=20;dropout=0.1"``.
    """

    spec: RunSpec
    batch_size: int = 0
    dropout: float = 0.0

    def __post_init__(self) -> None:
        if not (0 <= self.batch_size <= 5000 and 0.0 <= self.dropout < 1.0):
            raise UserError("err_ll_run")

    @classmethod
    def parse(cls, text: str) -> Run:
        head, *extras = text.split(";")
        values: dict[str, float] = {}
        for item in extras:
            key, eq, value = item.partition("=")
            if not eq or key.strip() not in ("batch", "dropout"):
                raise UserError("err_run_syntax", text=text[:60])
            try:
                values[key.strip()] = float(value)
            except ValueError:
                raise UserError("err_run_syntax", text=text[:60]) from None
        return cls(
            RunSpec.parse(head), int(values.get("batch", 0)), float(values.get("dropout", 0.0))
        )

    def to_text(self) -> str:
        text = self.spec.to_text()
        if self.batch_size:
            text += f";batch={self.batch_size}"
        if self.dropout:
            text += f";dropout={self.dropout:g}"
        return text

    @property
    def lr(self) -> float:
        return float(self.spec.settings["lr"])

    def stability_bound(self) -> float | None:
        """2/η for gradient descent, 2(1 + β)/η with heavy-ball or Nesterov momentum β: above
        this sharpness a quadratic diverges. None for adaptive optimizers (no such line)."""
        if self.spec.spec.cls is not torch.optim.SGD:
            return None
        s = self.spec.settings
        return 2.0 * (1.0 + float(s["momentum"])) / float(s["lr"])


DEFAULT_RUNS = (
    Run(RunSpec("sgd", (("lr", 0.25),))),
    Run(RunSpec("sgd", (("lr", 0.025),))),
    Run(RunSpec("sgd", (("lr", 0.25),)), batch_size=25),
    Run(RunSpec("adam", (("lr", 0.005),))),
)


@dataclass(frozen=True)
class LandscapeConfig:
    """The model, its loss and the runs; the data is a :class:`playground.data.TaskConfig` (MLP)
    or a :class:`playground.digits.DigitsConfig` (LeNet) given beside it."""

    model: str = "mlp"
    depth: int = 2
    width: int = 64
    activation: str = "tanh"
    loss: str = "mse"  # on one-hot targets for classes (as Cohen et al.), or cross-entropy
    epochs: int = 400
    runs: tuple[Run, ...] = DEFAULT_RUNS
    sharpness_every: int = 1  # epochs between two measures (0 = never)
    power_iters: int = 20  # Hessian–vector products at most per measure
    snapshots: int = 100  # weight snapshots per run kept for the plane (about)
    seed: int = 0

    def __post_init__(self) -> None:
        if self.model not in MODELS or self.loss not in LOSSES:
            raise UserError("err_model_choice")
        if self.activation not in ACTIVATIONS:
            raise UserError("err_model_choice")
        if not (1 <= self.depth <= MAX_DEPTH and 2 <= self.width <= MAX_WIDTH):
            raise UserError("err_model_size", depth=MAX_DEPTH, width=MAX_WIDTH)
        if not (1 <= len(self.runs) <= MAX_RUNS):
            raise UserError("err_ll_runs", most=MAX_RUNS)
        if not (1 <= self.epochs <= MAX_EPOCHS and 0 <= self.sharpness_every <= self.epochs):
            raise UserError("err_schedule", epochs=MAX_EPOCHS)
        if not (1 <= self.power_iters <= 100 and 2 <= self.snapshots <= 500):
            raise UserError("err_schedule", epochs=MAX_EPOCHS)

    @property
    def stride(self) -> int:
        """Epochs between two snapshots."""
        return max(1, math.ceil(self.epochs / self.snapshots))


DEFAULT_TASK = data.TaskConfig(task="moons", n=250, noise=0.15, val=0.15, test=0.05)
DEFAULT_DIGITS = digits.DigitsConfig(scale=1, fraction=0.5)
LENET = NetConfig(channels1=4, channels2=8, hidden=32)  # small: a slice is ~1,000 evaluations


@dataclass(frozen=True, eq=False)
class Problem:
    """Tensors of one source: training and validation inputs and targets (shaped for the loss),
    the number of classes (0 for regression) and the model's input and output sizes."""

    x: torch.Tensor
    y: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    classes: int


def problem(source, loss: str) -> Problem:
    """The tensors of a TaskConfig / DigitsConfig for ``loss`` (MSE on classes: one-hot targets)."""
    if isinstance(source, digits.DigitsConfig):
        d = digits.load(source)
        x, y, classes = torch.tensor(d.images), torch.tensor(d.labels), 10
        train, val = d.train, d.val
    else:
        split = data.make_task(source)
        x, classes = torch.from_numpy(split.x).float(), split.classes
        y = torch.from_numpy(split.y)
        y = y.float().unsqueeze(1) if classes == 0 else y.long()
        train, val = split.train, split.val
    if classes and loss == "mse":
        y = nn.functional.one_hot(y, classes).float()
    return Problem(x[train], y[train], x[val], y[val], classes)


def loss_function(config: LandscapeConfig, classes: int) -> Callable:
    """The mean loss the runs minimise: MSE (on one-hot targets for classes) or cross-entropy."""
    if config.loss == "cross_entropy" and classes:
        return nn.functional.cross_entropy
    return nn.functional.mse_loss


def build(config: LandscapeConfig, source, dropout: float = 0.0) -> nn.Module:
    """A fresh model for ``source`` (same seed, same weights every time)."""
    torch.manual_seed(config.seed)
    if config.model == "lenet":
        if not isinstance(source, digits.DigitsConfig):
            raise UserError("err_ll_lenet_digits")
        model = LeNet(source.size, LENET, dropout)
        return model
    if isinstance(source, digits.DigitsConfig):
        raise UserError("err_ll_mlp_tasks")
    dim = 1 if source.task == "sine" else 2  # (inputs; outputs: one value, or two classes)
    shape = TrainConfig(depth=config.depth, width=config.width, activation=config.activation)
    return mlp(dim, dim, shape, dropout)  # the overfitting lab's model


@dataclass(frozen=True)
class Record:
    """One epoch of every run (arrays (R,)); sharpness is NaN where it was not measured, and
    a diverged run's numbers are NaN from its divergence on."""

    epoch: int
    train_loss: np.ndarray
    val_loss: np.ndarray
    sharpness: np.ndarray


@dataclass(eq=False)
class LandscapeSummary(Summary):
    """The runs' weight snapshots (R, T, P) at ``snapshot_epochs`` (T,), epoch 0 first; the
    epoch where each run diverged (0 if it did not); the number of weights."""

    snapshot_epochs: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    snapshots: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0), np.float32))
    diverged: np.ndarray = field(default_factory=lambda: np.zeros(0, int))


def train(
    source, config: LandscapeConfig, should_stop: Callable[[], bool] = lambda: False
) -> Iterator[Record | LandscapeSummary]:
    """Train every run of ``config`` on ``source``: a :class:`Record` per epoch (epoch 0 first,
    the initial weights), then a :class:`LandscapeSummary`. ``should_stop`` is asked after
    every mini-batch."""
    torch.set_flush_denormal(True)  # (second derivatives of saturated tanh units crawl otherwise)
    p = problem(source, config.loss)
    loss_fn = loss_function(config, p.classes)
    models, optimizers = [], []
    for run in config.runs:
        model = build(config, source, run.dropout)  # same seed: the same initial weights
        models.append(model)
        settings = dict(run.spec.settings)
        if "foreach" in run.spec.spec.cls.__init__.__code__.co_varnames:
            settings["foreach"] = True  # one call for all of a step's tensors (CPU loops else)
        optimizers.append(run.spec.spec.build(model.parameters(), settings))
    n_runs = len(models)
    snaps: list[list[np.ndarray]] = [[landscape.flat(m).numpy().copy()] for m in models]
    snap_epochs = [0]
    vectors: list[torch.Tensor | None] = [None] * n_runs  # warm starts of the power iteration
    diverged = np.zeros(n_runs, int)
    gens = [torch.Generator().manual_seed(config.seed) for _ in range(n_runs)]
    # epoch 0, the shared initial weights: where every curve starts (the lesson's "near 6")
    yield _measured(0, models, loss_fn, p, diverged, config, vectors)
    stopping = False
    for epoch in range(1, config.epochs + 1):
        for r, (model, opt, run) in enumerate(zip(models, optimizers, config.runs, strict=True)):
            if diverged[r]:
                continue
            model.train()
            size = run.batch_size or len(p.x)
            order = torch.randperm(len(p.x), generator=gens[r]) if run.batch_size else None
            for start in range(0, len(p.x), size):
                idx = order[start : start + size] if order is not None else slice(None)
                opt.zero_grad()
                loss_fn(model(p.x[idx]), p.y[idx]).backward()
                opt.step()
                if stopping := should_stop():
                    break
            if stopping:
                break
        record = _measured(epoch, models, loss_fn, p, diverged, config, vectors)
        last = stopping or epoch == config.epochs or diverged.all()
        if epoch % config.stride == 0 or last:
            snap_epochs.append(epoch)
            for r, model in enumerate(models):
                snaps[r].append(landscape.flat(model).numpy().copy())
        yield record
        if last:
            break
    yield LandscapeSummary(
        best_epoch=np.zeros(n_runs, int),
        stopped_at=np.full(n_runs, -1),
        weights=sum(q.numel() for q in models[0].parameters()),
        snapshot_epochs=np.array(snap_epochs),
        snapshots=np.stack([np.stack(s) for s in snaps]).astype(np.float32),  # (R, T, P)
        diverged=diverged,
    )


def _measured(epoch: int, models, loss_fn, p: Problem, diverged, config, vectors) -> Record:
    """Epoch ``epoch``'s record: every run's losses, and its sharpness on the epochs that
    measure it (``vectors``: each run's warm start of the power iteration, updated)."""
    record = Record(
        epoch, *_evaluate(models, loss_fn, p, diverged, epoch), np.full(len(models), np.nan)
    )
    if config.sharpness_every and epoch % config.sharpness_every == 0:
        for r, model in enumerate(models):
            if not diverged[r]:
                record.sharpness[r], vectors[r] = _sharpness(
                    model, loss_fn, p, config.power_iters, vectors[r]
                )
    return record


def _evaluate(models, loss_fn, p: Problem, diverged: np.ndarray, epoch: int):
    """Training and validation loss (R,) of every run in eval mode; marks runs that diverged."""
    train_loss, val_loss = np.full(len(models), np.nan), np.full(len(models), np.nan)
    x = torch.cat([p.x, p.x_val])  # one forward for both parts
    n = len(p.x)
    with torch.no_grad():
        for r, model in enumerate(models):
            if diverged[r]:
                continue
            model.eval()
            out = model(x)
            train_loss[r] = float(loss_fn(out[:n], p.y))
            val_loss[r] = float(loss_fn(out[n:], p.y_val))
            if not math.isfinite(train_loss[r]) or train_loss[r] > 1e12:
                diverged[r] = epoch
                train_loss[r] = val_loss[r] = np.nan
    return train_loss, val_loss


def _sharpness(model, loss_fn, p: Problem, iters: int, start: torch.Tensor | None):
    """λ_max on the training set, warm-started; (nan, None) if it is not finite."""
    model.eval()
    hvp, size, dtype = landscape.hvp_operator(model, loss_fn, p.x, p.y)
    tol = 1e-3 if start is not None else 0.0  # a cold start takes every product …
    iters = iters if start is not None else 3 * iters  # … and three times as many (the first:
    # runs from the same weights read 5.6 to 6.0 after 20, from random starting vectors)
    lam, vector = landscape.top_eigenvalue(hvp, size, iters, start, tol, dtype=dtype)
    if not math.isfinite(lam):
        return np.nan, None
    return lam, vector

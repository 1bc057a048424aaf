"""Train small MLPs side by side: a baseline and its cures (dropout, early stopping, weight decay).

All variants train together in one :class:`BatchedMLP`, one forward and backward pass and one
optimizer step for all of them. They start from the same initial weights and see the same
mini-batches, and each variant computes exactly what its own ``nn.Sequential`` would, to the
last bit (so the script a student downloads prints the view's numbers).

* Dropout: each variant has its own p; active in ``model.train()``, off in ``model.eval()``
  (evaluation must be deterministic and use the whole network, so its outputs are not scaled
  noise).
* Weight decay: each variant is its own param group with its own ``weight_decay=λ``, applied
  by torch: L2 regularisation (λ·θ added to the gradient) in SGD, Adam and the others,
  decoupled decay (θ ← θ − γλθ before the step) in AdamW. Tests check the result against
  separately trained ``nn.Sequential`` models.
* Early stopping: keep the best validation loss so far; stop when it has not improved by
  ``min_delta`` for ``patience`` epochs; restore the best weights.

:func:`train` is a generator: it yields one :class:`EpochRecord` per epoch and stops early
when its ``should_stop`` callback returns True, so a notebook or the view can draw as it learns.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from playground import turns
from playground.data import Split
from playground.i18n import UserError
from playground.optimizers import OPTIMIZERS

ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}
LAB_OPTIMIZERS = (
    "sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw", "adagrad", "adamax", "nadam"
)  # fmt: skip
MAX_EPOCHS = 5000
MAX_WIDTH, MAX_DEPTH = 256, 6
# "Watch slowly": a run's live updates are spread over at least this many seconds (1,000 epochs
# of the lab train in about 2 s, too fast to watch); pacing never lasts longer than MAX_PACE.
WATCH_SLOWLY, MAX_PACE = 20.0, 60.0


@dataclass(frozen=True)
class Variant:
    """One contestant of the lab: a name and its cures."""

    name: str
    dropout: float = 0.0
    weight_decay: float = 0.0
    early_stopping: bool = False


# Every variant a view offers, in order: its place here is its colour in every figure, whichever
# variants are on (a baseline turned off does not turn dropout blue).
VARIANT_NAMES = ("baseline", "dropout", "early_stopping", "weight_decay", "combined")


def slots(variants: tuple[Variant, ...]) -> list[int]:
    """Each variant's place in VARIANT_NAMES (its colour); an unknown name goes after them."""
    return [
        VARIANT_NAMES.index(v.name) if v.name in VARIANT_NAMES else len(VARIANT_NAMES) + i
        for i, v in enumerate(variants)
    ]


def notice_points(variants: tuple[Variant, ...]) -> list[str]:
    """The points of a lab's "What to notice" that ``variants`` show (catalogue suffixes, in
    order): overfitting with a baseline, then each cure that one of them uses, then the split.
    The early-stopping lesson's notice spoke of dropout and weight decay, which it leaves off.
    """
    shown = {
        "overfit": any(v.name == "baseline" for v in variants),
        "early_stopping": any(v.early_stopping for v in variants),
        "dropout": any(v.dropout > 0 for v in variants),
        "weight_decay": any(v.weight_decay > 0 for v in variants),
    }
    return [point for point, on in shown.items() if on] + ["split"]


DEFAULT_VARIANTS = (
    Variant("baseline"),
    Variant("dropout", dropout=0.5),
    Variant("early_stopping", early_stopping=True),
    Variant("weight_decay", weight_decay=1e-2),
)


@dataclass(frozen=True)
class TrainConfig:
    """Model, optimizer and schedule shared by every variant."""

    depth: int = 2
    width: int = 64
    activation: str = "relu"
    optimizer: str = "adam"
    lr: float = 1e-2
    epochs: int = 2000
    batch_size: int = 0  # 0 = full batch
    patience: int = 10
    min_delta: float = 0.0
    seed: int = 0
    snapshots: int = 60  # the replay's resolution: see snapshot_due
    dtype: str = "float32"  # "float64" to compare with other implementations to 1e-12
    variants: tuple[Variant, ...] = DEFAULT_VARIANTS
    # a playground.schedules.Schedule stepped once per epoch (None: a constant rate); "plateau"
    # watches the variants' mean validation loss (they share one optimizer)
    schedule: object = None

    def __post_init__(self) -> None:
        if not (1 <= self.depth <= MAX_DEPTH and 1 <= self.width <= MAX_WIDTH):
            raise UserError("err_model_size", depth=MAX_DEPTH, width=MAX_WIDTH)
        if self.activation not in ACTIVATIONS or self.optimizer not in LAB_OPTIMIZERS:
            raise UserError("err_model_choice")
        if not (1 <= self.epochs <= MAX_EPOCHS and 0 < self.lr <= 10 and self.batch_size >= 0):
            raise UserError("err_schedule", epochs=MAX_EPOCHS)
        if not self.variants or any(
            not 0 <= v.dropout < 1 or v.weight_decay < 0 for v in self.variants
        ):
            raise UserError("err_variants")


def mlp(in_dim: int, out_dim: int, config: TrainConfig, dropout: float = 0.0) -> nn.Sequential:
    """The plain model: Linear → activation → Dropout, ``depth`` times, then a Linear output."""
    layers: list[nn.Module] = []
    width = in_dim
    for _ in range(config.depth):
        layers += [nn.Linear(width, config.width), ACTIVATIONS[config.activation]()]
        if dropout:
            layers.append(nn.Dropout(dropout))
        width = config.width
    layers.append(nn.Linear(width, out_dim))
    return nn.Sequential(*layers)


class VariantDropout(nn.Module):
    """Dropout with a separate p per variant, on activations shaped (V, B, H).

    Random numbers are drawn only for the variants whose p > 0: drawing them for every variant
    cost a fifth of each epoch of the lab's default four, where one has dropout (cProfile).
    """

    def __init__(self, ps: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("ps", ps.view(-1, 1, 1))
        # (A,) variants with dropout; a buffer, so it follows .to(device), but not saved
        self.register_buffer("active", torch.nonzero(ps > 0).flatten(), persistent=False)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        if not self.training or len(self.active) == 0:
            return h
        keep = 1.0 - self.ps[self.active]  # (A, 1, 1)
        draw = torch.rand(len(self.active), *h.shape[1:], dtype=h.dtype)  # (A, B, H)
        scale = torch.ones_like(h)  # (V, B, H): 1 where a variant has no dropout
        scale[self.active] = (draw < keep) / keep
        return h * scale


class BatchedMLP(nn.Module):
    """V copies of :func:`mlp` in one module: one forward, one backward, one optimizer step.

    Every variant starts from the weights of ``template`` (the same initial weights). Each
    variant owns its own parameters (``variant_parameters(v)``), stacked to (V, in, out) in the
    forward pass, so an optimizer can give each variant its own param group: its own
    ``weight_decay``, applied by torch itself (L2 in SGD or Adam, decoupled in AdamW).
    """

    def __init__(self, template: nn.Sequential, variants: int, ps: torch.Tensor, activation: str):
        super().__init__()
        linears = [m for m in template if isinstance(m, nn.Linear)]
        self.variants = variants
        self.weights = nn.ParameterList(
            nn.Parameter(m.weight.detach().T.clone()) for m in linears for _ in range(variants)
        )  # (in, out) each, layer-major: index layer·V + variant
        self.biases = nn.ParameterList(
            nn.Parameter(m.bias.detach().view(1, -1).clone())
            for m in linears
            for _ in range(variants)
        )  # (1, out) each
        self.act = ACTIVATIONS[activation]()
        self.drop = VariantDropout(ps)
        # The same Parameter objects as plain tuples: iterating the ParameterLists in every
        # forward cost 3-4 % of an epoch (cProfile). Conversions (.to, load_state_dict) update
        # parameters in place, so the tuples stay valid.
        w, b = tuple(self.weights), tuple(self.biases)
        self._layers = tuple(
            (w[i : i + variants], b[i : i + variants]) for i in range(0, len(w), variants)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, in) shared by every variant, or (V, B, in) → (V, B, out).

        Each variant's layer is its own ``addmm``, the product ``nn.Linear`` computes. One
        batched ``baddbmm`` for all of them was as fast but rounds differently where a layer
        has one input or one output (1 ulp), and over the lab's 2,000 epochs of Adam that grew
        to 10 % of the baseline's validation loss: its script printed other numbers than the
        view (tests/test_training.py checks the two agree bit for bit).
        """
        hs = [x] * self.variants if x.dim() == 2 else list(x.unbind(0))  # V × (B, in)
        last = len(self._layers) - 1
        for i, (w, b) in enumerate(self._layers):
            hs = [torch.addmm(b[v], h, w[v]) for v, h in enumerate(hs)]  # V × (B, out)
            if i < last:
                hs = list(self.drop(self.act(torch.stack(hs))).unbind(0))
        return torch.stack(hs)  # (V, B, out)

    def variant_parameters(self, v: int) -> list[nn.Parameter]:
        """The weights and biases of variant ``v``, layer by layer."""
        return [p for w, b in self._layers for p in (w[v], b[v])]

    def variant_state(self, v: int) -> list[torch.Tensor]:
        """A copy of variant ``v``'s parameters (for early stopping's best weights)."""
        return [p.detach().clone() for p in self.variant_parameters(v)]

    def load_variant(self, v: int, state: list[torch.Tensor]) -> None:
        """Put back what :meth:`variant_state` copied."""
        with torch.no_grad():
            for p, saved in zip(self.variant_parameters(v), state, strict=True):
                p.copy_(saved)

    def count(self) -> int:
        """Weights and biases of one variant."""
        return sum(p.numel() for p in self.variant_parameters(0))

    def l2(self) -> torch.Tensor:
        """½‖θ_v‖² for each variant, shape (V,)."""
        return torch.stack(
            [
                0.5 * sum((p**2).sum() for p in self.variant_parameters(v))
                for v in range(self.variants)
            ]
        )


class EarlyStopping:
    """Early-stopping bookkeeping for V variants at once, on their validation losses (V,).

    Every variant's best validation loss and its epoch are tracked; a watched variant stops once
    its loss has not improved by more than ``min_delta`` for ``patience`` epochs in a row.
    Shared by the overfitting lab and the ConvNet view.
    """

    def __init__(self, watch: np.ndarray, patience: int, min_delta: float = 0.0) -> None:
        n = len(watch)
        self.watch = np.asarray(watch, dtype=bool)
        self.patience, self.min_delta = patience, min_delta
        self.best = np.full(n, np.inf)
        self.best_epoch = np.zeros(n, dtype=int)
        self.waited = np.zeros(n, dtype=int)
        self.stopped = np.zeros(n, dtype=bool)
        self.stopped_at = np.full(n, -1)

    def update(self, epoch: int, val: np.ndarray) -> np.ndarray:
        """Record one epoch's validation losses; return the watched variants that just reached
        a new best (their weights are the ones to keep). A NaN loss never improves."""
        improved = val < self.best - self.min_delta
        live = improved & ~self.stopped
        self.best_epoch = np.where(live, epoch, self.best_epoch)
        self.best = np.where(live, val, self.best)
        self.waited = np.where(improved, 0, self.waited + 1)
        keep = live & self.watch
        newly = self.watch & ~self.stopped & (self.waited >= self.patience)
        self.stopped_at[newly] = epoch
        self.stopped |= newly
        return keep

    @property
    def all_stopped(self) -> bool:
        """Every variant is watched and has stopped: nothing is left to train."""
        return bool(self.watch.all() and self.stopped.all())


@dataclass(frozen=True, eq=False)
class EpochRecord:
    """What one epoch produced, for every variant (arrays of shape (V,)).

    ``prediction`` is set on snapshot epochs: the model's output on ``grid`` of shape
    (V, G) (regression values, or the probability of class 1). The ConvNet view sets
    ``kernels`` instead.
    """

    epoch: int
    train_loss: np.ndarray
    val_loss: np.ndarray
    test_loss: np.ndarray
    train_acc: np.ndarray | None
    val_acc: np.ndarray | None
    test_acc: np.ndarray | None
    stopped: np.ndarray  # bool: early stopping has ended this variant
    prediction: np.ndarray | None = None
    kernels: np.ndarray | None = None  # ConvNet: first-layer kernels (V, K, k, k) on snapshots
    lr: np.ndarray | None = None  # (V,) the learning rate of each variant's steps this epoch


@dataclass(eq=False)
class Summary:
    """Per variant, after training: the best epoch, where early stopping stopped, and the final
    (restored, for early stopping) model's losses, accuracies and generalisation gap."""

    best_epoch: np.ndarray
    stopped_at: np.ndarray  # -1 where the variant did not stop early
    final: dict[str, np.ndarray] = field(default_factory=dict)
    weights: int = 0
    prediction: np.ndarray | None = None  # final model on the grid


def snapshot_due(epoch: int, snapshots: int) -> bool:
    """Whether ``epoch`` keeps its picture (the lab's fit, the ConvNet's kernels) for the replay.

    Every epoch up to ``snapshots // 3``, then every 2nd, 4th, 8th … epoch, the stride doubling
    each time the epoch doubles, whatever the planned number of epochs: a run stopped at any
    epoch E has a replay spread over its epochs 1…E, as a full run has over all of them. With
    60: every epoch up to 20, then 10 more per doubling, about 75 pictures by epoch 1,000 and
    100 by 5,000 (a grid made for the planned epochs gave a run stopped at epoch 40 of 2,000
    three: epochs 1, 33 and 40). The trainers add the last epoch trained, so the replay ends
    where the curves do.
    """
    dense = max(1, snapshots // 3)
    stride = 1
    while dense * stride < epoch:
        stride *= 2
    return epoch % stride == 0


def prediction_grid(split: Split, n: int = 60) -> np.ndarray:
    """Points where predictions are drawn: (G, 1) along x for 1-D, an n × n grid for 2-D."""
    lo, hi = split.x.min(0), split.x.max(0)
    pad = 0.1 * (hi - lo)
    if split.x.shape[1] == 1:
        return np.linspace(lo[0] - pad[0], hi[0] + pad[0], 200, dtype=np.float32)[:, None]
    gx, gy = np.meshgrid(
        np.linspace(lo[0] - pad[0], hi[0] + pad[0], n),
        np.linspace(lo[1] - pad[1], hi[1] + pad[1], n),
    )
    return np.c_[gx.ravel(), gy.ravel()].astype(np.float32)


def _losses(out: torch.Tensor, y: torch.Tensor, classes: int) -> torch.Tensor:
    """Mean loss per variant, shape (V,): MSE for regression, cross-entropy on logits else."""
    if classes == 0:
        return ((out[..., 0] - y) ** 2).mean(1)
    v, b, c = out.shape
    return (
        nn.functional.cross_entropy(out.reshape(v * b, c), y.repeat(v), reduction="none")
        .view(v, b)
        .mean(1)
    )


def train(
    split: Split, config: TrainConfig, should_stop: Callable[[], bool] = lambda: False
) -> Iterator[EpochRecord | Summary]:
    """Train every variant of ``config`` on ``split``: an EpochRecord per epoch, then a Summary.

    ``should_stop`` is called after each mini-batch (make it cheap: :class:`StopWatcher`); when
    it returns True the epoch ends there (its record is of the batches trained), training
    ends, and the Summary describes what was trained so far.
    """
    dtype = torch.float64 if config.dtype == "float64" else torch.float32
    torch.manual_seed(config.seed)
    classes = split.classes
    out_dim = 1 if classes == 0 else classes
    template = mlp(split.x.shape[1], out_dim, config).to(dtype)
    variants = config.variants
    ps = torch.tensor([v.dropout for v in variants], dtype=torch.float32)
    model = BatchedMLP(template, len(variants), ps.to(dtype), config.activation)
    # One param group per weight decay (the variants that share it): torch applies each
    # variant's own weight_decay. Fewer groups are fewer optimizer calls per step.
    by_decay: dict[float, list[nn.Parameter]] = {}
    for i, v in enumerate(variants):
        by_decay.setdefault(v.weight_decay, []).extend(model.variant_parameters(i))
    groups = [{"params": params, "weight_decay": wd} for wd, params in by_decay.items()]
    # foreach: one call per group for all its tensors (CPU defaults to a loop over tensors).
    optimizer = OPTIMIZERS[config.optimizer].build(groups, {"lr": config.lr, "foreach": True})
    scheduler = epoch_scheduler(config.schedule, optimizer, config.epochs)
    x = torch.from_numpy(split.x).to(dtype)
    y = torch.from_numpy(split.y)
    y = y.to(dtype) if classes == 0 else y
    parts = {
        name: (x[idx], y[idx])
        for name, idx in (("train", split.train), ("val", split.val), ("test", split.test))
    }
    xt, yt = parts["train"]
    grid = torch.from_numpy(prediction_grid(split)).to(dtype)
    gen = torch.Generator().manual_seed(config.seed)

    watch = np.array([v.early_stopping for v in variants])
    early = EarlyStopping(watch, config.patience, config.min_delta)
    best_state = [model.variant_state(v) for v in range(len(variants))]
    kept_prediction: dict[int, np.ndarray] = {}  # stopped variant → its best model's picture

    sizes = [len(split.train), len(split.val), len(split.test)]
    x_all = torch.cat([parts[k][0] for k in ("train", "val", "test")])  # one forward for all splits
    y_all = torch.cat([parts[k][1] for k in ("train", "val", "test")])

    def evaluate() -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
        model.eval()
        with torch.no_grad():
            out = model(x_all)  # (V, N, out)
            if classes == 0:
                per = (out[..., 0] - y_all) ** 2  # (V, N)
            else:
                v, b, c = out.shape
                per = nn.functional.cross_entropy(
                    out.reshape(v * b, c), y_all.repeat(v), reduction="none"
                ).view(v, b)
            hit = (out.argmax(-1) == y_all).float() if classes else None
            result = {}
            for name, piece, piece_hit in zip(
                ("train", "val", "test"),
                per.split(sizes, 1),
                hit.split(sizes, 1) if classes else (None,) * 3,
                strict=True,
            ):
                acc = piece_hit.mean(1).numpy() if piece_hit is not None else None
                result[name] = (piece.mean(1).numpy(), acc)
        return result

    for epoch in range(1, config.epochs + 1):
        model.train()
        order = torch.randperm(len(xt), generator=gen) if config.batch_size else None
        size = config.batch_size or len(xt)
        stopping = False
        for start in range(0, len(xt), size):
            idx = order[start : start + size] if order is not None else slice(None)
            optimizer.zero_grad()
            loss = _losses(model(xt[idx]), yt[idx], classes)
            loss.sum().backward()
            optimizer.step()
            if stopping := should_stop():  # Stop takes effect within one batch
                break
        metrics = evaluate()
        val = metrics["val"][0]
        used = np.full(len(variants), optimizer.param_groups[0]["lr"])  # (V,) this epoch's η
        step_schedule(scheduler, float(np.mean(val)))
        keep = early.update(epoch, val)
        for v in np.nonzero(keep)[0]:
            best_state[v] = model.variant_state(v)
        last = stopping or early.all_stopped or epoch == config.epochs
        prediction = None
        if snapshot_due(epoch, config.snapshots) or last:  # the last epoch always has its picture
            prediction = _predict(model, grid, classes)
            for v in np.nonzero(early.stopped)[0]:  # a stopped variant is its best model
                if v not in kept_prediction:  # (its best no longer changes once it stopped)
                    kept_prediction[v] = _predict_with(model, v, best_state[v], grid, classes)
                prediction[v] = kept_prediction[v]
        yield EpochRecord(
            epoch,
            metrics["train"][0],
            val,
            metrics["test"][0],
            metrics["train"][1],
            metrics["val"][1],
            metrics["test"][1],
            early.stopped.copy(),
            prediction,
            lr=used,
        )
        if last:
            break

    # Early-stopping variants get their best weights back.
    for v in np.nonzero(watch)[0]:
        model.load_variant(v, best_state[v])
    final = evaluate()
    summary = Summary(
        early.best_epoch,
        early.stopped_at,
        weights=model.count(),
        prediction=_predict(model, grid, classes),
    )
    for name, (loss, acc) in final.items():
        summary.final[f"{name}_loss"] = loss
        if acc is not None:
            summary.final[f"{name}_acc"] = acc
    summary.final["gap"] = final["val"][0] - final["train"][0]
    yield summary


def epoch_scheduler(schedule, optimizer, epochs: int):
    """The torch scheduler of ``schedule`` (None: none) for a training stepped once per epoch."""
    return schedule.build(optimizer, epochs) if schedule is not None else None


def step_schedule(scheduler, val_loss: float) -> None:
    """One epoch's step: ReduceLROnPlateau is given the validation loss, the others nothing."""
    if scheduler is None:
        return
    if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
        scheduler.step(val_loss)
    else:
        scheduler.step()


def curves(records: list[EpochRecord], summary: Summary | None, measure: str = "loss"):
    """What the curves of a (possibly unfinished) training show, per variant.

    Returns ``epochs`` (E,), ``train`` and ``val`` (E, V) — losses, or error rates (1 −
    accuracy) for ``measure="error"`` — cut (NaN) after the epoch where early stopping ended a
    variant, and ``best`` and ``stopped`` epochs (V,) (-1: not stopped). While training (no
    summary yet) ``best`` is None and ``stopped`` comes from the records.
    """
    epochs = np.array([r.epoch for r in records])
    if measure == "error":
        train = 1 - np.array([r.train_acc for r in records])
        val = 1 - np.array([r.val_acc for r in records])
    else:
        train = np.array([r.train_loss for r in records])
        val = np.array([r.val_loss for r in records])
    if summary is not None:
        best, stopped = summary.best_epoch, summary.stopped_at
    else:
        flags = np.array([r.stopped for r in records])  # (E, V)
        best, stopped = None, np.where(flags[-1], np.argmax(flags, axis=0) + 1, -1)
    cut = np.where(stopped > 0, stopped, len(epochs) + 1)
    after = epochs[:, None] > cut[None, :]
    return epochs, np.where(after, np.nan, train), np.where(after, np.nan, val), best, stopped


def _predict(model: BatchedMLP, grid: torch.Tensor, classes: int) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        out = model(grid)  # (V, G, out)
    return (out[..., 0] if classes == 0 else torch.softmax(out, -1)[..., 1]).numpy()


def _predict_with(model: BatchedMLP, v: int, state, grid: torch.Tensor, classes: int) -> np.ndarray:
    """Variant ``v``'s prediction on ``grid`` with its weights set to ``state`` (G,); the
    model is left as it was."""
    current = model.variant_state(v)
    model.load_variant(v, state)
    try:
        return _predict(model, grid, classes)[v]
    finally:
        model.load_variant(v, current)


def run(split, config, should_stop: Callable[[], bool] = lambda: False, trainer=None):
    """Train to the end and return (records, summary): the generator (:func:`train`, or
    ``trainer`` such as :func:`playground.convnet.train`), collected."""
    records: list[EpochRecord] = []
    summary = None
    for item in (trainer or train)(split, config, should_stop):
        if isinstance(item, Summary):
            summary = item
        else:
            records.append(item)
    return records, summary


@dataclass(frozen=True)
class Capped:
    """Sent by :func:`train_to_queue` when a run reached its time budget and was ended there."""

    seconds: float


def paced(epoch: int, epochs: int, pace: float) -> float:
    """When "watch slowly" hands on epoch ``epoch`` of ``epochs``: seconds after the start.

    t(e) = pace / 2 · (e / E + ln(1 + e) / ln(1 + E))

    Half the time evenly, half on a log scale: the first epochs, where a network learns most
    and where early stopping's turn-up lies (epochs 16-26 of the lab's 1,000), get a quarter
    of the time, not 3 % (half a second of 20, which a fresh-eyes teacher saw flash by);
    the rest still plays at an even pace (the edge of stability builds over a whole run).
    """
    if epochs <= 0:
        return 0.0
    e = min(max(epoch, 0), epochs)
    return pace / 2 * (e / epochs + math.log1p(e) / math.log1p(epochs))


def train_to_queue(
    split, config, queue, stop, flush: float = 0.2, trainer=None, pace: float = 0.0, budget=None
) -> None:
    """Run :func:`train` (or ``trainer``, a generator function of the same form, such as
    :func:`playground.convnet.train`) in a worker process and send its output through ``queue``.

    Records are sent in small lists every ``flush`` seconds (the pages look twice a second;
    each list is a round trip through the manager); the Summary follows, then None.
    ``stop`` is an Event-like object; when it is set, training ends within a mini-batch.

    ``pace`` ("watch slowly"): the run's updates are spread over at least ``pace`` seconds
    (at most MAX_PACE): epoch e of E is handed on no earlier than ``paced(e, E, pace)`` after
    the start, the training waiting between epochs. Only the updates are delayed: what is
    trained and sent is the same. The wait ends as soon as ``stop`` is set.

    ``budget``: seconds of training (pacing's waits not counted) after which the run is ended
    as if stopped, with a :class:`Capped` sent before its Summary (playground.budget).

    In a training worker, the run computes only while it holds a turn at the CPU, taken and
    given back between mini-batches (playground.turns); time spent waiting for one is not
    counted against the budget either.
    """
    import time

    torch.set_num_threads(1)
    pace = min(max(float(pace), 0.0), MAX_PACE)
    batch: list = []
    start = last = time.monotonic()
    waited = 0.0  # seconds spent pacing, not training
    over = budget is not None and budget > 0

    capped: list[bool] = []  # [True] once the budget has ended the run
    stopped = StopWatcher(stop)  # (asked after every mini-batch: a local flag, not a proxy)

    def ended() -> bool:
        nonlocal waited
        if stopped.is_set():
            return True
        waited += turns.tick(stopped.is_set)  # (a turn at the CPU: playground.turns)
        if stopped.is_set():  # (stopped while it waited for a turn: it has none)
            return True
        if over and time.monotonic() - start - waited > budget:
            capped.append(True)
        return bool(capped)

    turns.begin()
    waited += turns.tick(stopped.is_set)
    try:
        for item in (trainer or train)(split, config, ended):
            if pace and not isinstance(item, Summary):
                wait = start + paced(item.epoch, config.epochs, pace) - time.monotonic()
                if wait > 0:
                    turns.release()  # (the others compute while this one waits)
                    stop.wait(wait)  # (returns at once when Stop is pressed)
                    waited += wait
            if isinstance(item, Summary) and capped:
                batch.append(Capped(float(budget)))
            batch.append(item)
            if time.monotonic() - last >= flush or isinstance(item, Summary):  # subclasses too
                queue.put(batch)
                batch, last = [], time.monotonic()
        if batch:
            queue.put(batch)
    except Exception as exc:  # the page shows a message; the worker stays alive
        queue.put(RuntimeError(str(exc)[:200]))
    finally:
        turns.release()
        stopped.close()
        queue.put(None)


class StopWatcher:
    """A local copy of a Stop event that lives in another process (a manager's proxy).

    A training asks whether to stop after every mini-batch, thousands of times a second with
    small batches; asking the manager each time is a round trip. A thread here waits on the
    event (in slices of ``every`` seconds, so that it ends with the run) and sets a local flag,
    which costs nothing to read: Stop takes effect within a batch and ``every`` seconds.
    """

    def __init__(self, stop, every: float = 0.02) -> None:
        import threading

        self.flag, self.done = threading.Event(), threading.Event()

        def watch() -> None:
            while not self.done.is_set():
                if stop.wait(every):
                    self.flag.set()
                    return

        self.thread = threading.Thread(target=watch, name="stop-watcher", daemon=True)
        self.thread.start()

    def is_set(self) -> bool:
        return self.flag.is_set()

    def close(self) -> None:
        self.done.set()
        self.thread.join()


def warm_worker() -> bool:
    """Import torch and pay its one-off costs in a fresh worker process."""
    from playground import data

    torch.set_num_threads(1)
    run(data.make_task(data.TaskConfig()), TrainConfig(epochs=2))
    return True

"""A small LeNet-style ConvNet on handwritten digits, trained with the overfitting lab's cures.

The model is conv → ReLU → max-pool → conv → ReLU → max-pool → fully connected → ReLU →
dropout → fully connected, returning raw logits (10 classes) for ``nn.CrossEntropyLoss``
(which applies log-softmax itself; no softmax layer in the model).

:func:`train` follows the lab's :func:`playground.training.train`: a generator of one
:class:`~playground.training.EpochRecord` per epoch (losses and accuracies of every variant,
plus the first-layer kernels on snapshot epochs), then a :class:`NetSummary`. The variants
(baseline, dropout, early stopping, weight decay, any mix) are separate ``nn.Module`` copies
that start from the same initial weights and see the same mini-batches; each has its own
``torch.optim`` optimizer, whose ``weight_decay`` is the variant's λ. Early stopping uses the
lab's :class:`~playground.training.EarlyStopping`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from playground.digits import Digits
from playground.i18n import UserError
from playground.optimizers import OPTIMIZERS
from playground.training import (
    DEFAULT_VARIANTS,
    LAB_OPTIMIZERS,
    EarlyStopping,
    EpochRecord,
    Summary,
    Variant,
    epoch_scheduler,
    snapshot_due,
    step_schedule,
)

CLASSES = 10
KERNEL1, KERNEL2 = 5, 3  # kernel sizes of the two conv layers ("same" padding)
MAX_EPOCHS = 200  # bounded: one student cannot hold a training worker for long
MAX_CHANNELS1, MAX_CHANNELS2, MAX_HIDDEN = 16, 32, 256


@dataclass(frozen=True)
class NetConfig:
    """The model, optimizer and schedule shared by every variant."""

    channels1: int = 6
    channels2: int = 16
    hidden: int = 64
    optimizer: str = "adam"
    lr: float = 2e-3
    epochs: int = 30
    batch_size: int = 32
    patience: int = 5
    restore_best: bool = True
    seed: int = 0
    snapshots: int = 30  # the kernels' replay resolution (training.snapshot_due)
    variants: tuple[Variant, ...] = DEFAULT_VARIANTS
    schedule: object = None  # a playground.schedules.Schedule stepped once per epoch (or None)

    def __post_init__(self) -> None:
        if not (
            1 <= self.channels1 <= MAX_CHANNELS1
            and 1 <= self.channels2 <= MAX_CHANNELS2
            and 4 <= self.hidden <= MAX_HIDDEN
        ):
            raise UserError("err_net_size", c1=MAX_CHANNELS1, c2=MAX_CHANNELS2, hidden=MAX_HIDDEN)
        if self.optimizer not in LAB_OPTIMIZERS:
            raise UserError("err_model_choice")
        if not (
            1 <= self.epochs <= MAX_EPOCHS
            and 0 < self.lr <= 10
            and 1 <= self.batch_size <= 2048
            and self.patience >= 1
        ):
            raise UserError("err_schedule", epochs=MAX_EPOCHS)
        if not self.variants or any(
            not 0 <= v.dropout < 1 or v.weight_decay < 0 for v in self.variants
        ):
            raise UserError("err_variants")


class MaxPool2(nn.MaxPool2d):
    """``nn.MaxPool2d(2)``; without autograd, the maximum of row pairs, then of column pairs.

    The values are the same (NaN included); torch's CPU max-pooling kernel took 9× longer on
    the LeNet's first maps, most of a loss-landscape slice's time (bench_landscape.py). With
    autograd it is ``nn.MaxPool2d`` itself, so training's gradients are torch's own.
    """

    def __init__(self) -> None:
        super().__init__(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if torch.is_grad_enabled() and x.requires_grad:
            return super().forward(x)
        *lead, h, w = x.shape
        x = x[..., : h // 2 * 2, : w // 2 * 2]  # floor mode: an odd last row or column dropped
        pairs = x.reshape(*lead, h // 2, 2, w // 2 * 2)  # row pairs: (…, H/2, 2, W)
        rows = torch.maximum(pairs[..., 0, :], pairs[..., 1, :])  # (…, H/2, W)
        cols = rows.reshape(*lead, h // 2, w // 2, 2)  # column pairs
        return torch.maximum(cols[..., 0], cols[..., 1])  # (…, H/2, W/2)


class LeNet(nn.Module):
    """LeNet-style ConvNet for (B, 1, S, S) images with S divisible by 4 → logits (B, 10)."""

    def __init__(self, size: int, config: NetConfig, dropout: float = 0.0) -> None:
        super().__init__()
        c1, c2 = config.channels1, config.channels2
        self.conv1 = nn.Conv2d(1, c1, KERNEL1, padding=KERNEL1 // 2)
        self.conv2 = nn.Conv2d(c1, c2, KERNEL2, padding=KERNEL2 // 2)
        self.pool = MaxPool2()
        self.fc1 = nn.Linear(c2 * (size // 4) ** 2, config.hidden)
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(config.hidden, CLASSES)

    def features(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The feature maps after each conv layer's ReLU: (B, c1, S, S) and (B, c2, S/2, S/2)."""
        a1 = torch.relu(self.conv1(x))
        a2 = torch.relu(self.conv2(self.pool(a1)))
        return a1, a2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, a2 = self.features(x)
        h = self.pool(a2).flatten(1)  # (B, c2·S/4·S/4)
        return self.fc2(self.drop(torch.relu(self.fc1(h))))  # (B, 10) logits


def layer_shapes(size: int, config: NetConfig) -> list[tuple[str, tuple[int, ...], int]]:
    """(layer, output shape of one image, parameters) for every layer of the model."""
    model = LeNet(size, config)
    x = torch.zeros(1, 1, size, size)
    rows = [("input", tuple(x.shape[1:]), 0)]
    stages = [
        ("conv1", model.conv1),
        ("relu", nn.ReLU()),
        ("maxpool", model.pool),
        ("conv2", model.conv2),
        ("relu", nn.ReLU()),
        ("maxpool", model.pool),
        ("flatten", nn.Flatten()),
        ("fc1", model.fc1),
        ("relu", nn.ReLU()),
        ("dropout", model.drop),
        ("fc2", model.fc2),
    ]
    with torch.no_grad():
        for name, layer in stages:
            x = layer(x)
            params = sum(p.numel() for p in layer.parameters()) if name != "maxpool" else 0
            rows.append((name, tuple(x.shape[1:]), params))
    return rows


@dataclass(eq=False)
class NetSummary(Summary):
    """The lab's Summary, plus what the view inspects after training, per variant: the final
    weights (numpy, so they can cross processes and caches), the test split's predictions and
    its confusion matrix (rows: true class, columns: predicted)."""

    states: list[dict[str, np.ndarray]] = field(default_factory=list)
    test_pred: np.ndarray | None = None  # (V, n_test)
    confusion: np.ndarray | None = None  # (V, 10, 10)


def build(size: int, config: NetConfig, state: dict[str, np.ndarray], v: int = 0) -> LeNet:
    """Variant ``v``'s model with the weights ``state`` (from :class:`NetSummary`), in eval mode."""
    model = LeNet(size, config, config.variants[v].dropout)
    model.load_state_dict({k: torch.from_numpy(a) for k, a in state.items()})
    return model.eval()


def inspect(model: LeNet, image: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One (S, S) image through ``model``: class probabilities (10,), and the feature maps of
    the first (c1, S, S) and second (c2, S/2, S/2) conv layers."""
    x = torch.tensor(image, dtype=torch.float32)[None, None]
    with torch.no_grad():
        a1, a2 = model.features(x)
        probs = torch.softmax(model(x), -1)
    return probs[0].numpy(), a1[0].numpy(), a2[0].numpy()


def confusion(true: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """Counts (10, 10): row = true class, column = predicted class."""
    return np.bincount(true * CLASSES + pred, minlength=CLASSES**2).reshape(CLASSES, CLASSES)


def train(
    digits: Digits, config: NetConfig, should_stop: Callable[[], bool] = lambda: False
) -> Iterator[EpochRecord | NetSummary]:
    """Train every variant: an EpochRecord per epoch, then a NetSummary.

    ``should_stop`` is checked after every mini-batch; the epoch it stops is cut there. A
    variant stopped by early stopping is no longer trained; its numbers stay those of its last
    epoch. Epoch records hold the training and validation numbers (test: NaN); the test part
    is evaluated once, for the summary.
    """
    torch.manual_seed(config.seed)
    template = LeNet(digits.size, config)
    models, optimizers = [], []
    spec = OPTIMIZERS[config.optimizer]
    for v in config.variants:
        model = copy.deepcopy(template)
        model.drop.p = v.dropout
        models.append(model)
        values = {"lr": config.lr, "weight_decay": v.weight_decay}
        optimizers.append(spec.build(model.parameters(), values))
    # one scheduler per variant (each has its own optimizer): a plateau watches its own loss
    schedulers = [epoch_scheduler(config.schedule, o, config.epochs) for o in optimizers]
    loss_fn = nn.CrossEntropyLoss()  # on raw logits: log-softmax + NLL in one
    x = torch.tensor(digits.images)  # (N, 1, S, S), a copy: shared arrays are read-only
    y = torch.tensor(digits.labels)  # (N,)
    parts = {"train": digits.train, "val": digits.val, "test": digits.test}
    xt, yt = x[digits.train], y[digits.train]
    gen = torch.Generator().manual_seed(config.seed)
    watch = np.array([v.early_stopping for v in config.variants])
    early = EarlyStopping(watch, config.patience)
    best_state = [copy.deepcopy(m.state_dict()) for m in models]
    n_var = len(models)
    last: dict[str, np.ndarray] = {}

    def evaluate(which: list[int], names: tuple[str, ...]) -> dict[str, np.ndarray]:
        """Mean loss and accuracy on the parts ``names`` for the variants in ``which``; the
        others keep their ``last`` numbers (NaN where a part was never evaluated)."""
        out = {f"{p}_{m}": np.full(n_var, np.nan) for p in parts for m in ("loss", "acc")}
        out.update({k: v.copy() for k, v in last.items()})
        idx = np.concatenate([parts[p] for p in names])
        bounds = np.cumsum([len(parts[p]) for p in names])[:-1]
        xs, ys = x[idx], y[idx]
        for v in which:
            models[v].eval()
            with torch.no_grad():
                logits = models[v](xs)  # (n, 10): these parts in one pass
                losses = nn.functional.cross_entropy(logits, ys, reduction="none").numpy()
                hits = (logits.argmax(1) == ys).float().numpy()
            for p, loss, hit in zip(
                names, np.split(losses, bounds), np.split(hits, bounds), strict=True
            ):
                out[f"{p}_loss"][v] = loss.mean()
                out[f"{p}_acc"][v] = hit.mean()
        return out

    def kernels() -> np.ndarray:
        return np.stack([m.conv1.weight.detach()[:, 0].numpy().copy() for m in models])

    for epoch in range(1, config.epochs + 1):
        active = [v for v in range(n_var) if not early.stopped[v]]
        order = torch.randperm(len(xt), generator=gen)
        stopping = False
        for start in range(0, len(xt), config.batch_size):
            idx = order[start : start + config.batch_size]
            xb, yb = xt[idx], yt[idx]
            for v in active:
                models[v].train()
                optimizers[v].zero_grad()
                loss_fn(models[v](xb), yb).backward()
                optimizers[v].step()
            if stopping := should_stop():  # Stop takes effect within one batch
                break
        last = evaluate(active, ("train", "val"))  # the test part is looked at once, at the end
        used = np.array([o.param_groups[0]["lr"] for o in optimizers])  # (V,) this epoch's η
        for v in active:
            step_schedule(schedulers[v], float(last["val_loss"][v]))
        keep = early.update(epoch, last["val_loss"])
        for v in np.nonzero(keep)[0]:
            best_state[v] = copy.deepcopy(models[v].state_dict())
        ending = stopping or early.all_stopped or epoch == config.epochs
        snap = snapshot_due(epoch, config.snapshots) or ending  # the last epoch has its kernels
        yield EpochRecord(
            epoch,
            last["train_loss"].copy(),
            last["val_loss"].copy(),
            last["test_loss"].copy(),
            last["train_acc"].copy(),
            last["val_acc"].copy(),
            last["test_acc"].copy(),
            early.stopped.copy(),
            kernels=kernels() if snap else None,
            lr=used,
        )
        if ending:
            break

    if config.restore_best:  # early-stopping variants get their best weights back
        for v in np.nonzero(watch)[0]:
            models[v].load_state_dict(best_state[v])
    final = evaluate(list(range(n_var)), ("train", "val", "test"))
    preds = []
    for m in models:
        with torch.no_grad():
            preds.append(m.eval()(x[digits.test]).argmax(1).numpy())
    test_pred = np.stack(preds)  # (V, n_test)
    summary = NetSummary(
        early.best_epoch,
        early.stopped_at,
        weights=sum(p.numel() for p in template.parameters()),
        states=[{k: t.detach().numpy().copy() for k, t in m.state_dict().items()} for m in models],
        test_pred=test_pred,
        confusion=np.stack([confusion(digits.labels[digits.test], p) for p in test_pred]),
    )
    for p in parts:
        summary.final[f"{p}_loss"] = final[f"{p}_loss"]
        summary.final[f"{p}_acc"] = final[f"{p}_acc"]
    summary.final["gap"] = final["val_loss"] - final["train_loss"]
    yield summary

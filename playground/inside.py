"""Inside a small network: drawn data, input features, a network of chosen layers, and what every
neuron computes over the input plane.

Everything is a torch ``nn.Sequential`` built from a :class:`NetSpec`: the inputs are the
chosen features of (x₁, x₂) (x₁², x₁x₂, sin x₁ …, as in the TensorFlow Playground), each hidden
layer a ``Linear`` and its own activation (and dropout), initialised by ``torch.nn.init``, and
trained with a ``torch.optim`` optimizer on a loss with an optional L1 or L2 penalty.
:func:`activations` gives every neuron's output over a grid in one forward pass (forward hooks
on the activations), which is what the network picture draws in each node.

Drawn points travel in a link as :func:`encode_points` (4 characters a point).
"""

from __future__ import annotations

import base64
import itertools
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from playground.i18n import UserError
from playground.optimizers import RunSpec
from playground.training import Summary

WINDOW = 6.0  # the input plane is [-WINDOW, WINDOW]²
MAX_POINTS = 400
MAX_LAYERS, MAX_NEURONS = 6, 8
MAX_EPOCHS = 5000
CLASSES = 2

FEATURES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1sq": lambda a, b: a * a,
    "x2sq": lambda a, b: b * b,
    "x1x2": lambda a, b: a * b,
    "sin1": lambda a, b: torch.sin(a),
    "sin2": lambda a, b: torch.sin(b),
}
FEATURE_LABELS = {
    "x1": "x₁", "x2": "x₂", "x1sq": "x₁²", "x2sq": "x₂²", "x1x2": "x₁x₂",
    "sin1": "sin x₁", "sin2": "sin x₂",
}  # fmt: skip
ACTIVATIONS: dict[str, type[nn.Module]] = {
    "tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "linear": nn.Identity,
}  # fmt: skip
# name → how a Linear layer's weight is drawn (torch.nn.init); biases start at zero. "same":
# every weight equal, not zero: the symmetry lesson's neurons stay alike, and still learn
SAME_WEIGHT = 0.5
INITS: dict[str, Callable[[torch.Tensor], object]] = {
    "zeros": nn.init.zeros_,
    "same": lambda w: nn.init.constant_(w, SAME_WEIGHT),
    "normal": lambda w: nn.init.normal_(w, 0.0, 0.1),
    "xavier": nn.init.xavier_uniform_,
    "kaiming": lambda w: nn.init.kaiming_uniform_(w, nonlinearity="relu"),
}
PENALTIES = ("none", "l1", "l2")


@dataclass(frozen=True)
class NetSpec:
    """The network and its training.

    Attributes
    ----------
    features : tuple of str
        Input features (keys of FEATURES), in FEATURES' order.
    hidden : tuple of int
        Neurons of each hidden layer (0 to MAX_LAYERS layers of 1 to MAX_NEURONS).
    activations : tuple of str
        One per hidden layer (keys of ACTIVATIONS).
    init : str
        Keys of INITS.
    penalty, lam : str, float
        "none", "l1" (λ·Σ|w|) or "l2" (λ·Σw²) on the Linear weights, added to the loss.
    dropout : float
        p of dropout after every hidden layer (training only).
    run : RunSpec
        The torch.optim optimizer and its settings.
    batch_size : int
        0 = full batch.
    regression : bool
        Points (x, y) fitted by a curve y = f(x) (x₁ only) instead of classes.
    seed : int
    """

    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    activations: tuple[str, ...] = ("tanh", "tanh")
    init: str = "xavier"
    penalty: str = "none"
    lam: float = 1e-3
    dropout: float = 0.0
    run: RunSpec = field(default_factory=lambda: RunSpec("adam", (("lr", 0.03),)))
    batch_size: int = 25
    regression: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.features or any(f not in FEATURES for f in self.features):
            raise UserError("err_in_features")
        if len(self.hidden) > MAX_LAYERS or any(not 1 <= n <= MAX_NEURONS for n in self.hidden):
            raise UserError("err_in_size", layers=MAX_LAYERS, neurons=MAX_NEURONS)
        if len(self.activations) != len(self.hidden) or any(
            a not in ACTIVATIONS for a in self.activations
        ):
            raise UserError("err_model_choice")
        if self.init not in INITS or self.penalty not in PENALTIES:
            raise UserError("err_model_choice")
        if not (0 <= self.lam <= 10 and 0 <= self.dropout < 1 and 0 <= self.batch_size <= 1000):
            raise UserError("err_in_training")

    @property
    def sizes(self) -> list[int]:
        """Widths of every layer: inputs, hidden layers, output."""
        return [len(self.features), *self.hidden, 1 if self.regression else CLASSES]


# What separates hidden layers' sizes typed as text: a comma or a space, as an English or a
# Chinese keyboard types them ("4, 2"; "4，2" and "4、2" from a Chinese input method, whose
# full-width digits int() reads)
_SEPARATORS = re.compile(r"[,，、;；\s]+")


def size_words(text: str) -> list[str]:
    """The hidden layers' sizes typed in ``text``, as words: "4，2" and "4 2" are "4, 2"."""
    return [w for w in _SEPARATORS.split(text) if w]


def parse_hidden(text: str) -> list[int] | None:
    """The hidden layers' sizes in ``text`` ("4, 2"; "" for none), or None if unusable (a word
    that is no whole number, a size outside 1..MAX_NEURONS, more than MAX_LAYERS layers)."""
    try:
        hidden = [int(v) for v in size_words(text)]
        NetSpec(hidden=tuple(hidden), activations=("tanh",) * len(hidden))
    except (ValueError, UserError):
        return None
    return hidden


def inputs(x: np.ndarray | torch.Tensor, features: tuple[str, ...]) -> torch.Tensor:
    """The features of points (N, 2) → (N, F), float32, in ``features``' order."""
    t = torch.as_tensor(np.asarray(x, dtype=np.float32))
    a, b = t[:, 0], t[:, 1]
    return torch.stack([FEATURES[f](a, b) for f in features], dim=1)


def build(spec: NetSpec) -> nn.Sequential:
    """The network of ``spec``, its weights drawn by ``spec.init`` from ``spec.seed``."""
    torch.manual_seed(spec.seed)
    layers: list[nn.Module] = []
    sizes = spec.sizes
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        linear = nn.Linear(n_in, n_out)
        INITS[spec.init](linear.weight)
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < len(spec.hidden):
            layers.append(ACTIVATIONS[spec.activations[i]]())
            if spec.dropout:
                layers.append(nn.Dropout(spec.dropout))
    return nn.Sequential(*layers)


def linears(model: nn.Sequential) -> list[nn.Linear]:
    return [m for m in model if isinstance(m, nn.Linear)]


def activations(model: nn.Sequential, x: torch.Tensor) -> list[np.ndarray]:
    """Every neuron's output for inputs ``x`` (N, F), from one forward pass in eval mode:
    [inputs (N, F), hidden layer 1 (N, n₁), …, output (N, classes or 1)] — the hidden layers'
    after their activation (forward hooks), the output as probabilities (classes) or values."""
    seen: list[torch.Tensor] = []
    hooks = [
        m.register_forward_hook(lambda _m, _i, out: seen.append(out.detach()))
        for m in model
        if isinstance(m, tuple(ACTIVATIONS.values()))
    ]
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(x)
    finally:
        for h in hooks:
            h.remove()
        model.train(was)
    last = out if out.shape[1] == 1 else torch.softmax(out, dim=1)
    return [x.numpy(), *(s.numpy() for s in seen), last.numpy()]


def grid(n: int = 50) -> np.ndarray:
    """(n², 2) points over the input plane, x₁ fastest (row i of the picture is x₂ = axis[i])."""
    axis = np.linspace(-WINDOW, WINDOW, n)
    a, b = np.meshgrid(axis, axis)
    return np.stack([a.ravel(), b.ravel()], axis=1)


def penalty(model: nn.Sequential, spec: NetSpec) -> torch.Tensor:
    """λ·Σ|w| (L1) or λ·Σw² (L2) over the Linear weights (not the biases); 0 for "none"."""
    if spec.penalty == "none" or not spec.lam:
        return torch.zeros(())
    weights = [m.weight for m in linears(model)]
    if spec.penalty == "l1":
        return spec.lam * sum(w.abs().sum() for w in weights)
    return spec.lam * sum((w * w).sum() for w in weights)


def loss_of(model: nn.Sequential, x: torch.Tensor, y: torch.Tensor, spec: NetSpec) -> torch.Tensor:
    """The data loss (cross-entropy on classes, MSE on values), without the penalty."""
    out = model(x)
    if spec.regression:
        return nn.functional.mse_loss(out[:, 0], y)
    return nn.functional.cross_entropy(out, y)


def accuracy_of(model: nn.Sequential, x: torch.Tensor, y: torch.Tensor, spec: NetSpec) -> float:
    """The share of points whose class is the most likely one (NaN for regression or none)."""
    if spec.regression or len(y) == 0:
        return math.nan
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


# ---------------------------------------------------------------- points


@dataclass(frozen=True, eq=False)
class Points:
    """Drawn data: ``xy`` (N, 2) in the window and ``label`` (N,) (class, or unused: 0)."""

    xy: np.ndarray
    label: np.ndarray

    def __len__(self) -> int:
        return len(self.xy)

    def key(self) -> str:
        """A hashable form (the link's)."""
        return encode_points(self)


def encode_points(points: Points) -> str:
    """4 URL-safe characters a point: x and y on 256 levels over the window, and the class."""
    q = np.clip(np.round((points.xy + WINDOW) / (2 * WINDOW) * 255), 0, 255).astype(np.uint8)
    raw = np.stack([q[:, 0], q[:, 1], points.label.astype(np.uint8)], axis=1).tobytes()
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode_points(text: str) -> Points:
    """The points of :func:`encode_points`; UserError for a malformed or oversized text."""
    if len(text) > 4 * MAX_POINTS or len(text) % 4:
        raise UserError("err_in_points", most=MAX_POINTS)
    try:
        raw = base64.b64decode(text.encode("ascii"), altchars=b"-_", validate=True)
    except (ValueError, UnicodeEncodeError):  # (binascii.Error is a ValueError)
        raise UserError("err_in_points", most=MAX_POINTS) from None
    values = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
    if (values[:, 2] >= CLASSES).any():
        raise UserError("err_in_points", most=MAX_POINTS)
    xy = values[:, :2].astype(np.float64) / 255 * (2 * WINDOW) - WINDOW
    return Points(xy, values[:, 2].astype(np.int64))


def add_point(points: Points, xy: tuple[float, float], label: int) -> Points:
    """``points`` with one more (dropped beyond MAX_POINTS: the oldest goes)."""
    new_xy = np.vstack([points.xy, np.clip(np.array(xy, float), -WINDOW, WINDOW)])
    new_label = np.append(points.label, int(label))
    return Points(new_xy[-MAX_POINTS:], new_label[-MAX_POINTS:])


def erase_near(points: Points, xy: tuple[float, float], radius: float = 0.6) -> Points:
    """``points`` without those within ``radius`` of ``xy``."""
    keep = np.hypot(*(points.xy - np.array(xy, float)).T) > radius
    return Points(points.xy[keep], points.label[keep])


def preset(name: str, n: int = 120, seed: int = 0) -> Points:
    """The lab's tasks (moons, circles, spirals, xor) scaled to the window, or "gauss"."""
    from playground import data

    rng = np.random.default_rng(seed)
    if name == "gauss":
        y = rng.integers(0, 2, n)
        xy = rng.normal(0, 1.0, (n, 2)) + np.where(y[:, None] == 1, 2.0, -2.0)
    elif name == "line":  # regression: a noisy curve, y against x₁
        x = rng.uniform(-5, 5, n)
        xy = np.stack([x, 3 * np.sin(x) + rng.normal(0, 0.3, n)], axis=1)
        y = np.zeros(n, int)
    else:
        split = data.make_task(
            data.TaskConfig(task=name, n=n, noise=0.1, label_noise=0.0, seed=seed)
        )
        xy, y = split.x, split.y.astype(int)
        xy = xy / max(np.abs(xy).max(), 1e-9) * (WINDOW - 1)
    return Points(np.clip(xy, -WINDOW, WINDOW), y.astype(np.int64))


PRESETS = ("moons", "circles", "xor", "spirals", "gauss")


# ---------------------------------------------------------------- training


@dataclass(frozen=True)
class Record:
    """One epoch: its number, training and test loss, and the weights (a state dict of arrays)
    every ``every`` epochs and at the end (None between); for classes, the accuracies."""

    epoch: int
    train_loss: float
    test_loss: float
    state: dict[str, np.ndarray] | None
    train_acc: float = math.nan
    test_acc: float = math.nan


@dataclass(frozen=True)
class Steps:
    """How long one Train lasts (``epochs``; the trainers' pacing reads it)."""

    epochs: int = 300

    def __post_init__(self) -> None:
        if not 1 <= self.epochs <= MAX_EPOCHS:
            raise UserError("err_schedule", epochs=MAX_EPOCHS)


@dataclass(eq=False)
class InsideSummary(Summary):
    state: dict[str, np.ndarray] = field(default_factory=dict)
    moments: tuple | None = None  # (the run's RunSpec, its optimizer's state_dict): train again


def moments_of(optimizer: torch.optim.Optimizer, spec: NetSpec) -> tuple:
    """What the next Train or Step needs to go on with ``optimizer`` as if it had never stopped
    (Adam's averages, momentum buffers, step counts): a fresh optimizer's first steps from
    trained weights made the loss jump each time Train was pressed again."""
    return (spec.run, optimizer.state_dict())


def test_mask(points: Points, seed: int, test: float = 0.3) -> np.ndarray:
    """Which points are held out to test, (N,) bool: each point by a hash of its own position
    (on the link's grid) and the seed, so adding or erasing a point never moves the others
    between training and test. At least one of each when there are two points or more."""
    q = np.clip(np.round((points.xy + WINDOW) / (2 * WINDOW) * 255), 0, 255).astype(np.int64)
    mixed = (q[:, 0] * 73856093) ^ (q[:, 1] * 19349663) ^ ((seed + 1) * 83492791)
    mask = (mixed % 1000) < int(1000 * test)
    if len(points) >= 2 and mask.all():
        mask[0] = False
    if len(points) >= 2 and not mask.any():
        mask[0] = True
    return mask


def split(points: Points, spec: NetSpec, test: float = 0.3):
    """Train and test tensors of the drawn points (:func:`test_mask`): x as features, y."""
    if len(points) < 4:
        raise UserError("err_in_few_points")
    held = test_mask(points, spec.seed, test)
    if spec.regression:
        xy = np.stack([points.xy[:, 0], np.zeros(len(points))], axis=1)
        x, y = inputs(xy, spec.features), torch.tensor(points.xy[:, 1], dtype=torch.float32)
    else:
        x, y = inputs(points.xy, spec.features), torch.tensor(points.label)
    te, tr = np.nonzero(held)[0], np.nonzero(~held)[0]
    return x[tr], y[tr], x[te], y[te]


def state_of(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def load(model: nn.Module, state: dict[str, np.ndarray] | None) -> nn.Module:
    if state:
        model.load_state_dict({k: torch.as_tensor(v) for k, v in state.items()})
    return model


def train(
    source: tuple,
    steps: Steps,
    should_stop: Callable[[], bool] = lambda: False,
    every: int = 5,
) -> Iterator[Record | InsideSummary]:
    """Train from ``source`` = (points, spec, starting weights or None, first epoch number[,
    the optimizer's moments from the last training, ``moments_of``]): a :class:`Record` per
    epoch (weights every ``every`` epochs), then an InsideSummary with the final weights and
    moments. ``should_stop`` is asked after every mini-batch.

    The moments are taken up only by the same optimizer with the same settings (a changed
    optimizer or η starts a new one, as a new ``torch.optim`` object would)."""
    points, spec, start, first, *rest = source
    moments = rest[0] if rest else None
    epochs = steps.epochs
    model = load(build(spec), start)
    settings = dict(spec.run.settings)
    if "foreach" in spec.run.spec.cls.__init__.__code__.co_varnames:
        settings["foreach"] = True  # one call for all of a step's tensors (CPU loops else)
    optimizer = spec.run.spec.build(model.parameters(), settings)
    if start and moments is not None and moments[0] == spec.run:
        optimizer.load_state_dict(moments[1])
    xt, yt, xv, yv = split(points, spec)
    gen = torch.Generator().manual_seed(spec.seed + first)
    stopping = False
    for epoch in range(first + 1, first + epochs + 1):
        model.train()
        size = spec.batch_size or len(xt)
        order = torch.randperm(len(xt), generator=gen)
        for lo in range(0, len(xt), size):
            idx = order[lo : lo + size]
            optimizer.zero_grad()
            loss = loss_of(model, xt[idx], yt[idx], spec)
            if spec.penalty != "none":
                loss = loss + penalty(model, spec)
            loss.backward()
            optimizer.step()
            if stopping := should_stop():
                break
        model.eval()
        with torch.no_grad():
            tl, vl = float(loss_of(model, xt, yt, spec)), float(loss_of(model, xv, yv, spec))
        last = stopping or epoch == first + epochs or not math.isfinite(tl)
        accs = accuracy_of(model, xt, yt, spec), accuracy_of(model, xv, yv, spec)
        yield Record(epoch, tl, vl, state_of(model) if last or epoch % every == 0 else None, *accs)
        if last:
            break
    yield InsideSummary(
        np.zeros(1, int),
        np.full(1, -1),
        state=state_of(model),
        moments=moments_of(optimizer, spec),
    )


def evaluate(points: Points, spec: NetSpec, state: dict[str, np.ndarray] | None) -> Record:
    """The losses and accuracies of the network with weights ``state`` (None: fresh ones), as
    a Record of epoch 0 without weights: what the progress line says after a weight was set by
    hand (the last training record describes weights that are gone)."""
    model = load(build(spec), state).eval()
    xt, yt, xv, yv = split(points, spec)
    with torch.no_grad():
        losses = float(loss_of(model, xt, yt, spec)), float(loss_of(model, xv, yv, spec))
    accs = accuracy_of(model, xt, yt, spec), accuracy_of(model, xv, yv, spec)
    return Record(0, *losses, None, *accs)


def node_maps(model: nn.Sequential, spec: NetSpec, n: int = 50) -> list[np.ndarray]:
    """Every node's output over an n × n grid of the input plane: one (width, n, n) array per
    layer (inputs, hidden layers, output), from one forward pass (:func:`activations`). For
    regression the network reads x₁ alone: each map varies along x₁ only."""
    points = grid(n)
    if spec.regression:
        points = np.stack([points[:, 0], np.zeros(len(points))], axis=1)
    layers = activations(model, inputs(points, spec.features))
    return [a.T.reshape(a.shape[1], n, n) for a in layers]


def weights_of(state: dict[str, np.ndarray], spec: NetSpec) -> list[np.ndarray]:
    """The Linear layers' weight matrices (out, in), in order, from a state dict."""
    names = [k for k in state if k.endswith(".weight")]
    names.sort(key=lambda k: int(k.split(".")[0]))
    return [state[k] for k in names]


def has_hidden_space(spec: NetSpec) -> bool:
    """Whether :func:`hidden_space` has a picture: a classifier whose last hidden layer has 2."""
    return bool(spec.hidden) and spec.hidden[-1] == 2 and not spec.regression


def hidden_space(model: nn.Sequential, spec: NetSpec, points: Points, lines: int = 13, n: int = 60):
    """Where the last hidden layer (of 2 neurons) puts the input plane: the points' images
    (N, 2) and the images of a grid of lines (2·lines lines of n points, each (n, 2)); None
    unless the last hidden layer has exactly 2 neurons. In that space the output layer draws a
    straight boundary: what the hidden layers do is bend the plane until one suffices."""
    if not has_hidden_space(spec):
        return None
    axis = np.linspace(-WINDOW, WINDOW, n)
    ticks = np.linspace(-WINDOW, WINDOW, lines)
    grid_lines = [np.stack([axis, np.full(n, v)], 1) for v in ticks]
    grid_lines += [np.stack([np.full(n, v), axis], 1) for v in ticks]
    stacked = np.concatenate([points.xy, *grid_lines])  # (N + 2·lines·n, 2)
    last = activations(model, inputs(stacked, spec.features))[-2]  # (…, 2)
    images = last[len(points) :].reshape(2 * lines, n, 2)
    return last[: len(points)], list(images)

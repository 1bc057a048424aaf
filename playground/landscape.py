"""Loss landscapes of real networks: slices, paths, and sharpness, for any ``nn.Module``.

A network with P weights has a loss over P dimensions; a picture is always a slice of it:

* a **plane** through weights θ spanned by two directions d₁, d₂ — the loss at
  θ + α·d₁ + β·d₂ on a grid of (α, β) (:func:`surface`);
* a **line** between two weight vectors (:func:`line`).

Two ways to choose the plane (Li et al., "Visualizing the Loss Landscape of Neural Nets",
NeurIPS 2018):

* :func:`random_direction`: a random direction *filter-normalised*: each filter (a row of a
  Linear weight, an output channel of a Conv) rescaled to the norm of the same filter in the
  weights, biases zero, so that landscapes of networks of different scales compare;
* :func:`pca_plane`: the first two principal components of weight snapshots taken along
  training, which hold most of a path (their explained variance says how much).

:func:`sharpness` is the largest eigenvalue λ_max of the loss's Hessian, by power iteration on
Hessian–vector products. Gradient descent with step η is stable on a quadratic only while
λ_max < 2/η; on real networks trained with full-batch gradient descent, λ_max rises until it
reaches 2/η and then hovers there while the loss keeps falling, non-monotonically (Cohen et al.,
"Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability", ICLR 2021).

Everything here is torch and numpy; it works from a notebook on any model::

    d1 = random_direction(model, torch.Generator().manual_seed(0))
    d2 = random_direction(model, torch.Generator().manual_seed(1))
    z = surface(model, F.mse_loss, x, y, d1, d2, np.linspace(-1, 1, 41), np.linspace(-1, 1, 41))
    lam = sharpness(model, F.mse_loss, x, y)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import contextmanager, nullcontext

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, vmap

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Direction = (
    Sequence[torch.Tensor] | torch.Tensor | np.ndarray
)  # shaped like the parameters, or flat

__all__ = [
    "flat",
    "hvp_operator",
    "line",
    "losses_at",
    "losses_of",
    "pca_plane",
    "project",
    "random_direction",
    "sharpness",
    "surface",
    "top_eigenvalue",
]


def flat(model: nn.Module) -> torch.Tensor:
    """The model's parameters as one detached vector (P,), in ``model.parameters()`` order."""
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


def _split(vector: Direction, model: nn.Module) -> list[torch.Tensor]:
    """A direction shaped like ``model.parameters()`` (from a list of tensors or a flat vector)."""
    params = list(model.parameters())
    if isinstance(vector, np.ndarray | torch.Tensor):  # flat, in parameters() order
        v = torch.as_tensor(vector).reshape(-1)
        if v.numel() != sum(p.numel() for p in params):
            raise ValueError(f"a direction of {v.numel()} numbers for {len(params)} parameters")
        pieces = torch.split(v, [p.numel() for p in params])
        return [piece.reshape(p.shape).to(p.dtype) for piece, p in zip(pieces, params, strict=True)]
    return [torch.as_tensor(d).to(p.dtype) for d, p in zip(vector, params, strict=True)]


# ---------------------------------------------------------------- sharpness


def hvp_operator(model: nn.Module, loss_fn: LossFn, x: torch.Tensor, y: torch.Tensor):
    """v ↦ H·v for the Hessian H of ``loss_fn(model(x), y)`` in the parameters (flat vectors).

    The gradient is taken once with its graph; each product is one more backward through it
    (a Hessian–vector product costs about two gradients, never the P × P Hessian).
    """
    params = [p for p in model.parameters() if p.requires_grad]
    loss = loss_fn(model(x), y)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    g = torch.cat([gi.reshape(-1) for gi in grads])  # (P,)

    def hvp(v: torch.Tensor) -> torch.Tensor:
        hv = torch.autograd.grad(g, params, v, retain_graph=True)
        return torch.cat([h.reshape(-1) for h in hv]).detach()

    return hvp, g.numel(), g.dtype


def top_eigenvalue(
    hvp: Callable[[torch.Tensor], torch.Tensor],
    size: int,
    iters: int = 20,
    start: torch.Tensor | None = None,
    tol: float = 0.0,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float32,
) -> tuple[float, torch.Tensor]:
    """The largest eigenvalue of a symmetric operator given as ``hvp``, by power iteration.

    Power iteration v ← H·v / ‖H·v‖ converges to the eigenvalue of largest *magnitude*; when that
    one is negative (a saddle's steepest way down beats every upward curvature), it is run again
    on H − λ·I, whose top eigenvalue is λ_max − λ, so the result is always the largest one.

    Parameters
    ----------
    hvp : callable
        v ↦ H·v on flat vectors of ``size`` numbers.
    iters : int
        Products at most (per pass); ``tol`` ends it earlier when the estimate changes by less
        than tol relative.
    start : Tensor, optional
        Where the iteration starts (the previous eigenvector, along training: a warm start
        needs few products); a random unit vector otherwise.

    Returns
    -------
    (float, Tensor)
        The eigenvalue and its (unit) eigenvector.
    """

    def power(op, v: torch.Tensor) -> tuple[float, torch.Tensor]:
        lam = 0.0
        for _ in range(max(1, iters)):
            hv = op(v)
            new = float(torch.dot(v, hv))  # Rayleigh quotient of the unit vector v
            norm = float(hv.norm())
            if norm == 0.0 or not np.isfinite(norm):
                return new, v
            v = hv / norm
            done = tol > 0 and abs(new - lam) <= tol * abs(new)
            lam = new
            if done:
                break
        return lam, v

    if start is None or start.numel() != size or not torch.isfinite(start).all():
        start = torch.randn(size, generator=generator, dtype=dtype)
    v0 = start / start.norm().clamp_min(1e-30)
    lam, v = power(hvp, v0)
    if lam < 0:  # the largest magnitude is negative: find the top one of H − λI
        shift = lam
        mu, v = power(lambda u: hvp(u) - shift * u, v0)
        lam = shift + mu
    return lam, v


def sharpness(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    iters: int = 20,
    tol: float = 0.0,
    generator: torch.Generator | None = None,
) -> float:
    """The top eigenvalue λ_max of the Hessian of the mean loss ``loss_fn(model(x), y)``.

    By power iteration on Hessian–vector products (:func:`top_eigenvalue`), with the model in
    eval mode (dropout off: the loss must be one function), restored afterwards. On a quadratic
    loss gradient descent with step η converges only while λ_max < 2/η.

    Parameters
    ----------
    model : nn.Module
    loss_fn : callable
        (output, y) ↦ scalar mean loss, e.g. ``torch.nn.functional.mse_loss``.
    x, y : Tensor
        The data the loss is of (the whole training set, for the edge of stability).
    iters : int
        Hessian–vector products at most (20 give three to four digits on the lab's MLPs).
    """
    was_training = model.training
    model.eval()
    try:
        hvp, size, dtype = hvp_operator(model, loss_fn, x, y)
        lam, _ = top_eigenvalue(hvp, size, iters, tol=tol, generator=generator, dtype=dtype)
    finally:
        model.train(was_training)
    return lam


# ---------------------------------------------------------------- directions and planes


def random_direction(
    model: nn.Module, generator: torch.Generator | None = None
) -> list[torch.Tensor]:
    """A random direction, filter-normalised, shaped like ``model.parameters()`` (Li et al.).

    Each entry is drawn from N(0, 1); then every filter — a row of a Linear weight (its first
    axis), an output channel of a Conv weight — is rescaled to the norm of the same filter in
    the model's weights. Parameters of one axis (biases, a norm layer's scale) get zero: the
    direction does not move them.
    """
    directions = []
    for p in model.parameters():
        w = p.detach()
        if w.ndim <= 1:
            directions.append(torch.zeros_like(w))
            continue
        d = torch.randn(w.shape, generator=generator, dtype=w.dtype)
        rows_w = w.reshape(w.shape[0], -1).norm(dim=1)  # (filters,)
        rows_d = d.reshape(d.shape[0], -1).norm(dim=1).clamp_min(1e-12)
        d = d * (rows_w / rows_d).reshape(-1, *([1] * (w.ndim - 1)))
        directions.append(d)
    return directions


def pca_plane(
    snapshots: np.ndarray, center: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The plane of the first two principal components of weight snapshots.

    Parameters
    ----------
    snapshots : ndarray (T, P)
        Flattened weights along training (of one run, or of several runs stacked).
    center : ndarray (P,), optional
        The plane's origin; the snapshots' mean by default. Li et al. centre on a run's final
        weights instead (the plane then passes through the minimum the path ends in).

    Returns
    -------
    directions : ndarray (2, P)
        Orthonormal: the top two right singular vectors of ``snapshots − center``.
    explained : ndarray (2,)
        The share of ``‖snapshots − center‖²`` along each: S²ᵢ / ΣS².
    coords : ndarray (T, 2)
        Each snapshot's coordinates in the plane, (snapshots − center) · directionsᵀ.
    """
    snaps = np.asarray(snapshots, dtype=np.float64)
    origin = snaps.mean(0) if center is None else np.asarray(center, dtype=np.float64)
    centred = snaps - origin  # (T, P)
    # The SVD through the T × T Gram matrix: centred·centredᵀ = U S² Uᵀ, and the right singular
    # vectors are Vᵀ = S⁻¹ Uᵀ · centred. With T ≪ P (a few hundred snapshots of thousands of
    # weights) it is ~20× faster than numpy's SVD of the T × P matrix here, and as exact.
    eigenvalues, u = np.linalg.eigh(centred @ centred.T)  # ascending
    order = np.argsort(eigenvalues)[::-1][:2]
    s2 = np.clip(eigenvalues[order], 0.0, None)  # S² of the top two
    total = float(np.clip(eigenvalues, 0.0, None).sum())
    directions = np.zeros((2, snaps.shape[1]))
    explained = np.zeros(2)
    for k, (value, column) in enumerate(zip(s2, order, strict=False)):
        if total > 0 and value > 1e-12 * total:
            directions[k] = u[:, column] @ centred / np.sqrt(value)
            explained[k] = value / total
    return directions, explained, centred @ directions.T


def project(snapshots: np.ndarray, center: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """Coordinates (T, 2) of snapshots (T, P) in the plane center + span(directions (2, P)).

    The least-squares projection: for orthonormal directions (PCA) it is the dot product;
    random directions are not orthogonal, and this still gives the point of the plane nearest
    each snapshot.
    """
    d = np.asarray(directions, dtype=np.float64)  # (2, P)
    centred = np.asarray(snapshots, dtype=np.float64) - np.asarray(center, dtype=np.float64)
    gram = d @ d.T  # (2, 2)
    return np.linalg.lstsq(gram, d @ centred.T, rcond=None)[0].T  # (T, 2)


# ---------------------------------------------------------------- the loss on a slice


def losses_of(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    points: np.ndarray | torch.Tensor,
    chunk: int = 256,
) -> np.ndarray:
    """The loss at each row of ``points`` (G, P), flat weight vectors in ``parameters()`` order.

    All points are evaluated in batched calls (``torch.func.functional_call`` under ``vmap``,
    ``chunk`` points per call) with the model in eval mode; the model's own weights are not
    changed. Returns (G,) float64.
    """
    return _batched(model, loss_fn, x, y, len(points), lambda lo, hi: points[lo:hi], chunk)


def losses_at(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    center: Direction,
    directions: Sequence[Direction],
    coords: np.ndarray,
    chunk: int = 256,
) -> np.ndarray:
    """The loss at center + Σₖ coords[:, k] · directions[k] for every row of ``coords`` (G, K).

    As :func:`losses_of`, the points built a chunk at a time (never all G × P at once).
    """
    dtype = next(model.parameters()).dtype
    theta = _flat_of(center, model).to(torch.float64)  # (P,)
    d = torch.stack([_flat_of(di, model).to(torch.float64) for di in directions])  # (K, P)
    c = torch.as_tensor(np.asarray(coords, np.float64).reshape(len(coords), len(d)))  # (G, K)

    def points(lo: int, hi: int) -> torch.Tensor:
        return (theta + c[lo:hi] @ d).to(dtype)  # (C, P)

    with _eval_mode(model):
        stem = _Stem.of(model, x, torch.cat([theta[None], d]).to(dtype))
    return _batched(model, loss_fn, x, y, len(c), points, chunk, stem, c.to(dtype))


def _flat_of(vector: Direction, model: nn.Module) -> torch.Tensor:
    return torch.cat([v.reshape(-1) for v in _split(vector, model)])


class _Replay(nn.Module):
    """Stands in for a network's stem: returns the output it was given, whatever its input."""

    value: torch.Tensor

    def forward(self, _x: torch.Tensor) -> torch.Tensor:
        return self.value


class _Stem:
    """The layer that reads the data x, when it is one Linear or Conv layer called once.

    Its output is linear in its weight and bias together: layer(x; θ + Σₖ cₖ·dₖ) =
    layer(x; θ) + Σₖ cₖ·layer(x; dₖ). On a plane the K + 1 outputs are computed once, and each
    point's output is their combination instead of a pass of the data through the layer (the
    LeNet's first convolution was 40 % of its forward pass; bench_landscape.py).
    """

    LIMIT = 2**25  # numbers kept for the K + 1 outputs; above it, points are evaluated plainly

    def __init__(self, name: str, outputs: torch.Tensor) -> None:
        self.name, self.outputs = name, outputs  # outputs: (K + 1, *layer output)
        self.replay = _Replay()
        self.replay.value = torch.empty_like(outputs[0])

    @classmethod
    def of(cls, model: nn.Module, x: torch.Tensor, vectors: torch.Tensor) -> _Stem | None:
        """The stem of a convolutional ``model`` on x, its outputs at each flat vector (K+1, P).

        None for a model without convolutions (vmap batches an MLP's first layer with the rest)
        or when the first Linear/Conv layer called does not read x itself, is called again, or
        its K + 1 outputs would exceed :attr:`LIMIT` numbers.
        """
        modules = dict(model.named_modules())
        if not any(isinstance(m, nn.modules.conv._ConvNd) for m in modules.values()):
            return None
        calls: list[tuple[str, bool, int]] = []  # (layer, reads x itself, output size)

        def hook(name):
            return lambda _m, args, out: calls.append((name, args[0] is x, out.numel()))

        layers = (nn.Linear, nn.modules.conv._ConvNd)
        handles = [
            m.register_forward_hook(hook(n)) for n, m in modules.items() if isinstance(m, layers)
        ]
        try:
            with torch.no_grad():
                model(x)
        finally:
            for handle in handles:
                handle.remove()
        if not calls:
            return None
        name, reads_x, size = calls[0]
        stem = modules[name]
        own = sorted(n for n, _ in stem.named_parameters(recurse=False))
        if not reads_x or [c[0] for c in calls].count(name) > 1 or own != ["bias", "weight"]:
            return None
        if size * len(vectors) > cls.LIMIT:
            return None
        offsets = _offsets(model)
        outputs = []
        with torch.no_grad():
            for v in vectors:  # the layer's weight and bias cut out of each whole-model vector
                params = {leaf: v[slice(*offsets[f"{name}.{leaf}"])] for leaf in own}
                params = {k: t.reshape(getattr(stem, k).shape) for k, t in params.items()}
                outputs.append(functional_call(stem, params, (x,)))
        return cls(name, torch.stack(outputs))

    def play(self, coords: torch.Tensor) -> None:
        """Set the replayed output to the stem's at θ + Σₖ coords[k]·dₖ (coords (K,))."""
        value = self.replay.value  # one buffer, reused: a fresh one per point was 2× slower
        first, *rest = coords.tolist()
        torch.add(self.outputs[0], self.outputs[1], alpha=first, out=value)
        for k, c in enumerate(rest, start=2):
            value.add_(self.outputs[k], alpha=c)

    @contextmanager
    def swapped(self, model: nn.Module):
        """Inside, ``model``'s stem is the replay module; the original is always put back."""
        parent_name, _, leaf = self.name.rpartition(".")
        parent = model.get_submodule(parent_name)
        original = getattr(parent, leaf)
        setattr(parent, leaf, self.replay)
        try:
            yield
        finally:
            setattr(parent, leaf, original)


def _offsets(model: nn.Module) -> dict[str, tuple[int, int]]:
    """Each parameter's [start, stop) in the flat vector, in ``parameters()`` order."""
    offsets, start = {}, 0
    for name, p in model.named_parameters():
        offsets[name] = (start, start + p.numel())
        start += p.numel()
    return offsets


@contextmanager
def _eval_mode(model: nn.Module):
    was_training = model.training
    model.eval()
    try:
        yield
    finally:
        model.train(was_training)


def _batched(
    model, loss_fn, x, y, count: int, points, chunk: int, stem=None, coords=None
) -> np.ndarray:
    """Evaluate ``loss_fn(model_θ(x), y)`` for the flat vectors θ that ``points(lo, hi)`` gives.

    With a ``stem`` (:class:`_Stem`), point i's stem output is its combination at
    ``coords[i]`` and the rest of the model runs on it.
    """
    named = list(model.named_parameters())
    shapes = {n: p.shape for n, p in named}
    sizes = [p.numel() for _, p in named]
    skip = f"{stem.name}." if stem is not None else None
    dtype = named[0][1].dtype
    buffers = dict(model.named_buffers())

    def loss_of(theta: torch.Tensor) -> torch.Tensor:  # theta: (P,)
        pieces = zip(shapes, torch.split(theta, sizes), strict=True)
        params = {n: v.reshape(shapes[n]) for n, v in pieces if not (skip and n.startswith(skip))}
        return loss_fn(functional_call(model, (params, buffers), (x,)), y)

    def one_by_one(block: torch.Tensor, lo: int) -> torch.Tensor:
        losses = []
        for i, theta in enumerate(block):
            if stem is not None:
                stem.play(coords[lo + i])
            losses.append(loss_of(theta))
        return torch.stack(losses)

    # vmap batches the grid points through an MLP's matmuls (2× a loop here); through a
    # ConvNet's convolutions and max-pooling with batched weights it was 2× slower than plain
    # calls (bench_landscape.py), so a model with convolutions is evaluated point by point.
    convolutional = any(isinstance(m, nn.modules.conv._ConvNd) for m in model.modules())
    vmapped = vmap(loss_of)
    result = np.empty(count)
    with _eval_mode(model), torch.no_grad(), stem.swapped(model) if stem else nullcontext():
        for lo in range(0, count, chunk):
            block = torch.as_tensor(points(lo, min(lo + chunk, count))).to(dtype)  # (C, P)
            losses = one_by_one(block, lo) if convolutional else vmapped(block)
            result[lo : lo + len(block)] = losses.double().numpy()
    return result


def surface(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    d1: Direction,
    d2: Direction,
    alphas: Sequence[float],
    betas: Sequence[float],
    center: Direction | None = None,
) -> np.ndarray:
    """The loss at θ + α·d₁ + β·d₂ on a grid: shape (len(betas), len(alphas)).

    θ is the model's weights (or ``center``); row i, column j is β = betas[i], α = alphas[j]
    (as ``np.meshgrid(alphas, betas)``, the layout of a plotly contour's z). One batched
    evaluation per chunk of grid points (:func:`losses_at`).
    """
    a, b = np.meshgrid(np.asarray(alphas, float), np.asarray(betas, float))  # (B, A)
    coords = np.stack([a.ravel(), b.ravel()], axis=1)  # (B·A, 2)
    theta = flat(model) if center is None else center
    z = losses_at(model, loss_fn, x, y, theta, (d1, d2), coords)
    return z.reshape(a.shape)


def line(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    start: Direction,
    end: Direction,
    ts: Sequence[float],
) -> np.ndarray:
    """The loss at (1 − t)·start + t·end for every t (t = 0 is ``start``, t = 1 ``end``): the 1-D
    slice between two weight vectors — is there a barrier between two minima?"""
    a = torch.as_tensor(np.asarray(start)) if isinstance(start, np.ndarray) else start
    b = torch.as_tensor(np.asarray(end)) if isinstance(end, np.ndarray) else end
    a_flat = torch.cat([t.reshape(-1) for t in a]) if isinstance(a, list | tuple) else a
    b_flat = torch.cat([t.reshape(-1) for t in b]) if isinstance(b, list | tuple) else b
    step = (b_flat - a_flat).double()
    coords = np.asarray(ts, dtype=np.float64).reshape(-1, 1)
    return losses_at(model, loss_fn, x, y, a_flat.double(), (step,), coords)

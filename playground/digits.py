"""Handwritten digits for the ConvNet view: scikit-learn's bundled 8 × 8 images, offline.

scikit-learn ships 1,797 handwritten digits (8 × 8 pixels, grey levels 0–16, from the UCI
"Optical Recognition of Handwritten Digits" set) inside the package, so nothing is downloaded.
They are scaled to [0, 1], optionally upscaled (bilinear) so that kernels and feature maps are
easier to see, and split with a seed into training, validation and test parts. A "fraction of
the training data" keeps only part of the training split: few images make overfitting visible.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F  # noqa: N812 (the usual name)

from playground.i18n import UserError

SCALES = (1, 2, 3)  # 8 × 8, 16 × 16 or 24 × 24 pixels
MIN_TRAIN = 10  # images kept however small the fraction
MAX_SHIFT = 6  # pixels, in the model's input
MAX_ANGLE = 90.0  # degrees


ORIGINAL = 8  # px: the side of scikit-learn's digits as they ship


@dataclass(frozen=True)
class DigitsConfig:
    """Which images, how large, and how they are split."""

    scale: int = 2
    fraction: float = 1.0  # of the training split that is used for training
    val: float = 0.2
    test: float = 0.2
    seed: int = 0

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise UserError("err_digits_scale", scales=", ".join(map(str, SCALES)))
        if not (0 < self.fraction <= 1 and 0.05 <= self.val <= 0.4 and 0.05 <= self.test <= 0.4):
            raise UserError("err_digits_split")

    @property
    def size(self) -> int:
        """Side of one image in pixels."""
        return ORIGINAL * self.scale


@dataclass(frozen=True, eq=False)
class Digits:
    """All images and labels, and the indices of each part of the split."""

    images: np.ndarray  # (N, 1, S, S) float32 in [0, 1]
    labels: np.ndarray  # (N,) int64, 0–9
    train: np.ndarray  # indices into images
    val: np.ndarray
    test: np.ndarray

    @property
    def size(self) -> int:
        return self.images.shape[-1]


@functools.cache
def _raw() -> tuple[np.ndarray, np.ndarray]:
    """The bundled digits, read once per process: images (1797, 8, 8) in [0, 1], labels."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)
    labels = bunch.target.astype(np.int64)
    images.flags.writeable = labels.flags.writeable = False  # shared: nobody may change them
    return images, labels


def upscale(images: np.ndarray, scale: int) -> np.ndarray:
    """Bilinear upscaling of (N, S, S) images by an integer factor → (N, S·scale, S·scale)."""
    if scale == 1:
        return np.array(images, dtype=np.float32)
    x = torch.from_numpy(np.array(images, dtype=np.float32))[:, None]  # a writable copy
    out = F.interpolate(x, scale_factor=scale, mode="bilinear", align_corners=False)
    return out[:, 0].clamp(0, 1).numpy()


def load(config: DigitsConfig) -> Digits:
    """The digits at ``config.scale``, split with ``config.seed``.

    The test and validation parts are drawn first and do not depend on ``fraction``: with less
    training data the model is judged on the same images.
    """
    images, labels = _raw()
    n = len(labels)
    order = np.random.default_rng(config.seed).permutation(n)
    n_test, n_val = round(config.test * n), round(config.val * n)
    test, val, rest = order[:n_test], order[n_test : n_test + n_val], order[n_test + n_val :]
    keep = max(MIN_TRAIN, round(config.fraction * len(rest)))
    train = rest[:keep]
    big = upscale(images, config.scale)[:, None]  # (N, 1, S, S)
    return Digits(big, labels.copy(), np.sort(train), np.sort(val), np.sort(test))


def move(image: np.ndarray, dx: int = 0, dy: int = 0, angle: float = 0.0) -> np.ndarray:
    """The (S, S) ``image`` rotated by ``angle`` degrees (anticlockwise, about its centre,
    bilinear) and shifted by ``dx`` pixels right and ``dy`` pixels down; what leaves the frame
    is lost, what enters is blank (0). No move returns the image unchanged."""
    if abs(dx) > MAX_SHIFT or abs(dy) > MAX_SHIFT or abs(angle) > MAX_ANGLE:
        raise UserError("err_digits_move", shift=MAX_SHIFT, angle=int(MAX_ANGLE))
    out = np.array(image, dtype=np.float32)
    if angle:
        a = math.radians(angle)
        # affine_grid maps output to input coordinates: the inverse rotation
        theta = torch.tensor([[math.cos(a), -math.sin(a), 0.0], [math.sin(a), math.cos(a), 0.0]])
        x = torch.from_numpy(out)[None, None]
        grid = F.affine_grid(theta[None], list(x.shape), align_corners=False)
        out = F.grid_sample(x, grid, mode="bilinear", align_corners=False)[0, 0].numpy()
    s = out.shape[0]
    shifted = np.zeros_like(out)
    if abs(dx) < s and abs(dy) < s:
        shifted[max(dy, 0) : s + min(dy, 0), max(dx, 0) : s + min(dx, 0)] = out[
            max(-dy, 0) : s + min(-dy, 0), max(-dx, 0) : s + min(-dx, 0)
        ]
    return shifted

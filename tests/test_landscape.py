"""playground.landscape against independent references: the full Hessian from
torch.autograd.functional, numpy's SVD, the loss evaluated directly at the weights, hand
calculations."""

import copy

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from playground import landscape as ll
from playground.convnet import LeNet, NetConfig


def tiny_mlp(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 3), nn.Tanh(), nn.Linear(3, 1))


def tiny_data(seed: int = 0, n: int = 30):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=g)
    return x, torch.sin(x[:, :1] * 2) + 0.1 * torch.randn(n, 1, generator=g)


def direct_loss(model: nn.Module, loss_fn, x, y, theta: torch.Tensor) -> float:
    """The loss with the weights set to ``theta`` the plain way (a copy of the model)."""
    m = copy.deepcopy(model)
    vector_to_parameters(theta.to(torch.float32), m.parameters())
    m.eval()
    with torch.no_grad():
        return float(loss_fn(m(x), y))


def full_hessian(model: nn.Module, loss_fn, x, y) -> np.ndarray:
    params = [p.detach() for p in model.parameters()]
    names = [n for n, _ in model.named_parameters()]
    shapes = [p.shape for p in params]
    sizes = [p.numel() for p in params]

    x, y = x.double(), y.double()

    def f(theta):
        pieces = [t.reshape(s) for t, s in zip(torch.split(theta, sizes), shapes, strict=True)]
        out = torch.func.functional_call(model, dict(zip(names, pieces, strict=True)), (x,))
        return loss_fn(out, y)

    theta = torch.cat([p.reshape(-1) for p in params]).double()
    model.double()
    return torch.autograd.functional.hessian(f, theta).numpy()


def test_sharpness_is_the_top_eigenvalue_of_the_full_hessian():
    model, (x, y) = tiny_mlp(), tiny_data()
    model.double()
    x, y = x.double(), y.double()
    lam = ll.sharpness(model, nn.functional.mse_loss, x, y, iters=2000, tol=1e-12)
    top = np.linalg.eigvalsh(full_hessian(model, nn.functional.mse_loss, x, y))[-1]
    assert lam == pytest.approx(top, rel=1e-4)


def test_sharpness_finds_the_largest_eigenvalue_when_a_negative_one_is_larger_in_size():
    # out = (w0, w1) for x = I; loss = Σ y·out² with y = (−3, 1): Hessian diag(−6, 2)
    model = nn.Linear(2, 1, bias=False)
    x = torch.eye(2)
    y = torch.tensor([[-3.0], [1.0]])
    lam = ll.sharpness(model, lambda out, t: (t * out**2).sum(), x, y, iters=200, tol=1e-10)
    assert lam == pytest.approx(2.0, rel=1e-6)


def test_sharpness_leaves_the_model_as_it_was():
    model, (x, y) = tiny_mlp(), tiny_data()
    before = parameters_to_vector(model.parameters()).clone()
    model.train()
    ll.sharpness(model, nn.functional.mse_loss, x, y)
    assert model.training
    assert torch.equal(before, parameters_to_vector(model.parameters()))


@pytest.mark.parametrize(
    "model", [tiny_mlp(), LeNet(16, NetConfig(channels1=3, channels2=4, hidden=8))]
)
def test_random_direction_is_filter_normalised_with_zero_biases(model):
    d = ll.random_direction(model, torch.Generator().manual_seed(3))
    params = list(model.parameters())
    assert [t.shape for t in d] == [p.shape for p in params]
    for t, p in zip(d, params, strict=True):
        if p.ndim == 1:
            assert torch.count_nonzero(t) == 0
            continue
        for filt_d, filt_w in zip(t, p.detach(), strict=True):  # rows / output channels
            assert float(filt_d.norm()) == pytest.approx(float(filt_w.norm()), rel=1e-5)
        assert not torch.allclose(t, p.detach())  # random, not the weights themselves


def test_random_direction_depends_on_the_generator_only():
    model = tiny_mlp()
    a = ll.random_direction(model, torch.Generator().manual_seed(1))
    b = ll.random_direction(model, torch.Generator().manual_seed(1))
    c = ll.random_direction(model, torch.Generator().manual_seed(2))
    assert all(torch.equal(u, v) for u, v in zip(a, b, strict=True))
    assert not torch.equal(a[0], c[0])


def test_surface_equals_the_loss_evaluated_at_each_grid_point():
    model, (x, y) = tiny_mlp(), tiny_data()
    d1 = ll.random_direction(model, torch.Generator().manual_seed(1))
    d2 = ll.random_direction(model, torch.Generator().manual_seed(2))
    alphas, betas = np.linspace(-1, 1, 7), np.linspace(-0.5, 2, 5)
    z = ll.surface(model, nn.functional.mse_loss, x, y, d1, d2, alphas, betas)
    assert z.shape == (len(betas), len(alphas))
    theta = parameters_to_vector(model.parameters()).detach().double()
    f1, f2 = (torch.cat([t.reshape(-1) for t in d]).double() for d in (d1, d2))
    for i, j in [(0, 0), (2, 3), (4, 6), (1, 5)]:
        point = theta + alphas[j] * f1 + betas[i] * f2
        assert z[i, j] == pytest.approx(
            direct_loss(model, nn.functional.mse_loss, x, y, point), rel=1e-5
        )


def plain_lenet_loss(model: LeNet, theta: torch.Tensor, x, y) -> float:
    """The LeNet's cross-entropy at ``theta`` with torch's own layers (max_pool2d, ReLU first)."""
    m = copy.deepcopy(model)
    vector_to_parameters(theta.to(torch.float32), m.parameters())
    with torch.no_grad():
        h = nn.functional.max_pool2d(torch.relu(m.conv1(x)), 2)
        h = nn.functional.max_pool2d(torch.relu(m.conv2(h)), 2).flatten(1)
        return float(nn.functional.cross_entropy(m.fc2(torch.relu(m.fc1(h))), y))


def test_surface_of_a_convnet_equals_torchs_layers_at_each_grid_point():
    # the first convolution's output is combined from the plane's outputs, not recomputed
    torch.manual_seed(0)
    model = LeNet(16, NetConfig(channels1=3, channels2=4, hidden=8))
    g = torch.Generator().manual_seed(3)
    x, y = torch.randn(20, 1, 16, 16, generator=g), torch.randint(0, 10, (20,), generator=g)
    d1 = ll.random_direction(model, torch.Generator().manual_seed(1))
    d2 = ll.random_direction(model, torch.Generator().manual_seed(2))
    alphas, betas = np.linspace(-1, 1, 5), np.linspace(-2, 1, 4)
    first = model.conv1
    z = ll.surface(model, nn.functional.cross_entropy, x, y, d1, d2, alphas, betas)
    assert model.conv1 is first and model.training  # the model is as it was
    theta = parameters_to_vector(model.parameters()).detach().double()
    f1, f2 = (torch.cat([t.reshape(-1) for t in d]).double() for d in (d1, d2))
    for i, j in [(0, 0), (1, 3), (3, 4), (2, 1)]:
        want = plain_lenet_loss(model, theta + alphas[j] * f1 + betas[i] * f2, x, y)
        assert z[i, j] == pytest.approx(want, rel=1e-5)


class Shared(nn.Module):
    """A convolution applied twice (weights shared): its output is not linear in the weights."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(1, 1, 3, padding=1)
        self.out = nn.Linear(16, 1)

    def forward(self, x):
        return self.out(torch.tanh(self.conv(torch.tanh(self.conv(x)))).flatten(1))


def test_surface_of_a_layer_used_twice_is_still_the_loss_at_each_point():
    model = Shared()
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(8, 1, 4, 4, generator=g), torch.randn(8, 1, generator=g)
    d1 = ll.random_direction(model, torch.Generator().manual_seed(1))
    d2 = ll.random_direction(model, torch.Generator().manual_seed(2))
    z = ll.surface(model, nn.functional.mse_loss, x, y, d1, d2, [0.0, 1.5], [-1.0, 2.0])
    theta = parameters_to_vector(model.parameters()).detach().double()
    f1, f2 = (torch.cat([t.reshape(-1) for t in d]).double() for d in (d1, d2))
    want = direct_loss(model, nn.functional.mse_loss, x, y, theta + 1.5 * f1 + 2.0 * f2)
    assert z[1, 1] == pytest.approx(want, rel=1e-5)


def test_a_failing_loss_leaves_the_model_whole():
    torch.manual_seed(0)
    model = LeNet(16, NetConfig(channels1=3, channels2=4, hidden=8))
    first = model.conv1
    d = ll.random_direction(model, torch.Generator().manual_seed(1))

    def broken(_out, _y):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        ll.surface(model, broken, torch.zeros(2, 1, 16, 16), torch.zeros(2), d, d, [0.0], [0.0])
    assert model.conv1 is first and model.training


def test_surface_accepts_flat_directions_and_a_center():
    model, (x, y) = tiny_mlp(), tiny_data()
    p = sum(q.numel() for q in model.parameters())
    rng = np.random.default_rng(0)
    d1, d2, center = rng.normal(size=p), rng.normal(size=p), rng.normal(size=p)
    z = ll.surface(model, nn.functional.mse_loss, x, y, d1, d2, [0.0, 0.3], [-0.2], center)
    want = direct_loss(
        model, nn.functional.mse_loss, x, y, torch.tensor(center + 0.3 * d1 - 0.2 * d2)
    )
    assert z[0, 1] == pytest.approx(want, rel=1e-5)


def test_line_runs_from_start_to_end():
    model, (x, y) = tiny_mlp(), tiny_data()
    a = parameters_to_vector(model.parameters()).detach()
    b = parameters_to_vector(tiny_mlp(seed=5).parameters()).detach()
    z = ll.line(model, nn.functional.mse_loss, x, y, a, b, [0.0, 0.5, 1.0])
    for value, t in zip(z, (0.0, 0.5, 1.0), strict=True):
        want = direct_loss(model, nn.functional.mse_loss, x, y, (1 - t) * a + t * b)
        assert value == pytest.approx(want, rel=1e-5)


@pytest.mark.parametrize("centred_on_last", [False, True])
def test_pca_plane_equals_numpys_svd_up_to_sign(centred_on_last):
    rng = np.random.default_rng(1)
    snaps = rng.normal(size=(40, 300)) @ np.diag(np.linspace(3, 0.1, 300))
    center = snaps[-1] if centred_on_last else None
    directions, explained, coords = ll.pca_plane(snaps, center)
    origin = snaps[-1] if centred_on_last else snaps.mean(0)
    _, s, vt = np.linalg.svd(snaps - origin, full_matrices=False)
    for k in range(2):
        sign = np.sign(directions[k] @ vt[k])
        np.testing.assert_allclose(sign * directions[k], vt[k], atol=1e-8)
    np.testing.assert_allclose(explained, s[:2] ** 2 / (s**2).sum(), rtol=1e-9)
    # the coordinates are each snapshot's component in the plane
    np.testing.assert_allclose(coords, (snaps - origin) @ directions.T, atol=1e-9)
    in_plane = coords @ directions  # (T, P): the part of each snapshot the plane holds
    residual = (snaps - origin) - in_plane
    np.testing.assert_allclose(residual @ directions.T, 0.0, atol=1e-8)


def test_project_recovers_coordinates_on_a_skewed_plane():
    rng = np.random.default_rng(2)
    d = rng.normal(size=(2, 50))
    d[1] += 0.8 * d[0]  # not orthogonal, as two random directions are not
    center = rng.normal(size=50)
    coords = rng.normal(size=(6, 2))
    snaps = center + coords @ d
    np.testing.assert_allclose(ll.project(snaps, center, d), coords, atol=1e-10)


def test_losses_of_match_the_loss_at_each_vector():
    model, (x, y) = tiny_mlp(), tiny_data()
    p = sum(q.numel() for q in model.parameters())
    points = np.random.default_rng(3).normal(size=(5, p)).astype(np.float32)
    got = ll.losses_of(model, nn.functional.mse_loss, x, y, points, chunk=2)
    for value, point in zip(got, points, strict=True):
        assert value == pytest.approx(
            direct_loss(model, nn.functional.mse_loss, x, y, torch.from_numpy(point)), rel=1e-5
        )

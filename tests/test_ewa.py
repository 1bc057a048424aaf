"""The EWA against a direct loop, the closed form and hand values; torch's optimizer state."""

import numpy as np
import pytest
import torch

from playground import data, ewa, landscapes
from playground.i18n import UserError


def direct_loop(x, beta, v0=0.0):
    out, v = [], v0
    for value in x:
        v = beta * v + (1 - beta) * value
        out.append(v)
    return np.array(out)


def closed_form(x, beta):
    """v_t = (1 − β)·Σ_{i ≤ t} β^(t−i)·x_i for v_0 = 0, as a dense lower-triangular sum."""
    t = np.arange(1, len(x) + 1)
    powers = np.tril(beta ** (t[:, None] - t[None, :]).astype(float))
    return (1 - beta) * powers @ x


@pytest.mark.parametrize("beta", [0.0, 0.01, 0.5, 0.9, 0.98, 0.999, 0.99999])
@pytest.mark.parametrize("n", [1, 2, 37, 5000])
def test_ewa_equals_direct_loop(beta, n):
    x = np.random.default_rng(n).normal(3.0, 2.0, n)
    np.testing.assert_allclose(ewa.ewa(x, beta), direct_loop(x, beta), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        ewa.ewa(x, beta, "first"), direct_loop(x, beta, x[0]), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(
        ewa.ewa(x, beta, 7.5), direct_loop(x, beta, 7.5), rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize("beta", [0.3, 0.9, 0.99])
def test_ewa_equals_closed_form(beta):
    x = np.random.default_rng(1).normal(size=300)
    np.testing.assert_allclose(ewa.ewa(x, beta), closed_form(x, beta), rtol=1e-10, atol=1e-12)


def test_hand_values():
    # v1 = 0.1·10 = 1, v2 = 0.9·1 + 0.1·20 = 2.9, v3 = 0.9·2.9 + 0.1·0 = 2.61
    np.testing.assert_allclose(ewa.ewa([10.0, 20.0, 0.0], 0.9), [1.0, 2.9, 2.61])


def test_bias_correction_returns_a_constant_exactly_from_the_first_step():
    for beta in (0.5, 0.9, 0.999):
        corrected = ewa.ewa_corrected(np.full(50, 3.7), beta)
        np.testing.assert_allclose(corrected, 3.7, rtol=1e-12)
        assert ewa.ewa(np.full(50, 3.7), beta)[0] < 3.7  # the dip it corrects


def test_window_and_its_decay():
    assert ewa.window(0.9) == pytest.approx(10.0)
    assert pytest.approx(0.349, abs=1e-3) == 0.9**10
    assert ewa.weights(0.9, 11)[10] / ewa.weights(0.9, 11)[0] == pytest.approx(0.9**10)
    assert ewa.weights(0.98, 10_000).sum() == pytest.approx(1.0)


def test_swapped_convention_gives_the_same_curve():
    x = data.temperatures(seed=3)
    for beta in (0.5, 0.9, 0.98):
        swapped = ewa.ewa_new_sample_convention(x, ewa.swap(beta))
        np.testing.assert_allclose(swapped, ewa.ewa(x, beta), rtol=1e-10, atol=1e-10)


def test_torch_tensors_in_torch_tensors_out():
    x = torch.linspace(0, 1, 20, dtype=torch.float64)
    out = ewa.ewa(x, 0.8)
    assert isinstance(out, torch.Tensor)
    np.testing.assert_allclose(out.numpy(), direct_loop(x.numpy(), 0.8))
    assert isinstance(ewa.ewa_corrected(x, 0.8), torch.Tensor)


def test_beta_out_of_range_is_a_user_error():
    for beta in (-0.1, 1.0, 2.0):
        with pytest.raises(UserError):
            ewa.ewa([1.0, 2.0], beta)


@pytest.mark.parametrize("surface", ["rosenbrock", "himmelblau", "bowl"])
def test_optimizer_state_equals_the_ewa_of_raw_gradients(surface):
    land = landscapes.get(surface)
    result = ewa.optimizer_states(
        land, land.start, 150, {"momentum": 1e-3, "rmsprop": 1e-2, "adam": 1e-2}
    )
    assert set(result) == {"momentum", "rmsprop", "adam"}
    for name, r in result.items():
        for key, d in r["states"].items():
            scale = max(1.0, float(np.abs(d["torch"]).max()))
            assert np.abs(d["torch"] - d["ewa"]).max() <= 1e-6 * scale, (name, key)
    # PyTorch's momentum buffer is the EWA of gradients scaled by 1 / (1 − μ) (here 10).
    assert result["momentum"]["states"]["momentum_buffer"]["scale"] == pytest.approx(10.0)


def test_series_are_seeded():
    np.testing.assert_array_equal(data.temperatures(seed=1), data.temperatures(seed=1))
    assert len(data.temperatures()) == 365
    step = data.step_change(300, noise=0.0, size=5.0)
    assert step[0] == 10.0 and step[-1] == 15.0  # a level of 10 that jumps by 5

"""The learning-rate range test: torch's ExponentialLR against its closed form and a plain loop,
the marks on a curve worked out by hand, and the lab's "Use η" button."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from playground import data, lr_finder, training


def test_the_rates_grow_by_a_constant_factor_from_low_to_high_and_each_loss_is_a_plain_loops():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    start = [p.detach().clone() for p in model.parameters()]
    x, y = torch.randn(64, 2), torch.randn(64, 1)
    result = lr_finder.range_test(
        model,
        lambda p: torch.optim.SGD(p, lr=1.0),
        nn.functional.mse_loss,
        lambda step: (x, y),
        low=1e-4,
        high=1e-1,
        steps=30,
        diverge=1e9,
    )
    t = np.arange(30)
    np.testing.assert_allclose(result.lrs, 1e-4 * (1e3 ** (1 / 29)) ** t, rtol=1e-9)
    # the same run written out: plain SGD steps at those rates
    plain = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    with torch.no_grad():
        for p, s in zip(plain.parameters(), start, strict=True):
            p.copy_(s)
    for k, lr in enumerate(result.lrs):
        loss = nn.functional.mse_loss(plain(x), y)
        assert result.losses[k] == pytest.approx(float(loss.detach()), rel=1e-5)
        plain.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in plain.parameters():
                p -= lr * p.grad
    # the smoothed loss: an exponential average with bias correction
    v = 0.0
    for k, value in enumerate(result.losses):
        v = 0.9 * v + 0.1 * value
        assert result.smoothed[k] == pytest.approx(v / (1 - 0.9 ** (k + 1)))


def test_the_marks_on_a_curve_worked_out_by_hand():
    lrs = 10.0 ** np.arange(-3, 3)  # equal steps in log η
    smoothed = np.array([1.0, 0.95, 0.4, 0.3, 0.28, 5.0])
    # slopes (central differences): i=1: -0.6/2h, i=2: -0.65/2h (the steepest), i=3: -0.12/2h
    steepest, minimum = lr_finder.marks(lrs, smoothed)
    assert steepest == 1e-1 and minimum == 10.0


def test_a_run_that_blows_up_stops_early():
    split = data.make_task(data.TaskConfig(task="moons", n=100))
    config = training.TrainConfig(optimizer="sgd")
    result = lr_finder.lab(split, config, low=1e-4, high=1e4, steps=200)
    assert len(result.lrs) < 200
    assert result.steepest < result.minimum < 1e4
    assert math.isfinite(result.steepest)


def test_the_lab_runs_it_and_use_sets_the_learning_rate():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_app import open_view

    at = open_view("overfit.py")
    at.button(key="rt_run_lab").click().run()
    assert not at.exception
    use = at.button(key="rt_use_lab")
    suggestion = float(use.label.split("=")[-1])
    use.click().run()
    assert at.number_input(key="lab_lr").value == pytest.approx(suggestion)


def test_the_convnets_suggestion_trains_it():
    # the fresh-eyes teacher: the steepest point (0.038 with Adam) left the ConvNet at chance
    from playground import convnet, digits

    images = digits.load(digits.DigitsConfig())
    result = lr_finder.convnet(images, convnet.NetConfig())
    assert result.suggestion == pytest.approx(result.minimum / 10)
    config = convnet.NetConfig(
        lr=float(f"{result.suggestion:.2g}"), epochs=6, variants=(training.Variant("baseline"),)
    )
    records, _ = training.run(images, config, trainer=convnet.train)
    assert 1 - records[-1].val_acc[0] < 0.2


@pytest.mark.parametrize(
    "page, kind, train",
    [("overfit.py", "lab", "train_btn"), ("convnet.py", "convnet", "net_train_btn")],
)
@pytest.mark.parametrize("presenting", [False, True])
def test_the_range_test_comes_before_train_except_on_a_projector(page, kind, train, presenting):
    # on a projector Train and its charts come first (a teacher's first screen); on a laptop the
    # range test is offered before Train, where η is chosen. Drawn once either way.
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_app import open_view

    at = open_view(page)
    if presenting:
        at.toggle(key="presenter").set_value(True).run()
    assert not at.exception
    order = [getattr(node, "key", None) for node in at.main]  # (the page, top to bottom)
    assert order.count(f"rt_run_{kind}") == 1
    before = order.index(f"rt_run_{kind}") < order.index(train)
    assert before is not presenting

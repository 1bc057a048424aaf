"""The ConvNet view's library: digits, the LeNet model, its training loop and the robustness
moves, checked against hand calculations and a plain torch training loop."""

import numpy as np
import pytest
import torch
from torch import nn

from playground import convnet, digits, training
from playground.convnet import MaxPool2, NetConfig
from playground.digits import DigitsConfig
from playground.i18n import UserError
from playground.training import Variant

BASELINE = (Variant("baseline"),)
TINY = NetConfig(epochs=100)


@pytest.fixture(scope="module")
def full():
    return digits.load(DigitsConfig())


@pytest.fixture(scope="module")
def tiny_run():
    """The default variants on 10 % of the training split (108 images) for 100 epochs."""
    few = digits.load(DigitsConfig(fraction=0.1))
    return few, *training.run(few, TINY, trainer=convnet.train)


def test_layer_shapes_and_parameters_of_the_default_model():
    rows = convnet.layer_shapes(16, NetConfig())
    shapes = {name: shape for name, shape, _ in rows if name != "relu"}
    assert shapes["input"] == (1, 16, 16)
    assert shapes["conv1"] == (6, 16, 16) and shapes["conv2"] == (16, 8, 8)
    assert [s for n, s, _ in rows if n == "maxpool"] == [(6, 8, 8), (16, 4, 4)]
    assert shapes["flatten"] == (256,) and shapes["fc1"] == (64,) and shapes["fc2"] == (10,)
    params = dict((name, n) for name, _, n in rows if n)
    # by hand: 6·1·5·5 + 6, 16·6·3·3 + 16, 256·64 + 64, 64·10 + 10
    assert params == {"conv1": 156, "conv2": 880, "fc1": 16448, "fc2": 650}
    model = convnet.LeNet(16, NetConfig())
    assert sum(p.numel() for p in model.parameters()) == 156 + 880 + 16448 + 650


def test_digits_are_split_disjointly_and_the_fraction_only_shrinks_training(full):
    parts = [set(full.train), set(full.val), set(full.test)]
    assert sum(map(len, parts)) == len(set().union(*parts)) == 1797
    assert (
        full.images.shape == (1797, 1, 16, 16) and 0 <= full.images.min() < full.images.max() <= 1
    )
    few = digits.load(DigitsConfig(fraction=0.1))
    assert np.array_equal(few.val, full.val) and np.array_equal(few.test, full.test)
    assert set(few.train) < set(full.train) and len(few.train) == round(0.1 * len(full.train))
    assert len(digits.load(DigitsConfig(fraction=0.001)).train) == digits.MIN_TRAIN


def test_default_model_reaches_95_percent_test_accuracy_on_the_full_data(full):
    _, summary = training.run(full, NetConfig(variants=BASELINE), trainer=convnet.train)
    assert summary.final["test_acc"][0] >= 0.95
    assert summary.confusion[0].sum() == len(full.test)
    assert np.trace(summary.confusion[0]) / len(full.test) == pytest.approx(
        summary.final["test_acc"][0]
    )


def test_with_few_images_the_baseline_overfits_and_the_cures_narrow_the_gap(tiny_run):
    _, records, summary = tiny_run
    names = [v.name for v in NetConfig().variants]
    base = names.index("baseline")
    val_loss = np.array([r.val_loss[base] for r in records])
    val_err = 1 - np.array([r.val_acc[base] for r in records])
    train_err = 1 - np.array([r.train_acc[base] for r in records])
    assert train_err[-1] == 0.0  # it learned its few images by heart…
    assert val_loss[-1] > 1.2 * val_loss.min()  # …while its validation loss turned up
    assert val_err[-1] > val_err.min()  # and its validation error rose above its minimum
    gap = summary.final["gap"]
    cures = [names.index("dropout"), names.index("early_stopping")]
    assert min(gap[c] for c in cures) < gap[base]


def test_early_stopping_stops_patience_epochs_after_its_best_and_restores_it(tiny_run):
    _, records, summary = tiny_run
    es = [v.name for v in NetConfig().variants].index("early_stopping")
    assert summary.stopped_at[es] - summary.best_epoch[es] == NetConfig().patience
    best = min(r.val_loss[es] for r in records)
    assert summary.final["val_loss"][es] == pytest.approx(best, rel=1e-5)
    after = [r for r in records if r.epoch > summary.stopped_at[es]]
    assert all(r.val_loss[es] == records[summary.stopped_at[es] - 1].val_loss[es] for r in after)


def test_early_stopping_bookkeeping_matches_a_hand_count():
    tracker = training.EarlyStopping(np.array([True, False]), patience=2)
    losses = [1.0, 0.8, 0.9, 0.85, 0.7]  # best at epoch 2, then two epochs without improvement
    kept = [tracker.update(e, np.array([v, v])) for e, v in enumerate(losses, 1)]
    assert [bool(k[0]) for k in kept] == [True, True, False, False, False]
    assert tracker.stopped_at.tolist() == [4, -1] and tracker.best_epoch.tolist() == [2, 5]
    assert not kept[0][1]  # an unwatched variant never asks for its weights to be kept


def test_the_baseline_equals_a_plain_torch_training_loop(full):
    # One epoch (34 batches): float32 kernels may round differently between two equal calls
    # (on an Intel Xeon with AVX-512: 1.5e-8 after one epoch, grown to 5e-5 after two, as
    # training amplifies it); a wrong step, order or loss differs by far more after one.
    config = NetConfig(epochs=1, variants=BASELINE, optimizer="sgd", lr=0.05)
    _, summary = training.run(full, config, trainer=convnet.train)
    torch.manual_seed(config.seed)  # the same initial weights: same layers, same order
    plain = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(256, 64), nn.ReLU(), nn.Dropout(0.0), nn.Linear(64, 10),
    )  # fmt: skip
    opt = torch.optim.SGD(plain.parameters(), lr=0.05)
    x = torch.from_numpy(full.images[full.train])
    y = torch.from_numpy(full.labels[full.train])
    gen = torch.Generator().manual_seed(config.seed)
    for _ in range(config.epochs):
        order = torch.randperm(len(x), generator=gen)
        for start in range(0, len(x), config.batch_size):
            idx = order[start : start + config.batch_size]
            opt.zero_grad()
            nn.functional.cross_entropy(plain(x[idx]), y[idx]).backward()
            opt.step()
    ours = summary.states[0]
    for (name, theirs), layer in zip(
        plain.state_dict().items(), ["conv1.weight", "conv1.bias", "conv2.weight",
                                     "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight",
                                     "fc2.bias"], strict=True,
    ):  # fmt: skip
        np.testing.assert_allclose(ours[layer], theirs.numpy(), rtol=1e-5, atol=1e-6, err_msg=name)


def test_every_variant_starts_from_the_same_weights(full):
    config = NetConfig(epochs=1, lr=1e-12, optimizer="sgd")  # a step of ~0: kernels ≈ initial
    records, _ = training.run(full, config, trainer=convnet.train)
    torch.manual_seed(config.seed)
    template = convnet.LeNet(16, config)
    start = records[0].kernels
    assert start.shape == (4, 6, 5, 5)  # (V, kernels, 5, 5)
    for v in range(len(config.variants)):
        np.testing.assert_allclose(start[v], template.conv1.weight.detach()[:, 0], atol=1e-9)


def test_dropout_is_active_in_train_mode_and_off_in_eval_mode():
    model = convnet.LeNet(16, NetConfig(), dropout=0.5)
    x = torch.rand(8, 1, 16, 16)
    model.train()
    assert not torch.equal(model(x), model(x))
    model.eval()
    assert torch.equal(model(x), model(x))


def test_weight_decay_variant_ends_with_smaller_weights(full):
    config = NetConfig(
        epochs=3, variants=(Variant("baseline"), Variant("weight_decay", weight_decay=0.05))
    )
    _, summary = training.run(full, config, trainer=convnet.train)
    norms = [sum(float((a**2).sum()) for a in s.values()) for s in summary.states]
    assert norms[1] < norms[0]


def test_moving_by_nothing_leaves_image_and_prediction_unchanged(full):
    image = full.images[full.test[0], 0]
    assert np.array_equal(digits.move(image), image)
    model = convnet.LeNet(16, NetConfig()).eval()
    assert np.array_equal(
        convnet.inspect(model, digits.move(image))[0], convnet.inspect(model, image)[0]
    )


def test_shifts_move_pixels_and_rotations_turn_anticlockwise():
    image = np.zeros((8, 8), dtype=np.float32)
    image[2, 3] = 1.0
    moved = digits.move(image, dx=2, dy=-1)
    assert moved[1, 5] == 1.0 and moved.sum() == 1.0
    assert digits.move(image, dx=6).sum() == 0.0  # pushed out of the frame: lost
    # a quarter turn about the centre maps pixel centres onto pixel centres
    np.testing.assert_allclose(digits.move(image, angle=90.0), np.rot90(image), atol=1e-5)
    with pytest.raises(UserError):
        digits.move(image, dx=digits.MAX_SHIFT + 1)


def test_inspect_returns_probabilities_and_both_layers_feature_maps():
    model = convnet.LeNet(16, NetConfig(channels1=4, channels2=8)).eval()
    probs, maps1, maps2 = convnet.inspect(model, np.random.default_rng(0).random((16, 16)))
    assert probs.shape == (10,) and probs.sum() == pytest.approx(1.0, abs=1e-6)
    assert maps1.shape == (4, 16, 16) and maps2.shape == (8, 8, 8)
    assert maps1.min() >= 0 and maps2.min() >= 0  # after ReLU


def test_confusion_matrix_counts_by_hand():
    m = convnet.confusion(np.array([0, 0, 1, 9, 9]), np.array([0, 1, 1, 9, 3]))
    assert m[0, 0] == 1 and m[0, 1] == 1 and m[1, 1] == 1 and m[9, 9] == 1 and m[9, 3] == 1
    assert m.sum() == 5


def _after_batches(n: int):
    """A should_stop that is True from its ``n``-th call on (it is asked after every batch)."""
    calls = iter(range(10**9))
    return lambda: next(calls) >= n - 1


def _batches(data, config: NetConfig) -> int:
    return -(-len(data.train) // config.batch_size)  # per epoch


def test_stop_signal_ends_convnet_training_with_a_summary(full):
    config = NetConfig(variants=BASELINE)
    stop = _after_batches(2 * _batches(full, config))  # at the end of epoch 2
    records, summary = training.run(full, config, stop, trainer=convnet.train)
    assert len(records) == 2 and summary is not None and len(summary.states) == 1


def test_stop_takes_effect_within_one_batch(full):
    # #32: Stop was looked at once an epoch (a minute with batch size 1); now after each batch.
    config = NetConfig(variants=BASELINE, batch_size=4)
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) >= 3  # after the third batch of about 270

    records, summary = training.run(full, config, stop, trainer=convnet.train)
    assert len(asked) == 3 and [r.epoch for r in records] == [1] and summary is not None
    # what it trained is three batches of four: a hand loop of torch's own steps agrees
    torch.manual_seed(config.seed)
    model = convnet.LeNet(full.size, config)
    model.drop.p = 0.0  # the baseline
    assert config.optimizer == "adam"  # (the default; the hand loop below uses it)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    order = torch.randperm(len(full.train), generator=torch.Generator().manual_seed(config.seed))
    x, y = torch.tensor(full.images)[full.train], torch.tensor(full.labels)[full.train]
    for b in range(3):
        idx = order[b * 4 : (b + 1) * 4]
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model.train()(x[idx]), y[idx]).backward()
        opt.step()
    for name, value in model.state_dict().items():
        np.testing.assert_allclose(summary.states[0][name], value.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs",
    [{"channels1": 0}, {"channels2": 99}, {"epochs": 0}, {"epochs": 10_000}, {"lr": -1.0},
     {"batch_size": 0}, {"optimizer": "nope"}, {"variants": ()}],
)  # fmt: skip
def test_bad_network_settings_are_user_errors(kwargs):
    with pytest.raises(UserError):
        NetConfig(**kwargs)


@pytest.mark.parametrize("kwargs", [{"scale": 5}, {"fraction": 0.0}, {"val": 0.9}])
def test_bad_digit_settings_are_user_errors(kwargs):
    with pytest.raises(UserError):
        DigitsConfig(**kwargs)


def test_a_convnet_run_stopped_early_has_its_kernels_at_every_epoch_it_trained():
    # #31: stopped at epoch 6 of 200, the kernels' replay held epochs 1 and 6 (a grid made for
    # the planned epochs); it now holds every epoch up to 10, then every 2nd, 4th … epoch.
    few = digits.load(DigitsConfig(fraction=0.05))
    config = NetConfig(epochs=200, variants=BASELINE)
    stop = _after_batches(6 * _batches(few, config))  # at the end of epoch 6
    records, _ = training.run(few, config, stop, trainer=convnet.train)
    assert [r.epoch for r in records if r.kernels is not None] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("shape", [(3, 2, 16, 16), (2, 1, 7, 9)])
def test_maxpool2_without_autograd_equals_torchs_max_pool(shape):
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(0))
    x[0, 0, 0, 0] = float("nan")  # a diverged network's NaN survives pooling, as in torch
    with torch.no_grad():
        got = MaxPool2()(x)
    want = nn.functional.max_pool2d(x, 2)
    assert got.shape == want.shape
    assert torch.equal(got.isnan(), want.isnan())
    assert torch.equal(got.nan_to_num(), want.nan_to_num())


def test_maxpool2_with_autograd_gives_torchs_gradient():
    x = torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(1), requires_grad=True)
    (MaxPool2()(x) ** 2).sum().backward()
    mine = x.grad.clone()
    x.grad = None
    (nn.functional.max_pool2d(x, 2) ** 2).sum().backward()
    assert torch.equal(mine, x.grad)

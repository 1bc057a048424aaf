"""The overfitting lab: the lessons hold in the default preset's own numbers, and the batched
variants equal separately trained plain torch models."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from playground import data, training
from playground.training import TrainConfig, Variant

PRESET = data.TaskConfig()  # the default sine preset


@pytest.fixture(scope="module")
def preset_run():
    split = data.make_task(PRESET)
    records, summary = training.run(split, TrainConfig())
    return split, records, summary


def _val(records):
    return np.array([r.val_loss for r in records])  # (epochs, V)


def test_baseline_overfits_on_the_default_sine_preset(preset_run):
    _, records, summary = preset_run
    val = _val(records)[:, 0]
    train = np.array([r.train_loss for r in records])[:, 0]
    assert val[-1] > 1.5 * val.min()  # validation turns up…
    assert train[-1] < 0.5 * train[val.argmin()]  # …while training loss keeps falling
    assert summary.final["gap"][0] > 0.1


def test_early_stopping_restores_the_baseline_best_region_and_stops_within_patience(preset_run):
    _, records, summary = preset_run
    names = [v.name for v in TrainConfig().variants]
    es, base = names.index("early_stopping"), names.index("baseline")
    assert summary.stopped_at[es] - summary.best_epoch[es] == TrainConfig().patience
    best_baseline = _val(records)[:, base].min()
    assert summary.final["val_loss"][es] <= 1.1 * best_baseline
    assert summary.final["gap"][es] < summary.final["gap"][base]


def test_while_it_trains_a_stopped_variants_picture_is_its_best_model(preset_run):
    # the fresh-eyes teacher: mid-run, early stopping was drawn on the baseline's fit (its
    # weights train on after it stopped); only the final summary showed its best model
    _, records, summary = preset_run
    es = [v.name for v in TrainConfig().variants].index("early_stopping")
    later = [r for r in records if r.prediction is not None and r.epoch > summary.stopped_at[es]]
    assert len(later) >= 2
    for record in later:  # every picture after the stop: the model it keeps (the summary's)
        np.testing.assert_allclose(record.prediction[es], summary.prediction[es], atol=1e-6)
    assert not np.allclose(later[0].prediction[es], later[0].prediction[0], atol=1e-3)


def test_dropout_and_weight_decay_narrow_the_gap(preset_run):
    _, _, summary = preset_run
    gap = summary.final["gap"]
    assert gap[1] < gap[0] and gap[3] < gap[0]


def test_dropout_is_active_in_train_mode_and_off_in_eval_mode():
    template = training.mlp(1, 1, TrainConfig())
    model = training.BatchedMLP(template, 2, torch.tensor([0.0, 0.5]), "relu")
    x = torch.linspace(-1, 1, 50).unsqueeze(1)
    model.train()
    a, b = model(x), model(x)
    assert torch.equal(a[0], b[0])  # p = 0: deterministic even in train mode
    assert not torch.equal(a[1], b[1])  # p = 0.5: a new mask each call
    model.eval()
    c, d = model(x), model(x)
    assert torch.equal(c, d)
    assert torch.equal(c[0], c[1])  # in eval mode both variants are the same network


@pytest.mark.parametrize(("inputs", "outputs"), [(1, 1), (2, 3), (1, 2)])
def test_each_variant_computes_what_its_own_sequential_does_to_the_last_bit(inputs, outputs):
    # a fresh-eyes teacher ran the lab's script: its baseline printed a validation loss of
    # 0.267 where the view's table said 0.294. One batched matmul for four variants rounded
    # a layer with one input or output differently (1 ulp), and 2,000 epochs of Adam grew it
    template = training.mlp(inputs, outputs, TrainConfig())
    model = training.BatchedMLP(template, 4, torch.zeros(4), "relu")
    x = torch.randn(20, inputs, generator=torch.Generator().manual_seed(0))  # (B, in)
    model(x)[2].pow(2).sum().backward()  # (a loss of variant 2 only)
    template(x).pow(2).sum().backward()
    assert torch.equal(model(x)[2], template(x))  # (B, out), bit for bit
    linears = [m for m in template if isinstance(m, nn.Linear)]
    for (w, b), linear in zip(model._layers, linears, strict=True):
        assert torch.equal(w[2].grad, linear.weight.grad.T)
        assert torch.equal(b[2].grad[0], linear.bias.grad)
        assert w[0].grad is None or not w[0].grad.any()  # (the others: untouched)


def test_variant_dropout_drops_p_of_one_variant_and_scales_the_rest_by_one_over_keep():
    drop = training.VariantDropout(torch.tensor([0.0, 0.25, 0.0]))
    torch.manual_seed(0)
    out = drop.train()(torch.ones(3, 4000, 8))  # (V, B, H)
    assert torch.equal(out[0], torch.ones(4000, 8)) and torch.equal(out[2], torch.ones(4000, 8))
    dropped = float((out[1] == 0).float().mean())
    assert abs(dropped - 0.25) < 0.01  # 32,000 draws: the standard error is 0.0024
    assert torch.allclose(out[1][out[1] != 0], torch.tensor(1 / 0.75))  # inverted dropout
    assert torch.equal(drop.eval()(out), out)


def test_weight_decay_shrinks_the_weight_norm():
    split = data.make_task(PRESET)
    config = TrainConfig(epochs=300)
    base = _train_plain(split, config, Variant("baseline"), 300)
    decayed = _train_plain(split, config, Variant("decay", weight_decay=1e-2), 300)

    def norm(model):
        return sum(float((p**2).sum()) for p in model.parameters())

    assert norm(decayed) < 0.8 * norm(base)


def test_stop_signal_ends_training_after_the_current_epoch():
    split = data.make_task(PRESET)
    calls = []

    def stop():
        calls.append(1)
        return len(calls) >= 7

    records, summary = training.run(split, TrainConfig(epochs=500), stop)
    assert [r.epoch for r in records] == list(range(1, 8))
    assert summary is not None and "test_loss" in summary.final


def _train_plain(split, config, variant, epochs):
    """One variant trained as a user would: nn.Sequential, nn.MSELoss, optimizer weight_decay."""
    dtype = torch.float64 if config.dtype == "float64" else torch.float32
    torch.manual_seed(config.seed)
    model = training.mlp(1, 1, config, dropout=variant.dropout).to(dtype)
    cls = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[config.optimizer]
    opt = cls(model.parameters(), lr=config.lr, weight_decay=variant.weight_decay)
    x = torch.from_numpy(split.x[split.train]).to(dtype)
    y = torch.from_numpy(split.y[split.train]).unsqueeze(1).to(dtype)
    model.train()
    for _ in range(epochs):
        opt.zero_grad()
        nn.MSELoss()(model(x), y).backward()
        opt.step()
    return model


@pytest.mark.parametrize("optimizer", ["adam", "adamw"])  # L2 in the gradient; decoupled decay
def test_batched_variants_equal_separately_trained_models(optimizer):
    split = data.make_task(PRESET)
    variants = (
        Variant("baseline"),
        Variant("decay", weight_decay=1e-2),
        Variant("decay2", weight_decay=0.1),
    )
    config = TrainConfig(
        epochs=200, variants=variants, snapshots=1, dtype="float64", optimizer=optimizer
    )
    records, summary = training.run(split, config)
    xv = torch.from_numpy(split.x[split.val]).double()
    yv = torch.from_numpy(split.y[split.val]).unsqueeze(1).double()
    for v, variant in enumerate(variants):
        plain = _train_plain(split, config, variant, 200)
        plain.eval()
        with torch.no_grad():
            val = float(nn.MSELoss()(plain(xv), yv))
        assert abs(val - records[-1].val_loss[v]) < 1e-5, variant.name
        grid = torch.from_numpy(training.prediction_grid(split)).double()
        with torch.no_grad():
            np.testing.assert_allclose(plain(grid)[:, 0].numpy(), summary.prediction[v], atol=1e-5)


@pytest.mark.parametrize("task", ["moons", "circles", "spirals", "xor"])
def test_classification_tasks_train_and_report_accuracy(task):
    split = data.make_task(data.TaskConfig(task=task, n=120))
    assert split.classes == 2 and set(np.unique(split.y)) == {0, 1}
    records, summary = training.run(split, TrainConfig(epochs=150, lr=1e-2))
    assert records[-1].train_acc is not None
    assert summary.final["train_acc"][0] > 0.6  # the baseline learns the task
    assert summary.prediction.shape == (4, 60 * 60)


def test_splits_are_disjoint_and_cover_everything():
    split = data.make_task(data.TaskConfig(n=100, val=0.2, test=0.3))
    together = np.concatenate([split.train, split.val, split.test])
    assert sorted(together.tolist()) == list(range(100))
    assert (len(split.val), len(split.test)) == (20, 30)


def test_bad_settings_are_user_errors():
    from playground.i18n import UserError

    for kwargs in [
        {"depth": 0},
        {"width": 10_000},
        {"epochs": 0},
        {"optimizer": "lbfgs"},
        {"variants": ()},
        {"variants": (Variant("x", dropout=1.0),)},
    ]:
        with pytest.raises(UserError):
            TrainConfig(**kwargs)
    with pytest.raises(UserError):
        data.TaskConfig(n=3)


def test_csv_table_becomes_a_regression_or_classification_task():
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, 80)
    frame = data.read_csv(
        (
            "x,z,y,label\n"
            + "\n".join(
                f"{a},{b},{np.sin(a)},{int(a > b)}"
                for a, b in zip(x, rng.uniform(-2, 2, 80), strict=True)
            )
        ).encode()
    )
    reg, _ = data.task_from_table(frame, ["x"], "y")
    assert reg.classes == 0 and reg.x.shape == (80, 1)
    assert len(reg.train) + len(reg.val) + len(reg.test) == 80
    cls, _ = data.task_from_table(frame, ["x", "z"], "label")
    assert cls.classes == 2 and set(np.unique(cls.y)) == {0, 1}
    _, summary = training.run(cls, TrainConfig(epochs=30))
    assert summary.final["train_acc"].shape == (4,)
    from playground.i18n import UserError

    with pytest.raises(UserError):
        data.task_from_table(frame, ["x", "z"], "y")  # two features need a 0/1 target


def test_curves_are_cut_where_early_stopping_ended_a_variant():
    flags = [np.array([False, False]), np.array([False, True]), np.array([False, True])]
    records = [
        training.EpochRecord(
            e, np.array([1.0, 2.0]) / e, np.array([3.0, 4.0]) / e, np.full(2, np.nan),
            np.array([0.5, 0.6]), np.array([0.4, 0.3]), None, f,
        )
        for e, f in zip((1, 2, 3), flags, strict=True)
    ]  # fmt: skip
    epochs, train, val, best, stopped = training.curves(records, None)
    assert np.isnan(train[2, 1]) and train[2, 0] == pytest.approx(1 / 3)
    assert epochs.tolist() == [1, 2, 3] and best is None and stopped.tolist() == [-1, 2]
    assert np.isnan(val[2, 1]) and not np.isnan(val[1, 1]) and val[2, 0] == 1.0
    _, train_err, val_err, _, _ = training.curves(records, None, "error")
    assert train_err[0].tolist() == pytest.approx([0.5, 0.4]) and val_err[0, 1] == pytest.approx(
        0.7
    )


def test_a_stopped_run_has_the_picture_of_its_last_epoch():
    # Stopped at epoch 7 of 2,000 (snapshots every 33 epochs): the fit shown after Stop was
    # epoch 1's while the curves and results were at epoch 7.
    split = data.make_task(PRESET)
    calls = {"n": 0}

    def stop_after_seven() -> bool:
        calls["n"] += 1
        return calls["n"] >= 7

    config = TrainConfig(epochs=2000)
    records = [r for r in training.train(split, config, stop_after_seven) if hasattr(r, "epoch")]
    assert records[-1].epoch == 7
    assert records[-1].prediction is not None
    # (every epoch up to 20 keeps its picture since #31: see the replay test below)
    assert [r.epoch for r in records if r.prediction is not None] == list(range(1, 8))


def _stopped_at(epoch: int):
    """A should_stop that ends training after ``epoch`` epochs."""
    calls = {"n": 0}

    def stop() -> bool:
        calls["n"] += 1
        return calls["n"] >= epoch

    return stop


def test_a_run_stopped_early_can_be_replayed_over_the_epochs_it_trained():
    # #31: stopped at epoch 40 of 2,000, the lab's replay held epochs 1, 33 and 40 (a grid
    # made for the planned epochs); a full run's holds about 60 pictures. Now a run stopped
    # anywhere has its pictures spread over the epochs it trained, the last one among them.
    split = data.make_task(PRESET)
    records, summary = training.run(split, TrainConfig(epochs=2000), _stopped_at(40))
    snaps = [r.epoch for r in records if r.prediction is not None]
    epochs = training.curves(records, summary)[0]
    assert snaps[0] == 1 and snaps[-1] == epochs[-1] == 40  # the fit at the curves' last epoch
    assert len(snaps) >= 20 and np.diff(snaps).max() <= 2
    # a full run: a replay of the same resolution, at most about a hundred pictures
    due = [e for e in range(1, 2001) if training.snapshot_due(e, 60)]
    assert 60 <= len(due) <= 100 and due[:20] == list(range(1, 21))
    assert all(training.snapshot_due(e, 60) for e in snaps[:-1])
    # any stopping point E: at least min(E, 20) pictures before it, none more than E/10 apart
    for stop in (5, 40, 150, 999, 4321):
        kept = [e for e in range(1, stop + 1) if training.snapshot_due(e, 60)] + [stop]
        assert len(set(kept)) >= min(stop, 20)
        assert np.diff(sorted(set(kept))).max() <= max(1, stop // 10)


class TimedQueue:
    """A queue that notes when each batch was put (the worker's view of the page's updates)."""

    def __init__(self) -> None:
        self.puts: list[tuple[float, object]] = []

    def put(self, batch) -> None:
        import time

        self.puts.append((time.monotonic(), batch))

    def items(self) -> list:
        return [item for _, batch in self.puts if isinstance(batch, list) for item in batch]


def _to_queue(split, config, pace: float, stop_after: float | None = None):
    """train_to_queue in this process (its thread count restored); returns the queue, the
    start and end times."""
    import threading
    import time

    threads = torch.get_num_threads()
    queue, stop = TimedQueue(), threading.Event()
    if stop_after is not None:
        threading.Timer(stop_after, stop.set).start()
    start = time.monotonic()
    try:
        training.train_to_queue(split, config, queue, stop, flush=0.05, pace=pace)
    finally:
        torch.set_num_threads(threads)
    return queue, start, time.monotonic()


def test_watching_slowly_spreads_the_updates_and_trains_exactly_the_same():
    split = data.make_task(PRESET)
    config = TrainConfig(epochs=40)
    plain_records, plain_summary = training.run(split, config)
    queue, start, end = _to_queue(split, config, pace=1.2)
    items = queue.items()
    records, summary = items[:-1], items[-1]
    assert isinstance(summary, training.Summary) and queue.puts[-1][1] is None
    # the same numbers, bit for bit: pacing only delays what is sent
    assert [r.epoch for r in records] == [r.epoch for r in plain_records]
    for paced, plain in zip(records, plain_records, strict=True):
        for name in ("train_loss", "val_loss", "test_loss", "prediction"):
            np.testing.assert_array_equal(getattr(paced, name), getattr(plain, name))
    for name, values in plain_summary.final.items():
        np.testing.assert_array_equal(summary.final[name], values)
    # epoch e of 40 is sent no earlier than 0.6 · (e / 40 + ln(1 + e) / ln 41) s after the
    # start, so the whole run lasts at least the pace (and not much longer: 40 epochs train in
    # a fraction of it)
    for when, batch in queue.puts:
        for item in batch or []:
            if isinstance(item, training.EpochRecord):
                due = 0.6 * (item.epoch / 40 + math.log(1 + item.epoch) / math.log(41))
                assert when - start >= due - 1e-3, item.epoch
    assert 1.2 <= end - start < 1.2 + 10
    assert len([b for _, b in queue.puts if b]) >= 10  # spread: many updates, not one at the end


def test_watching_slowly_gives_the_first_epochs_time_enough_to_see_them():
    # The early-stopping lesson's turn-up (epochs 16-26 of 1,000) went by in half a second of
    # 20: a quarter of the time goes to them now, and the whole run still lasts the pace.
    pace, epochs = training.WATCH_SLOWLY, 1000
    assert training.paced(26, epochs, pace) >= 0.23 * pace  # (evenly: 2.6 %)
    assert training.paced(epochs, epochs, pace) == pytest.approx(pace)
    assert training.paced(0, epochs, pace) == 0.0
    times = [training.paced(e, epochs, pace) for e in range(epochs + 1)]
    assert (np.diff(times) > 0).all()  # (in order)
    # the last half of the run keeps at least a quarter of the time (not rushed)
    assert pace - training.paced(epochs // 2, epochs, pace) >= 0.25 * pace


def test_a_slow_run_stops_at_once_and_its_pace_is_bounded():
    split = data.make_task(PRESET)
    config = TrainConfig(epochs=1000)
    queue, start, end = _to_queue(split, config, pace=1e9, stop_after=0.5)  # (bounded: 60 s)
    records = [i for i in queue.items() if isinstance(i, training.EpochRecord)]
    assert end - start < 5  # Stop ends the wait, not the next scheduled update
    assert 1 <= records[-1].epoch < 20  # 1,000 epochs over 60 s: about 17 a second
    assert isinstance(queue.items()[-1], training.Summary)
    assert training.MAX_PACE <= 60 and 15 <= training.WATCH_SLOWLY <= 30


def test_stop_takes_effect_within_one_mini_batch():
    # #32: Stop was looked at once an epoch: 49.6 s an epoch at batch size 1 and 5,000 points.
    split = data.make_task(PRESET)
    config = TrainConfig(epochs=50, batch_size=1, variants=(Variant("baseline"),))
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) >= 7

    records, summary = training.run(split, config, stop)
    assert len(asked) == 7 and [r.epoch for r in records] == [1] and summary is not None
    assert len(split.train) > 7  # (the epoch was cut: it has more batches than that)


def test_a_stop_watcher_sees_a_stop_from_elsewhere_at_once_and_ends_with_its_run():
    import threading
    import time

    stop = threading.Event()  # (in the server: a manager's proxy of one)
    watcher = training.StopWatcher(stop)
    assert not watcher.is_set()
    stop.set()
    deadline = time.monotonic() + 5
    while not watcher.is_set() and time.monotonic() < deadline:
        time.sleep(0.001)
    assert watcher.is_set()
    watcher.close()
    idle = training.StopWatcher(threading.Event())
    idle.close()  # a run that ends without Stop leaves no thread waiting
    assert not idle.thread.is_alive()


def test_a_run_over_its_time_budget_ends_with_a_notice_and_keeps_what_it_trained():
    import threading
    import time

    split = data.make_task(PRESET)
    config = TrainConfig(epochs=5000, batch_size=1)  # minutes of training
    queue, stop = TimedQueue(), threading.Event()
    threads, start = torch.get_num_threads(), time.monotonic()
    try:
        training.train_to_queue(split, config, queue, stop, flush=0.05, budget=0.5)
    finally:
        torch.set_num_threads(threads)
    assert time.monotonic() - start < 10  # ended at the budget (plus one epoch's evaluation)
    items = queue.items()
    capped = [i for i in items if isinstance(i, training.Capped)]
    assert capped == [training.Capped(0.5)] and isinstance(items[-1], training.Summary)
    records = [i for i in items if isinstance(i, training.EpochRecord)]
    assert 1 <= records[-1].epoch < 5000 and queue.puts[-1][1] is None
    # a run inside its budget says nothing of it
    queue = TimedQueue()
    training.train_to_queue(split, TrainConfig(epochs=3), queue, stop, flush=0.05, budget=60)
    torch.set_num_threads(threads)
    assert not any(isinstance(i, training.Capped) for i in queue.items())


def test_the_labs_default_run_is_sensitive_to_rounding_as_its_code_help_says():
    # a fresh-eyes teacher ran the lab's script and got numbers about 9 % off the view's; the
    # help now says why (rounding, amplified over 2,000 epochs): the same run in float64 ends
    # elsewhere (a third higher on the AMD EPYC; the exact figure depends on the CPU's kernels)
    split = data.make_task(PRESET)
    val = {
        dtype: training.run(split, TrainConfig(dtype=dtype))[1].final["val_loss"][0]
        for dtype in ("float32", "float64")
    }
    assert abs(val["float64"] / val["float32"] - 1) > 0.05


def test_what_to_notice_names_overfitting_with_a_baseline_and_each_cure_in_use():
    from playground.training import DEFAULT_VARIANTS, Variant, notice_points

    assert notice_points(DEFAULT_VARIANTS) == [
        "overfit", "early_stopping", "dropout", "weight_decay", "split"
    ]  # fmt: skip
    combined = Variant("combined", dropout=0.2, weight_decay=1e-3)
    assert notice_points((combined,)) == ["dropout", "weight_decay", "split"]
    assert notice_points((Variant("baseline"),)) == ["overfit", "split"]

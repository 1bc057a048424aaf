"""Learning-rate schedules: torch's own schedulers stepped by hand, closed forms, a race with a
schedule against a plain loop, the CLI's lr column, and the run text."""

import math

import numpy as np
import pytest
import torch

from playground import landscapes, runs, schedules
from playground.i18n import UserError
from playground.optimizers import RunSpec
from playground.schedules import SCHEDULES, Schedule


def by_hand(make, lr: float, steps: int) -> list[float]:
    """The rates a torch scheduler gives, stepped by hand after each optimizer step."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    scheduler = make(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return out


@pytest.mark.parametrize(
    ("text", "make"),
    [
        ("step:step_size=7,gamma=0.5", lambda o: torch.optim.lr_scheduler.StepLR(o, 7, 0.5)),
        ("exponential:gamma=0.9", lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9)),
        (
            "cosine:T_max=30,eta_min=0.01",
            lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 30, 0.01),
        ),
        (
            "onecycle:max_lr=0.5,total_steps=40",
            lambda o: torch.optim.lr_scheduler.OneCycleLR(
                o, 0.5, total_steps=40, cycle_momentum=False
            ),
        ),
        (
            "warmup_cosine:warmup=5,start_factor=0.2,T_max=40",
            lambda o: torch.optim.lr_scheduler.SequentialLR(
                o,
                [
                    torch.optim.lr_scheduler.LinearLR(o, 0.2, 1.0, 5),
                    torch.optim.lr_scheduler.CosineAnnealingLR(o, 35),
                ],
                milestones=[5],
            ),
        ),
    ],
)
def test_every_schedule_is_torchs_own_scheduler_stepped_by_hand(text, make):
    got = schedules.lr_sequence(Schedule.parse(text), 0.2, 40)
    np.testing.assert_allclose(got, by_hand(make, 0.2, 40), rtol=1e-12)


@pytest.mark.parametrize(
    "text",
    [
        "step",
        "step:step_size=7,gamma=0.5",
        "exponential:gamma=0.9",
        "cosine",
        "cosine:T_max=30,eta_min=0.01",
        "onecycle",
        "onecycle:max_lr=0.5,total_steps=40,pct_start=0.2",
        "warmup_cosine:warmup=5,start_factor=0.2",
    ],
)
def test_a_scripts_scheduler_code_makes_the_views_scheduler(text):
    # a generated script writes the scheduler as code (Schedule.code): the rates it gives, run
    # by Python, are those of the scheduler the view builds (Schedule.build), for every step
    schedule = Schedule.parse(text)
    code = schedule.code(40)
    made = eval(f"lambda optimizer: {code}", {"torch": torch})
    np.testing.assert_allclose(
        by_hand(made, 0.2, 40), schedules.lr_sequence(schedule, 0.2, 40), rtol=1e-12
    )
    assert Schedule().code(40) is None  # constant: no scheduler at all


def test_a_plateau_schedules_code_is_torchs_reduce_on_plateau():
    code = Schedule.parse("plateau:factor=0.5,patience=3").code(10)
    p = torch.zeros(1, requires_grad=True)
    made = eval(code, {"torch": torch, "optimizer": torch.optim.SGD([p], lr=1.0)})
    assert isinstance(made, torch.optim.lr_scheduler.ReduceLROnPlateau)
    assert (made.factor, made.patience) == (0.5, 3)


@pytest.mark.parametrize("steps", [3, 90, 1000])
def test_default_step_decay_drops_eta_twice_whatever_the_runs_length(steps):
    # a fixed step of 30 took a 1,000-epoch lab run down to η₀·10⁻³³ (a fresh-eyes finding)
    lr, t = 0.3, np.arange(steps)
    got = schedules.lr_sequence(Schedule.parse("step"), lr, steps)
    np.testing.assert_allclose(got, lr * 0.1 ** np.floor(t / max(1, -(-steps // 3))), rtol=1e-12)
    assert len(set(np.round(got, 15))) == 3 and got[-1] == pytest.approx(lr * 0.01)


def test_the_closed_forms_beside_the_schedules():
    lr, t = 0.3, np.arange(60)
    step = schedules.lr_sequence(Schedule.parse("step:step_size=10,gamma=0.5"), lr, 60)
    np.testing.assert_allclose(step, lr * 0.5 ** np.floor(t / 10), rtol=1e-12)
    exp = schedules.lr_sequence(Schedule.parse("exponential:gamma=0.95"), lr, 60)
    np.testing.assert_allclose(exp, lr * 0.95**t, rtol=1e-9)
    cos = schedules.lr_sequence(Schedule.parse("cosine:T_max=60,eta_min=0.01"), lr, 60)
    np.testing.assert_allclose(
        cos, 0.01 + 0.5 * (lr - 0.01) * (1 + np.cos(np.pi * t / 60)), rtol=1e-9
    )
    warm = schedules.lr_sequence(
        Schedule.parse("warmup_cosine:warmup=10,start_factor=0.1,T_max=60"), lr, 60
    )
    np.testing.assert_allclose(warm[:10], lr * (0.1 + 0.9 * t[:10] / 10), rtol=1e-9)
    np.testing.assert_allclose(
        warm[10:], 0.5 * lr * (1 + np.cos(np.pi * (t[10:] - 10) / 50)), rtol=1e-9, atol=1e-15
    )
    assert schedules.lr_sequence(schedules.CONSTANT, lr, 5) == [lr] * 5


def test_a_length_of_zero_means_the_runs_own_number_of_steps():
    cos = schedules.lr_sequence(Schedule.parse("cosine"), 1.0, 50)
    assert cos[0] == 1.0 and cos[-1] == pytest.approx(0.5 * (1 + math.cos(math.pi * 49 / 50)))


def test_a_race_with_a_schedule_equals_a_plain_loop_calling_scheduler_step():
    land = landscapes.get("rosenbrock")
    run = RunSpec.parse("momentum:lr=0.001@cosine:T_max=80")
    other = RunSpec.parse("momentum:lr=0.002")  # the same class, no schedule: its own instance
    paths = runs.race(land, [run, other], runs.RaceConfig(land.start, 80))
    p = torch.tensor(land.start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.001, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(opt, 80)
    xy, rates = [p.detach().clone()], [math.nan]
    for _ in range(80):
        opt.zero_grad()
        land.fn(p[0], p[1]).backward()
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
        xy.append(p.detach().clone())
    np.testing.assert_allclose(paths[0].xy, torch.stack(xy).numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(paths[0].lr, rates, rtol=1e-12)
    assert np.isnan(paths[1].lr[0]) and np.allclose(paths[1].lr[1:], 0.002)


def test_the_race_csv_has_the_rate_of_each_step():
    land = landscapes.get("saddle")
    contestants = [RunSpec.parse("sgd:lr=0.1@step:step_size=3,gamma=0.5")]
    frame = runs.race_frame(
        contestants, runs.race(land, contestants, runs.RaceConfig(land.start, 7))
    )
    assert np.isnan(frame.lr[0])
    np.testing.assert_allclose(frame.lr[1:], [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025])
    assert set(frame.spec) == {"sgd:lr=0.1@step:gamma=0.5,step_size=3"}
    # the optimizer by its name, the run as its legend says it (a teacher found the label
    # under "optimizer")
    assert list(frame.columns[:3]) == ["run", "optimizer", "label"]
    assert set(frame.optimizer) == {"sgd"} and set(frame.label) == {contestants[0].label("en")}


@pytest.mark.parametrize(
    "text",
    ["sgd:lr=0.1@cosine:T_max=200", "adam:lr=0.01@onecycle:max_lr=0.1,total_steps=500",
     "sgd:lr=0.1@step:step_size=50,gamma=0.5", "momentum@warmup_cosine", "sgd"],
)  # fmt: skip
def test_a_run_with_a_schedule_round_trips_through_its_text(text):
    run = RunSpec.parse(text)
    assert RunSpec.parse(run.to_text()) == run
    assert (run.schedule is not None) == ("@" in text)


@pytest.mark.parametrize(
    "text",
    ["sgd@nope", "sgd@cosine:T_max=-1", "sgd@step:gamma=2", "sgd@cosine:foo=1", "sgd@step:x"],
)
def test_a_bad_schedule_is_a_user_error(text):
    with pytest.raises(UserError):
        RunSpec.parse(text)


def test_a_plateau_schedule_needs_epochs_and_is_refused_by_a_race():
    land = landscapes.get("saddle")
    with pytest.raises(UserError):
        runs.race(land, [RunSpec.parse("sgd@plateau")], runs.RaceConfig(land.start, 5))
    assert SCHEDULES["plateau"].per_epoch_only


def test_a_basin_map_steps_the_schedule_too():
    land = landscapes.get("bowl")
    slow = runs.basin_map(land, RunSpec.parse("sgd:lr=0.05@exponential:gamma=0.5"), n=3, steps=30)
    plain = runs.basin_map(land, RunSpec.parse("sgd:lr=0.05"), n=3, steps=30)
    assert np.abs(slow.final).sum() > np.abs(plain.final).sum()  # the decayed rate got less far


def test_a_descent_with_a_schedule_equals_a_plain_loop():
    x, y = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])
    schedule = Schedule.parse("step:step_size=10,gamma=0.5")
    traj = runs.gradient_descent(x, y, runs.DescentConfig("mse", 0.05, 30, schedule=schedule))
    w = b = 0.0
    for step in range(30):
        lr = 0.05 * 0.5 ** (step // 10)  # the closed form of StepLR
        pred = w * x + b
        gw, gb = (2 * (pred - y) * x).mean(), (2 * (pred - y)).mean()
        w, b = w - lr * gw, b - lr * gb
    assert traj.w[-1] == pytest.approx(w, rel=1e-10) and traj.b[-1] == pytest.approx(b, rel=1e-10)


def test_the_lab_steps_its_schedule_once_per_epoch_and_a_plateau_watches_the_validation_loss():
    from playground import data, training

    split = data.make_task(data.TaskConfig(task="moons", n=80))
    variants = (training.Variant("baseline"),)
    base = {"epochs": 12, "variants": variants, "optimizer": "sgd", "lr": 0.1}
    step = training.TrainConfig(**base, schedule=Schedule.parse("step:step_size=5,gamma=0.1"))
    records, _ = training.run(split, step)
    # a plain loop: the same SGD on the same model, its rate cut tenfold after epochs 5 and 10
    torch.manual_seed(step.seed)
    model = training.mlp(2, 2, step)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.from_numpy(split.x[split.train]), torch.from_numpy(split.y[split.train])
    for epoch in range(12):
        for group in opt.param_groups:
            group["lr"] = 0.1 * 0.1 ** (epoch // 5)
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    with torch.no_grad():
        want = float(torch.nn.functional.cross_entropy(model(x), y))
    assert records[-1].train_loss[0] == pytest.approx(want, rel=1e-4)
    # each record says the rate its epoch's steps used (the progress line's "η")
    assert [float(r.lr[0]) for r in records] == pytest.approx(
        [0.1 * 0.1 ** (epoch // 5) for epoch in range(12)]
    )
    plateau = training.TrainConfig(**base, schedule=Schedule.parse("plateau:patience=0,factor=0.5"))
    assert training.run(split, plateau)[0][-1].train_loss[0] != records[-1].train_loss[0]


def test_the_warmup_lessons_claims_in_its_own_numbers():
    from playground.lessons import LESSONS

    lesson = LESSONS["warmup"]
    runs_ = [
        RunSpec.parse(text)
        for text in ("sgd:lr=0.004", "sgd:lr=0.004@warmup_cosine:warmup=50,start_factor=0.01")
    ]
    assert lesson.setting("r0_lr") == lesson.setting("r1_lr") == "0.004"
    assert (
        lesson.setting("r1_sched") == "warmup_cosine" and lesson.setting("r1_sched_warmup") == "50"
    )
    land = landscapes.get(lesson.setting("surface"))
    plain, warm = runs.race(land, runs_, runs.RaceConfig(land.start, int(lesson.setting("steps"))))
    assert plain.diverged_at == 3  # "run 1 diverges at step 3"
    # "around step 30 (η ≈ 0.0025) a step overshoots across the valley: the loss jumps from
    # about 6 to over 500 within three steps", then "zig-zags down to the valley's floor … a
    # loss of about 0.06"
    jump = int(np.argmax(warm.loss[:60]))
    assert 25 <= jump <= 40 and warm.loss[jump] > 500
    assert warm.loss[jump - 3] == pytest.approx(6, rel=0.2)
    assert warm.lr[jump] == pytest.approx(0.0025, rel=0.25)
    assert warm.diverged_at is None and warm.loss[-1] == pytest.approx(0.06, rel=0.2)
    # "the first steps are 100 times smaller"
    assert warm.lr[1] == pytest.approx(0.01 * 0.004)


def test_the_cosine_pyramid_lessons_claims_in_its_own_numbers():
    from playground import data
    from playground.lessons import LESSONS

    lesson = LESSONS["cosine_pyramid"]
    ds = data.classic()
    lr = float(lesson.setting("lr"))
    cosine = Schedule.parse(lesson.setting("gd_sched"))
    const = runs.gradient_descent(ds.x, ds.y, runs.DescentConfig("mae", lr, 100))
    annealed = runs.gradient_descent(
        ds.x, ds.y, runs.DescentConfig("mae", lr, 100, schedule=cosine)
    )
    assert const.loss[-1] == pytest.approx(0.2, rel=0.05)  # "it ends with a loss of 0.2"
    assert np.ptp(const.loss[-20:]) > 0.05  # still hopping
    assert annealed.loss[-1] < 0.01 and const.loss[-1] / annealed.loss[-1] > 30  # "forty times"


def test_the_descents_csv_has_the_rate_of_each_step():
    x, y = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])
    schedule = Schedule.parse("step:step_size=4,gamma=0.5")
    traj = runs.gradient_descent(x, y, runs.DescentConfig("mse", 0.05, 10, schedule=schedule))
    frame = traj.to_frame()
    assert np.isnan(frame.lr[0])  # no step led to the start
    np.testing.assert_allclose(frame.lr[1:], 0.05 * 0.5 ** (np.arange(10) // 4))
    plain = runs.gradient_descent(x, y, runs.DescentConfig("mse", 0.05, 10)).to_frame()
    np.testing.assert_allclose(plain.lr[1:], 0.05)


def test_the_convnets_records_say_each_variants_rate_as_its_plateau_schedule_set_it():
    from playground import convnet, digits

    d = digits.load(digits.DigitsConfig(fraction=0.1))
    schedule = Schedule.parse("plateau:patience=0,factor=0.5")
    config = convnet.NetConfig(
        channels1=2, channels2=2, hidden=8, epochs=6, lr=0.5, optimizer="sgd", schedule=schedule
    )
    *records, _ = convnet.train(d, config)
    lrs = np.array([r.lr for r in records])  # (epochs, V)
    val = np.array([r.val_loss for r in records])  # (epochs, V)
    for v in range(lrs.shape[1]):  # ReduceLROnPlateau by hand: halve after an epoch no better
        want, best = [0.5], np.inf
        for loss in val[:-1, v]:
            better = loss < best * (1 - 1e-4)  # (torch's default relative threshold)
            best = loss if better else best
            want.append(want[-1] * (1.0 if better else 0.5))
        assert lrs[:, v] == pytest.approx(want)
    assert (lrs[-1] < 0.5).any()  # a plateau was met: the test saw a cut


def test_a_runs_label_names_its_schedule_and_the_settings_it_changed():
    # two runs with the same schedule and different settings must not share a legend entry
    a = RunSpec.parse("sgd:lr=0.1@step:step_size=10").label()
    b = RunSpec.parse("sgd:lr=0.1@step:step_size=50,gamma=0.5").label()
    assert a != b and "step_size=10" in a and "gamma=0.5" in b and "step_size=50" in b
    assert "gamma" not in a  # (a default is not repeated)


def test_every_schedule_setting_says_what_it_does_in_both_languages():
    # the fresh-eyes teacher met raw names (step_size, gamma) with no help
    from playground.i18n import catalogue
    from playground.schedules import SCHEDULES

    names = {s.name for spec in SCHEDULES.values() for s in spec.settings}
    for lang in ("en", "zh"):
        missing = [n for n in names if f"sched_set_{n}" not in catalogue(lang)]
        assert not missing, (lang, missing)


def test_the_eta_plot_draws_each_rate_for_its_whole_step_on_a_log_axis_when_it_spans_decades():
    from playground.figures import race as rf

    def plot(text: str):
        schedule = Schedule.parse(text)
        rates = schedules.lr_sequence(schedule, 0.1, 90)
        return rf.schedule_figure(rates, "en", "slider_step", schedule.spec.multiplies)

    step = plot("step")
    assert step.data[0].line.shape == "hv" and step.layout.yaxis.type == "log"  # 0.1 → 0.001
    assert plot("cosine").layout.yaxis.type != "log"  # (the classic curve, towards 0)
    assert plot("step:gamma=0.5").layout.yaxis.type != "log"  # (0.1 → 0.025: under a decade)

"""Registry of learning-rate schedules: name → torch.optim.lr_scheduler class, its settings with
torch's defaults (where torch has none, the playground's, said so), and the rule in LaTeX.

A schedule is written after a run's optimizer in its text form: ``"sgd:lr=0.1@cosine:T_max=200"``,
``"adam:lr=0.01@onecycle:max_lr=0.1"``; the same text in widgets, links and the command line.
Runs always step the real scheduler (``scheduler.step()`` after ``optimizer.step()``); the
formulas shown beside it are checked against it in tests/test_schedules.py. A setting of 0 for
a length (``T_max``, ``total_steps``) means "the run's number of steps", for step decay's
``step_size`` "a third of the run" (η drops twice; torch has no default), and for one cycle's
``max_lr`` "the run's own learning rate".
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.optim import lr_scheduler as ls

from playground.i18n import UserError
from playground.optimizers import Setting, settings_of


@dataclass(frozen=True)
class ScheduleSpec:
    """One schedule: registry name, settings, and its rule η_t (t = steps taken so far)."""

    key: str
    settings: tuple[Setting, ...]
    latex: str
    per_epoch_only: bool = False  # ReduceLROnPlateau: needs a validation loss (lab, ConvNet)
    multiplies: bool = False  # η is multiplied at each drop: its plot reads best on a log axis

    def setting(self, name: str) -> Setting:
        for s in self.settings:
            if s.name == name:
                return s
        raise UserError("err_unknown_setting", name=name[:30], optimizer=self.key,
                        allowed=", ".join(s.name for s in self.settings))  # fmt: skip

    def defaults(self) -> dict[str, float | bool]:
        return {s.name: s.default for s in self.settings}


def _length(name: str) -> Setting:
    return Setting(name, 0, 0, 1e6, "int")  # 0: the run's number of steps


SPECS = [
    ScheduleSpec("constant", (), r"\eta_t = \eta_0"),
    ScheduleSpec(
        "step",
        (Setting("step_size", 0, 0, 1e6, "int"), Setting("gamma", 0.1, 0.0, 1.0)),
        r"\eta_t = \eta_0\,\gamma^{\lfloor t / s \rfloor}",
        multiplies=True,
    ),
    ScheduleSpec(
        "exponential",
        (Setting("gamma", 0.99, 0.0, 1.0),),
        r"\eta_t = \eta_0\,\gamma^{t}",
        multiplies=True,
    ),
    ScheduleSpec(
        "cosine",
        (_length("T_max"), Setting("eta_min", 0.0, 0.0, 100.0)),
        r"\eta_t = \eta_{min} + \tfrac12(\eta_0 - \eta_{min})"
        r"\left(1 + \cos\frac{\pi t}{T_{max}}\right)",
    ),
    ScheduleSpec(
        "onecycle",
        (
            Setting("max_lr", 0.0, 0.0, 100.0),  # 0: the run's own learning rate
            _length("total_steps"),
            Setting("pct_start", 0.3, 0.01, 0.99),
            Setting("div_factor", 25.0, 1.0, 1e6),
            Setting("final_div_factor", 1e4, 1.0, 1e9),
        ),
        r"\eta:\ \frac{\eta_{max}}{d} \nearrow \eta_{max}\ (\text{first } p\,T)"
        r" \searrow \frac{\eta_{max}}{d\,f}\ (\text{cosine})",
    ),
    ScheduleSpec(
        "warmup_cosine",
        (
            Setting("warmup", 10, 1, 1e6, "int"),
            Setting("start_factor", 1 / 3, 1e-6, 1.0),
            _length("T_max"),
        ),
        r"\eta_t = \begin{cases} \eta_0\left(f + (1-f)\,t/w\right) & t < w \\"
        r" \tfrac12\eta_0\left(1 + \cos\frac{\pi (t-w)}{T_{max}-w}\right) & t \ge w"
        r"\end{cases}",
    ),
    ScheduleSpec(
        "plateau",
        (Setting("factor", 0.1, 0.0, 0.999), Setting("patience", 10, 0, 1e6, "int")),
        r"\eta \leftarrow \text{factor}\cdot\eta \text{ after patience epochs without a "
        r"better validation loss}",
        per_epoch_only=True,
    ),
]
SCHEDULES: dict[str, ScheduleSpec] = {s.key: s for s in SPECS}
AUTOMATIC = frozenset({"T_max", "total_steps", "max_lr", "step_size"})  # 0: set from the run
OURS = frozenset({("exponential", "gamma"), ("warmup_cosine", "warmup")})  # torch has none


@dataclass(frozen=True)
class Schedule:
    """A schedule and the settings that differ from its defaults. Text: ``"cosine:T_max=200"``."""

    key: str = "constant"
    values: tuple[tuple[str, float | bool], ...] = ()

    def __post_init__(self) -> None:
        if self.key not in SCHEDULES:
            raise UserError(
                "err_unknown_schedule", name=self.key[:30], allowed=", ".join(SCHEDULES)
            )
        spec = SCHEDULES[self.key]
        defaults = spec.defaults()
        checked = {n: spec.setting(n).check(v) for n, v in self.values}
        kept = tuple(sorted((n, v) for n, v in checked.items() if v != defaults[n]))
        object.__setattr__(self, "values", kept)

    @property
    def spec(self) -> ScheduleSpec:
        return SCHEDULES[self.key]

    @property
    def settings(self) -> dict[str, float | bool]:
        return {**self.spec.defaults(), **dict(self.values)}

    @classmethod
    def parse(cls, text: str) -> Schedule:
        name, _, rest = text.strip().partition(":")
        return cls(name.strip().lower(), settings_of(rest, text))

    def to_text(self) -> str:
        parts = [f"{n}={v:g}" if not isinstance(v, bool) else f"{n}={v}" for n, v in self.values]
        return self.key + (":" + ",".join(parts) if parts else "")

    def build(self, optimizer: torch.optim.Optimizer, steps: int):
        """The torch scheduler on ``optimizer`` for a run of ``steps`` steps (None: constant)."""
        s = self.settings
        if self.key == "constant":
            return None
        if self.key == "step":
            every = int(s["step_size"]) or max(1, -(-steps // 3))  # 0: η drops twice in the run
            return ls.StepLR(optimizer, every, s["gamma"])
        if self.key == "exponential":
            return ls.ExponentialLR(optimizer, s["gamma"])
        if self.key == "cosine":
            return ls.CosineAnnealingLR(optimizer, int(s["T_max"]) or steps, s["eta_min"])
        if self.key == "onecycle":
            total = max(2, int(s["total_steps"]) or steps)
            peak = s["max_lr"] or [g["lr"] for g in optimizer.param_groups]  # (0: each run's η)
            return ls.OneCycleLR(
                optimizer, peak, total_steps=total, pct_start=s["pct_start"],
                div_factor=s["div_factor"], final_div_factor=s["final_div_factor"],
                cycle_momentum=False,  # (the rate alone: SGD without momentum has none to cycle)
            )  # fmt: skip
        if self.key == "warmup_cosine":
            warmup = int(s["warmup"])
            total = max(int(s["T_max"]) or steps, warmup + 1)
            return ls.SequentialLR(
                optimizer,
                [
                    ls.LinearLR(optimizer, s["start_factor"], 1.0, warmup),
                    ls.CosineAnnealingLR(optimizer, total - warmup),
                ],
                milestones=[warmup],
            )
        return ls.ReduceLROnPlateau(optimizer, factor=s["factor"], patience=int(s["patience"]))

    def code(self, steps: int, optimizer: str = "optimizer") -> str | None:
        """The Python that makes :meth:`build`'s scheduler for a run of ``steps`` steps, on the
        optimizer named ``optimizer``, for a generated script (None: constant). Only numbers
        and torch's names are written: nothing of the text a schedule was parsed from."""
        s, ls_ = self.settings, "torch.optim.lr_scheduler"
        if self.key == "constant":
            return None
        if self.key == "step":
            every = int(s["step_size"]) or max(1, -(-steps // 3))
            return f"{ls_}.StepLR({optimizer}, {every}, {float(s['gamma'])!r})"
        if self.key == "exponential":
            return f"{ls_}.ExponentialLR({optimizer}, {float(s['gamma'])!r})"
        if self.key == "cosine":
            t_max, low = int(s["T_max"]) or steps, float(s["eta_min"])
            return f"{ls_}.CosineAnnealingLR({optimizer}, {t_max}, {low!r})"
        if self.key == "onecycle":
            total = max(2, int(s["total_steps"]) or steps)
            peak = repr(float(s["max_lr"])) if s["max_lr"] else f"{optimizer}.defaults['lr']"
            return (
                f"{ls_}.OneCycleLR({optimizer}, {peak}, total_steps={total}, "
                f"pct_start={float(s['pct_start'])!r}, div_factor={float(s['div_factor'])!r}, "
                f"final_div_factor={float(s['final_div_factor'])!r}, cycle_momentum=False)"
            )
        if self.key == "warmup_cosine":
            warmup = int(s["warmup"])
            total = max(int(s["T_max"]) or steps, warmup + 1)
            return (
                f"{ls_}.SequentialLR({optimizer}, [{ls_}.LinearLR({optimizer}, "
                f"{float(s['start_factor'])!r}, 1.0, {warmup}), "
                f"{ls_}.CosineAnnealingLR({optimizer}, {total - warmup})], milestones=[{warmup}])"
            )
        return (
            f"{ls_}.ReduceLROnPlateau({optimizer}, factor={float(s['factor'])!r}, "
            f"patience={int(s['patience'])})"
        )

    def label(self) -> str:
        return self.to_text()


CONSTANT = Schedule()


def lr_sequence(schedule: Schedule, lr: float, steps: int) -> list[float]:
    """The learning rate of each of ``steps`` steps (the one ``optimizer.step()`` uses), from
    torch's own scheduler on a one-parameter SGD (a plateau schedule: constant, no loss here)."""
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=lr)
    scheduler = None if schedule.spec.per_epoch_only else schedule.build(opt, steps)
    out = []
    for _ in range(steps):
        out.append(float(opt.param_groups[0]["lr"]))
        opt.step()
        if scheduler is not None:
            scheduler.step()
    return out

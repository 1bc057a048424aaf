"""Registry of optimizers: name → torch.optim class, settings with torch's defaults, update rule.

The same registry drives the race view's widgets, the URL and the command line
(``playground race --run "adam:lr=0.01"``). Runs always step the real ``torch.optim`` class;
nothing here re-implements an update rule. The update rule shown beside each optimizer comes
from :mod:`playground.rules`, where each one sits beside a float64 reference that a test checks
against torch step by step (g_t is the gradient, γ the learning rate, θ the parameters).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from playground.i18n import UserError, catalogue
from playground.rules import RULES


@dataclass(frozen=True)
class Setting:
    """One constructor argument: name, torch default, bounds and kind ("float", "int", "bool")."""

    name: str
    default: float | bool
    low: float = 0.0
    high: float = 1.0
    kind: str = "float"

    def check(self, value: object) -> float | bool | int:
        """Coerce ``value`` (a number or a string from a URL or the command line) or raise."""
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("true", "1", "yes", "on"):
                return True
            if text in ("false", "0", "no", "off"):
                return False
            raise UserError("err_setting_bool", name=self.name)
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise UserError("err_setting_number", name=self.name, value=str(value)[:20]) from None
        if not (self.low <= number <= self.high):
            raise UserError("err_setting_range", name=self.name, low=self.low, high=self.high)
        return int(number) if self.kind == "int" else number


def _lr(default: float) -> Setting:
    return Setting("lr", default, 1e-6, 100.0)


BETAS = (Setting("beta1", 0.9, 0.0, 0.9999), Setting("beta2", 0.999, 0.0, 0.99999))
EPS = Setting("eps", 1e-8, 0.0, 1.0)
WD = Setting("weight_decay", 0.0, 0.0, 10.0)


@dataclass(frozen=True)
class OptimizerSpec:
    """How to build one optimizer of the race.

    Attributes
    ----------
    key : str
        Registry name (ASCII, used in URLs and on the command line).
    label : str
        Display name.
    cls : type
        The torch.optim class.
    settings : tuple of Setting
        Editable constructor arguments with torch's defaults (presets may override them).
    note : str
        Catalogue key of a note on conventions.
    pairs : dict
        Settings that torch takes as one tuple, e.g. betas = (beta1, beta2).
    elementwise : bool
        True if each parameter element is updated from its own history only, so many start
        points can share one instance (the basin map). LBFGS is not.
    """

    key: str
    label: str
    cls: type
    settings: tuple[Setting, ...]
    note: str
    pairs: dict[str, tuple[str, str]] = field(default_factory=dict)
    elementwise: bool = True

    @property
    def latex(self) -> str:
        """The update rule in PyTorch's conventions, from :data:`playground.rules.RULES`."""
        return RULES[self.key].latex

    def setting(self, name: str) -> Setting:
        for s in self.settings:
            if s.name == name:
                return s
        raise UserError("err_unknown_setting", name=name, optimizer=self.key,
                        allowed=", ".join(s.name for s in self.settings))  # fmt: skip

    def defaults(self) -> dict[str, float | bool]:
        return {s.name: s.default for s in self.settings}

    def build(self, params, values: dict[str, float | bool]) -> torch.optim.Optimizer:
        """Instantiate the torch optimizer with ``values`` over the defaults."""
        return self.cls(params, **self.kwargs(values))

    def kwargs(self, values: dict[str, float | bool]) -> dict[str, object]:
        """Constructor arguments (or one param group's options) for ``values`` over the defaults."""
        kwargs = {**self.defaults(), **values}
        for target, (a, b) in self.pairs.items():
            kwargs[target] = (kwargs.pop(a), kwargs.pop(b))
        if self.key == "lbfgs":
            kwargs["line_search_fn"] = "strong_wolfe" if kwargs.pop("strong_wolfe") else None
        return kwargs


def _sgd_settings(momentum: float, nesterov: bool) -> tuple[Setting, ...]:
    return (
        _lr(1e-3),
        Setting("momentum", momentum, 0.0, 0.9999),
        Setting("dampening", 0.0, 0.0, 1.0),
        Setting("nesterov", nesterov, kind="bool"),
        WD,
    )


SPECS = [
    OptimizerSpec("sgd", "SGD", torch.optim.SGD, _sgd_settings(0.0, False), "note_sgd"),
    OptimizerSpec("momentum", "Momentum", torch.optim.SGD, _sgd_settings(0.9, False),
                  "note_momentum"),
    OptimizerSpec("nesterov", "Nesterov", torch.optim.SGD, _sgd_settings(0.9, True),
                  "note_nesterov"),
    OptimizerSpec(
        "rmsprop", "RMSprop", torch.optim.RMSprop,
        (_lr(1e-2), Setting("alpha", 0.99, 0.0, 0.9999), EPS, Setting("momentum", 0.0, 0.0, 0.9999),
         Setting("centered", False, kind="bool"), WD),
        "note_rmsprop",
    ),
    OptimizerSpec("adam", "Adam", torch.optim.Adam,
                  (_lr(1e-3), *BETAS, EPS, WD, Setting("amsgrad", False, kind="bool")),
                  "note_adam", {"betas": ("beta1", "beta2")}),
    OptimizerSpec(
        "adagrad", "Adagrad", torch.optim.Adagrad,
        (_lr(1e-2), Setting("lr_decay", 0.0, 0.0, 1.0), Setting("eps", 1e-10, 0.0, 1.0), WD),
        "note_adagrad",
    ),
    OptimizerSpec(
        "adadelta", "Adadelta", torch.optim.Adadelta,
        (_lr(1.0), Setting("rho", 0.9, 0.0, 0.9999), Setting("eps", 1e-6, 0.0, 1.0), WD),
        "note_adadelta",
    ),
    OptimizerSpec("adamax", "Adamax", torch.optim.Adamax, (_lr(2e-3), *BETAS, EPS, WD),
                  "note_adamax", {"betas": ("beta1", "beta2")}),
    OptimizerSpec(
        "adamw", "AdamW", torch.optim.AdamW,
        (_lr(1e-3), *BETAS, EPS, Setting("weight_decay", 1e-2, 0.0, 10.0),
         Setting("amsgrad", False, kind="bool")),
        "note_adamw", {"betas": ("beta1", "beta2")},
    ),
    OptimizerSpec(
        "nadam", "NAdam", torch.optim.NAdam,
        (_lr(2e-3), *BETAS, EPS, WD, Setting("momentum_decay", 4e-3, 0.0, 1.0)),
        "note_nadam", {"betas": ("beta1", "beta2")},
    ),
    OptimizerSpec("radam", "RAdam", torch.optim.RAdam, (_lr(1e-3), *BETAS, EPS, WD),
                  "note_radam", {"betas": ("beta1", "beta2")}),
    OptimizerSpec(
        "asgd", "ASGD", torch.optim.ASGD,
        (_lr(1e-2), Setting("lambd", 1e-4, 0.0, 1.0), Setting("alpha", 0.75, 0.0, 2.0),
         Setting("t0", 1e6, 0.0, 1e9), WD),
        "note_asgd",
    ),
    OptimizerSpec(
        "rprop", "Rprop", torch.optim.Rprop,
        (_lr(1e-2), Setting("eta_minus", 0.5, 1e-6, 0.999999),
         Setting("eta_plus", 1.2, 1.000001, 10.0),  # torch refuses 0 < η− < 1 < η+ otherwise
         Setting("step_min", 1e-6, 0.0, 1.0), Setting("step_max", 50.0, 0.0, 1e3)),
        "note_rprop", {"etas": ("eta_minus", "eta_plus"), "step_sizes": ("step_min", "step_max")},
    ),
    OptimizerSpec(
        "lbfgs", "L-BFGS", torch.optim.LBFGS,
        (_lr(1.0), Setting("max_iter", 20, 1, 100, "int"),
         Setting("history_size", 100, 1, 1000, "int"), Setting("strong_wolfe", False, kind="bool")),
        "note_lbfgs", elementwise=False,
    ),
]  # fmt: skip
OPTIMIZERS: dict[str, OptimizerSpec] = {spec.key: spec for spec in SPECS}
DEFAULT_RACE = ("sgd", "momentum", "nesterov", "rmsprop", "adam")


@dataclass(frozen=True)
class RunSpec:
    """One contestant: an optimizer and the settings that differ from its defaults.

    Hashable, so each run is cached on its own. Text form: ``"adam:lr=0.01,beta1=0.8"``.
    """

    optimizer: str
    values: tuple[tuple[str, float | bool], ...] = ()
    schedule: object = None  # a playground.schedules.Schedule, None for a constant rate

    def __post_init__(self) -> None:
        if self.schedule is not None and self.schedule.key == "constant":
            object.__setattr__(self, "schedule", None)  # "sgd@constant" is the run "sgd"
        if self.optimizer not in OPTIMIZERS:
            raise UserError("err_unknown_optimizer", name=self.optimizer[:30],
                            allowed=", ".join(OPTIMIZERS))  # fmt: skip
        spec = OPTIMIZERS[self.optimizer]
        defaults = spec.defaults()
        checked = {n: spec.setting(n).check(v) for n, v in self.values}
        # Settings equal to the defaults are dropped: "sgd:lr=0.001" is the same run as "sgd".
        kept = tuple(sorted((n, v) for n, v in checked.items() if v != defaults[n]))
        object.__setattr__(self, "values", kept)
        settings = {**defaults, **dict(kept)}
        if settings.get("nesterov") and (settings["momentum"] <= 0 or settings["dampening"]):
            raise UserError("err_nesterov")  # torch.optim.SGD refuses it with a ValueError

    @property
    def spec(self) -> OptimizerSpec:
        return OPTIMIZERS[self.optimizer]

    @property
    def settings(self) -> dict[str, float | bool]:
        """All settings: torch defaults overridden by this run's values."""
        return {**self.spec.defaults(), **dict(self.values)}

    @classmethod
    def parse(cls, text: str) -> RunSpec:
        """Parse ``"name:key=value,key=value"``, optionally followed by ``"@schedule:key=value"``
        (playground.schedules); raise UserError with a clear message."""
        from playground.schedules import Schedule

        text, at, schedule_text = text.partition("@")
        schedule = Schedule.parse(schedule_text) if at else None
        name, _, rest = text.strip().partition(":")
        return cls(name.strip().lower(), settings_of(rest, text), schedule)

    def to_text(self) -> str:
        """The text form, listing only settings that differ from the defaults."""
        parts = [f"{n}={_fmt(v)}" for n, v in self.values]
        text = self.optimizer + (":" + ",".join(parts) if parts else "")
        return text + ("@" + self.schedule.to_text() if self.schedule is not None else "")

    def label(self, lang: str = "en") -> str:
        """A short display label, e.g. "Adam lr=0.01" or "SGD lr=0.1 · cosine T_max=200" (the
        optimizer's and the schedule's names in ``lang``)."""
        settings = self.settings
        extra = [f"{n}={_fmt(v)}" for n, v in self.values if n != "lr"]
        if self.schedule is not None:  # its name, and the settings it changed: "· step gamma=0.5"
            name = catalogue(lang).get(f"sched_name_{self.schedule.key}") or self.schedule.key
            extra += [f"· {name}", *(f"{n}={_fmt(v)}" for n, v in self.schedule.values)]
        return " ".join([display_name(self.spec.key, lang), f"lr={_fmt(settings['lr'])}", *extra])


def settings_of(rest: str, text: str) -> tuple[tuple[str, str], ...]:
    """The ``key=value,key=value`` part of a run's or a schedule's text, as (key, value) pairs
    (checked by their registry); UserError naming ``text`` when a part has no ``=``."""
    values = []
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq:
            raise UserError("err_run_syntax", text=text[:60])
        values.append((key.strip(), value.strip()))
    return tuple(values)


def _fmt(value: float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}"


def display_name(key: str, lang: str = "en") -> str:
    """An optimizer's name for people: "Adam" in every language, but "Momentum" is 动量 in
    Chinese (the catalogue's ``opt_name_<key>`` where there is one)."""
    return catalogue(lang).get(f"opt_name_{key}") or OPTIMIZERS[key].label

"""Registry of optimizers: name → torch.optim class, settings with torch's defaults, update rule.

The same registry drives the race view's widgets, the URL and the command line
(``playground race --run "adam:lr=0.01"``). Runs always step the real ``torch.optim`` class;
nothing here re-implements an update rule. Formulas follow PyTorch's documentation
(g_t is the gradient, γ the learning rate, θ the parameters).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from playground.i18n import UserError


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
    latex : str
        Update rule in PyTorch's conventions.
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
    latex: str
    note: str
    pairs: dict[str, tuple[str, str]] = field(default_factory=dict)
    elementwise: bool = True

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


_SGD = r"""\begin{aligned}&b_t=\mu\,b_{t-1}+(1-\tau)\,g_t\quad(b_1=g_1)\\
&\theta_t=\theta_{t-1}-\gamma\,%s\end{aligned}"""
_ADAM = r"""\begin{aligned}&m_t=\beta_1 m_{t-1}+(1-\beta_1)\,g_t,\quad
v_t=\beta_2 v_{t-1}+(1-\beta_2)\,g_t^2\\
&\hat m_t=\frac{m_t}{1-\beta_1^t},\quad\hat v_t=\frac{v_t}{1-\beta_2^t},\quad
\theta_t=\theta_{t-1}-\gamma\,\frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon}\end{aligned}"""


def _sgd_settings(momentum: float, nesterov: bool) -> tuple[Setting, ...]:
    return (
        _lr(1e-3),
        Setting("momentum", momentum, 0.0, 0.9999),
        Setting("dampening", 0.0, 0.0, 1.0),
        Setting("nesterov", nesterov, kind="bool"),
        WD,
    )


SPECS = [
    OptimizerSpec("sgd", "SGD", torch.optim.SGD, _sgd_settings(0.0, False),
                  r"\theta_t=\theta_{t-1}-\gamma\,g_t", "note_sgd"),
    OptimizerSpec("momentum", "Momentum", torch.optim.SGD, _sgd_settings(0.9, False),
                  _SGD % "b_t", "note_momentum"),
    OptimizerSpec("nesterov", "Nesterov", torch.optim.SGD, _sgd_settings(0.9, True),
                  _SGD % r"(g_t+\mu\,b_t)", "note_nesterov"),
    OptimizerSpec(
        "rmsprop", "RMSprop", torch.optim.RMSprop,
        (_lr(1e-2), Setting("alpha", 0.99, 0.0, 0.9999), EPS, Setting("momentum", 0.0, 0.0, 0.9999),
         Setting("centered", False, kind="bool"), WD),
        r"""v_t=\alpha\,v_{t-1}+(1-\alpha)\,g_t^2,\quad
\theta_t=\theta_{t-1}-\gamma\,\frac{g_t}{\sqrt{v_t}+\epsilon}""",
        "note_rmsprop",
    ),
    OptimizerSpec("adam", "Adam", torch.optim.Adam,
                  (_lr(1e-3), *BETAS, EPS, WD, Setting("amsgrad", False, kind="bool")),
                  _ADAM, "note_adam", {"betas": ("beta1", "beta2")}),
    OptimizerSpec(
        "adagrad", "Adagrad", torch.optim.Adagrad,
        (_lr(1e-2), Setting("lr_decay", 0.0, 0.0, 1.0), Setting("eps", 1e-10, 0.0, 1.0), WD),
        r"""s_t=s_{t-1}+g_t^2,\quad\theta_t=\theta_{t-1}-\frac{\gamma}{1+(t-1)\eta}\,
\frac{g_t}{\sqrt{s_t}+\epsilon}""",
        "note_adagrad",
    ),
    OptimizerSpec(
        "adadelta", "Adadelta", torch.optim.Adadelta,
        (_lr(1.0), Setting("rho", 0.9, 0.0, 0.9999), Setting("eps", 1e-6, 0.0, 1.0), WD),
        r"""\begin{aligned}&v_t=\rho v_{t-1}+(1-\rho)g_t^2,\quad
\Delta_t=\frac{\sqrt{u_{t-1}+\epsilon}}{\sqrt{v_t+\epsilon}}\,g_t\\
&u_t=\rho u_{t-1}+(1-\rho)\Delta_t^2,\quad\theta_t=\theta_{t-1}-\gamma\Delta_t\end{aligned}""",
        "note_adadelta",
    ),
    OptimizerSpec(
        "adamax", "Adamax", torch.optim.Adamax, (_lr(2e-3), *BETAS, EPS, WD),
        r"""m_t=\beta_1 m_{t-1}+(1-\beta_1)g_t,\quad u_t=\max(\beta_2 u_{t-1},|g_t|+\epsilon),\quad
\theta_t=\theta_{t-1}-\frac{\gamma\,m_t}{(1-\beta_1^t)\,u_t}""",
        "note_adamax", {"betas": ("beta1", "beta2")},
    ),
    OptimizerSpec(
        "adamw", "AdamW", torch.optim.AdamW,
        (_lr(1e-3), *BETAS, EPS, Setting("weight_decay", 1e-2, 0.0, 10.0)),
        r"\theta\leftarrow\theta-\gamma\lambda\theta,\ \text{then the Adam step}",
        "note_adamw", {"betas": ("beta1", "beta2")},
    ),
    OptimizerSpec(
        "nadam", "NAdam", torch.optim.NAdam,
        (_lr(2e-3), *BETAS, EPS, WD, Setting("momentum_decay", 4e-3, 0.0, 1.0)),
        r"""\mu_t=\beta_1\bigl(1-\tfrac12\,0.96^{t\psi}\bigr),\quad
\theta_t=\theta_{t-1}-\gamma\,\frac{\mu_{t+1}\hat m_t+(1-\mu_t)\,g_t/(1-\prod_{i\le t}\mu_i)}
{\sqrt{\hat v_t}+\epsilon}""",
        "note_nadam", {"betas": ("beta1", "beta2")},
    ),
    OptimizerSpec(
        "radam", "RAdam", torch.optim.RAdam, (_lr(1e-3), *BETAS, EPS, WD),
        r"""\rho_t=\rho_\infty-\frac{2t\beta_2^t}{1-\beta_2^t};\quad
\theta_t=\theta_{t-1}-\gamma\,\hat m_t\cdot\begin{cases}r_t/(\sqrt{\hat v_t}+\epsilon)&\rho_t>5\\
1&\text{otherwise}\end{cases}""",
        "note_radam", {"betas": ("beta1", "beta2")},
    ),
    OptimizerSpec(
        "asgd", "ASGD", torch.optim.ASGD,
        (_lr(1e-2), Setting("lambd", 1e-4, 0.0, 1.0), Setting("alpha", 0.75, 0.0, 2.0),
         Setting("t0", 1e6, 0.0, 1e9), WD),
        r"""\eta_t=\frac{\gamma}{(1+\lambda\gamma t)^{\alpha}},\quad
\theta_t=(1-\lambda\eta_t)\,\theta_{t-1}-\eta_t g_t,\quad\bar\theta_t=\text{average of }\theta
\text{ after }t_0""",
        "note_asgd",
    ),
    OptimizerSpec(
        "rprop", "Rprop", torch.optim.Rprop,
        (_lr(1e-2), Setting("eta_minus", 0.5, 0.0, 1.0), Setting("eta_plus", 1.2, 1.0, 10.0),
         Setting("step_min", 1e-6, 0.0, 1.0), Setting("step_max", 50.0, 0.0, 1e3)),
        r"""\delta_t=\begin{cases}\min(\eta_+\delta_{t-1},\Delta_{max})&g_t g_{t-1}>0\\
\max(\eta_-\delta_{t-1},\Delta_{min})&g_t g_{t-1}<0\\\delta_{t-1}&\text{else}\end{cases},\quad
\theta_t=\theta_{t-1}-\delta_t\operatorname{sign}(g_t)""",
        "note_rprop", {"etas": ("eta_minus", "eta_plus"), "step_sizes": ("step_min", "step_max")},
    ),
    OptimizerSpec(
        "lbfgs", "L-BFGS", torch.optim.LBFGS,
        (_lr(1.0), Setting("max_iter", 20, 1, 100, "int"),
         Setting("history_size", 100, 1, 1000, "int"), Setting("strong_wolfe", False, kind="bool")),
        r"""\theta_t=\theta_{t-1}-\gamma\,H_t\,g_t,\quad H_t\approx(\nabla^2 f)^{-1}
\ \text{from the last pairs }(\Delta\theta,\Delta g)""",
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

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise UserError("err_unknown_optimizer", name=self.optimizer[:30],
                            allowed=", ".join(OPTIMIZERS))  # fmt: skip
        spec = OPTIMIZERS[self.optimizer]
        defaults = spec.defaults()
        checked = {n: spec.setting(n).check(v) for n, v in self.values}
        # Settings equal to the defaults are dropped: "sgd:lr=0.001" is the same run as "sgd".
        kept = tuple(sorted((n, v) for n, v in checked.items() if v != defaults[n]))
        object.__setattr__(self, "values", kept)

    @property
    def spec(self) -> OptimizerSpec:
        return OPTIMIZERS[self.optimizer]

    @property
    def settings(self) -> dict[str, float | bool]:
        """All settings: torch defaults overridden by this run's values."""
        return {**self.spec.defaults(), **dict(self.values)}

    @classmethod
    def parse(cls, text: str) -> RunSpec:
        """Parse ``"name:key=value,key=value"``; raise UserError with a clear message."""
        name, _, rest = text.strip().partition(":")
        values = []
        for item in filter(None, (part.strip() for part in rest.split(","))):
            key, eq, value = item.partition("=")
            if not eq:
                raise UserError("err_run_syntax", text=text[:60])
            values.append((key.strip(), value.strip()))
        return cls(name.strip().lower(), tuple(values))

    def to_text(self) -> str:
        """The text form, listing only settings that differ from the defaults."""
        parts = [f"{n}={_fmt(v)}" for n, v in self.values]
        return self.optimizer + (":" + ",".join(parts) if parts else "")

    def label(self) -> str:
        """A short display label, e.g. "Adam lr=0.01"."""
        settings = self.settings
        extra = [f"{n}={_fmt(v)}" for n, v in self.values if n != "lr"]
        return " ".join([self.spec.label, f"lr={_fmt(settings['lr'])}", *extra])


def _fmt(value: float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}"

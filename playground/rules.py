"""The update rules students read, each with a float64 reference that executes it.

The race view shows each optimizer's update rule beside its settings (``st.latex``). A rule
that is only displayed can drift from what torch does, so every :class:`Rule` here pairs its
LaTeX with a small numpy implementation written from that LaTeX, line by line, in float64.
``tests/test_rules.py`` runs both on the same gradients and checks them step by step against
``torch.optim``.

Runs never use these references: every run (``playground.runs``, ``landscapes``, ``training``,
``convnet``) steps the real ``torch.optim`` class. They exist so that a test can execute the
formula a student reads.

Conventions are PyTorch's (the pseudo-code in its optimizers' docstrings; torch documents none
for ASGD and L-BFGS, whose cards state what torch's code does): θ the parameters, g_t the gradient
at θ_{t-1}, γ the learning rate ``lr``, λ the ``weight_decay``, t = 1, 2, … the step, and every
state (m_0, v_0, b_0, …) starts at 0 unless a rule says otherwise. ``maximize`` (not a registry
setting; torch's default False) flips the gradient's sign before anything else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

Settings = Mapping[str, float | bool]

# The first line of most rules: λθ added to the gradient (torch negates the gradient first for
# maximize, which is not a setting of the race: the references take it, the cards leave it out).
# The cards hold symbols and torch's argument names (\texttt{…}) only: no words to translate.
_GRAD = r"&g_t=\nabla f(\theta_{t-1})+\lambda\,\theta_{t-1}\\"
_GRAD_NO_DECAY = r"&g_t=\nabla f(\theta_{t-1})\\"


def _aligned(*lines: str) -> str:
    """Join lines (each starting with ``&``) into one ``aligned`` block, one line per row.

    One equation per row, short enough for a narrow column (a projector's 1280 × 720 with the
    settings beside it: tests/e2e/test_classroom.py measures every card there).
    """
    return "\\begin{aligned}\n" + "\n".join(lines).removesuffix("\\\\") + "\n\\end{aligned}"


class Reference:
    """A float64 reference for one elementwise rule: ``step(theta, grad) -> theta``.

    Parameters
    ----------
    settings : mapping
        All the optimizer's registry settings (torch defaults overridden by a run's values),
        plus optionally ``maximize``.

    Attributes
    ----------
    t : int
        Steps taken so far (the rules' t after a step).
    """

    def __init__(self, settings: Settings) -> None:
        self.lr = float(settings["lr"])
        self.weight_decay = float(settings.get("weight_decay", 0.0))
        self.maximize = bool(settings.get("maximize", False))
        self.t = 0

    def gradient(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """The first line of a rule: g_t = ±∇f(θ_{t-1}) + λ θ_{t-1}. Shapes (n,) → (n,)."""
        g = -grad if self.maximize else grad
        if self.weight_decay != 0:
            g = g + self.weight_decay * theta
        return g

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """One step: θ_{t-1} (n,) and ∇f(θ_{t-1}) (n,) → θ_t (n,). Advances the state."""
        raise NotImplementedError


class Moments(Reference):
    """A rule with two running moments (the Adam family): reads β₁, β₂ and ε; m₀ = v₀ = 0."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.beta1 = float(settings["beta1"])
        self.beta2 = float(settings["beta2"])
        self.eps = float(settings["eps"])
        self.m = self.v = 0.0  # broadcast to (n,) on the first step


# ---------------------------------------------------------------- SGD, momentum, Nesterov

_SGD_LINES = (
    _GRAD,
    r"&b_t=\mu\,b_{t-1}+(1-\tau)\,g_t\quad(b_1=g_1)\\",
    r"&d_t=\begin{cases}g_t&\mu=0\\ b_t&\lnot\texttt{nesterov}\\ g_t+\mu\,b_t&\texttt{nesterov}"
    r"\end{cases}\\",
    r"&\theta_t=\theta_{t-1}-\gamma\,d_t",
)


def _sgd_latex(key: str) -> str:
    """SGD, Momentum and Nesterov share one rule (they differ in their default settings)."""
    return _aligned(*_SGD_LINES)


class SGD(Reference):
    """SGD with optional momentum μ, dampening τ and Nesterov (one rule, three cards)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.momentum = float(settings["momentum"])
        self.dampening = float(settings["dampening"])
        self.nesterov = bool(settings["nesterov"])
        self.b: np.ndarray | None = None  # (n,)

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.t += 1
        g = self.gradient(theta, grad)
        mu = self.momentum
        if mu == 0:
            d = g
        else:
            self.b = g.copy() if self.t == 1 else mu * self.b + (1 - self.dampening) * g
            d = g + mu * self.b if self.nesterov else self.b
        return theta - self.lr * d


# ---------------------------------------------------------------- RMSprop

_RMSPROP = _aligned(
    _GRAD,
    r"&v_t=\alpha\,v_{t-1}+(1-\alpha)\,g_t^2\\",
    r"&\bar g_t=\alpha\,\bar g_{t-1}+(1-\alpha)\,g_t\\",
    r"&\tilde v_t=\begin{cases}v_t-\bar g_t^{\,2}&\texttt{centered}\\ v_t&\lnot\texttt{centered}"
    r"\end{cases}\\",
    r"&b_t=\mu\,b_{t-1}+\frac{g_t}{\sqrt{\tilde v_t}+\epsilon}\\",
    r"&\theta_t=\theta_{t-1}-\gamma\,b_t",
)


class RMSprop(Reference):
    """RMSprop, optionally centered and with momentum μ (μ = 0: b_t is the plain step)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.alpha = float(settings["alpha"])
        self.eps = float(settings["eps"])
        self.momentum = float(settings["momentum"])
        self.centered = bool(settings["centered"])
        self.v = self.g_bar = self.b = 0.0  # broadcast to (n,) on the first step

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.t += 1
        g = self.gradient(theta, grad)
        a = self.alpha
        self.v = a * self.v + (1 - a) * g**2
        v_tilde = self.v
        if self.centered:
            self.g_bar = a * self.g_bar + (1 - a) * g
            v_tilde = self.v - self.g_bar**2
        self.b = self.momentum * self.b + g / (np.sqrt(v_tilde) + self.eps)
        return theta - self.lr * self.b


# ---------------------------------------------------------------- Adam, AdamW

_ADAM_MOMENTS = (
    r"&m_t=\beta_1 m_{t-1}+(1-\beta_1)\,g_t\\",
    r"&v_t=\beta_2 v_{t-1}+(1-\beta_2)\,g_t^2\\",
    r"&\hat m_t=\frac{m_t}{1-\beta_1^t}\\",
    r"&\hat v_t=\frac{v^*_t}{1-\beta_2^t}\\",
    r"&v^*_t=\begin{cases}\max_{i\le t}v_i&\texttt{amsgrad}\\ v_t&\lnot\texttt{amsgrad}"
    r"\end{cases}\\",
)
_ADAM = _aligned(
    _GRAD,
    *_ADAM_MOMENTS,
    r"&\theta_t=\theta_{t-1}-\gamma\,\frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon}",
)
_ADAMW = _aligned(
    _GRAD_NO_DECAY,
    *_ADAM_MOMENTS,
    r"&\theta_t=(1-\gamma\lambda)\,\theta_{t-1}-\gamma\,\frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon}",
)


class Adam(Moments):
    """Adam with optional amsgrad; weight decay added to the gradient (coupled)."""

    decoupled = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.amsgrad = bool(settings.get("amsgrad", False))
        self.v_max = 0.0  # broadcast to (n,) on the first step

    def gradient(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        if self.decoupled:  # AdamW: λ acts on θ in the last line, not on g_t
            return -grad if self.maximize else grad
        return super().gradient(theta, grad)

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.t += 1
        t, b1, b2 = self.t, self.beta1, self.beta2
        g = self.gradient(theta, grad)
        self.m = b1 * self.m + (1 - b1) * g
        self.v = b2 * self.v + (1 - b2) * g**2
        m_hat = self.m / (1 - b1**t)
        if self.amsgrad:
            self.v_max = np.maximum(self.v_max, self.v)
            v_hat = self.v_max / (1 - b2**t)
        else:
            v_hat = self.v / (1 - b2**t)
        step = self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        if self.decoupled:
            return (1 - self.lr * self.weight_decay) * theta - step
        return theta - step


class AdamW(Adam):
    """AdamW: Adam with the decay (1 − γλ) applied to θ instead of λθ added to g_t."""

    decoupled = True


# ---------------------------------------------------------------- Adagrad

_ADAGRAD = _aligned(
    _GRAD,
    r"&s_t=s_{t-1}+g_t^2\quad(s_0=0)\\",
    r"&\tilde\gamma_t=\frac{\gamma}{1+(t-1)\,\eta}\\",
    r"&\eta=\texttt{lr\_decay}\\",
    r"&\theta_t=\theta_{t-1}-\tilde\gamma_t\,\frac{g_t}{\sqrt{s_t}+\epsilon}",
)


class Adagrad(Reference):
    """Adagrad with learning-rate decay η (``lr_decay``)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.lr_decay = float(settings["lr_decay"])
        self.eps = float(settings["eps"])
        self.s = 0.0  # broadcast to (n,) on the first step

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.t += 1
        g = self.gradient(theta, grad)
        self.s = self.s + g**2
        lr_t = self.lr / (1 + (self.t - 1) * self.lr_decay)
        return theta - lr_t * g / (np.sqrt(self.s) + self.eps)


# ---------------------------------------------------------------- Adadelta

_ADADELTA = _aligned(
    _GRAD,
    r"&v_t=\rho\,v_{t-1}+(1-\rho)\,g_t^2\\",
    r"&\Delta_t=\frac{\sqrt{u_{t-1}+\epsilon}}{\sqrt{v_t+\epsilon}}\,g_t\\",
    r"&u_t=\rho\,u_{t-1}+(1-\rho)\,\Delta_t^2\\",
    r"&\theta_t=\theta_{t-1}-\gamma\,\Delta_t",
)


class Adadelta(Reference):
    """Adadelta: the step is the ratio of two running RMS values times g_t, scaled by γ."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.rho = float(settings["rho"])
        self.eps = float(settings["eps"])
        self.v = self.u = 0.0  # broadcast to (n,) on the first step

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.t += 1
        g, rho, eps = self.gradient(theta, grad), self.rho, self.eps
        self.v = rho * self.v + (1 - rho) * g**2
        delta = np.sqrt(self.u + eps) / np.sqrt(self.v + eps) * g
        self.u = rho * self.u + (1 - rho) * delta**2
        return theta - self.lr * delta


# ---------------------------------------------------------------- Adamax

_ADAMAX = _aligned(
    _GRAD,
    r"&m_t=\beta_1 m_{t-1}+(1-\beta_1)\,g_t\\",
    r"&u_t=\max(\beta_2 u_{t-1},\,|g_t|+\epsilon)\\",
    r"&\theta_t=\theta_{t-1}-\frac{\gamma\,m_t}{(1-\beta_1^t)\,u_t}",
)


class Adamax(Moments):
    """Adamax: Adam with a running maximum of |g| in place of the squared-gradient average."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.u = 0.0  # broadcast to (n,) on the first step

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.t += 1
        g = self.gradient(theta, grad)
        self.m = self.beta1 * self.m + (1 - self.beta1) * g
        self.u = np.maximum(self.beta2 * self.u, np.abs(g) + self.eps)
        return theta - self.lr * self.m / ((1 - self.beta1**self.t) * self.u)


# ---------------------------------------------------------------- NAdam

_NADAM = _aligned(
    _GRAD,
    r"&\mu_k=\beta_1\bigl(1-\tfrac12\,0.96^{k\psi}\bigr)\\",
    r"&\psi=\texttt{momentum\_decay}\\",
    r"&m_t=\beta_1 m_{t-1}+(1-\beta_1)\,g_t\\",
    r"&v_t=\beta_2 v_{t-1}+(1-\beta_2)\,g_t^2\\",
    r"&P_t=\mu_1\mu_2\cdots\mu_t\\",
    r"&\hat m_t=\frac{\mu_{t+1}\,m_t}{1-P_t\,\mu_{t+1}}+\frac{(1-\mu_t)\,g_t}{1-P_t}\\",
    r"&\theta_t=\theta_{t-1}-\gamma\,\frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon}\\",
    r"&\hat v_t=\frac{v_t}{1-\beta_2^t}",
)


class NAdam(Moments):
    """NAdam: Adam with Nesterov momentum and torch's momentum schedule μ_k."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.psi = float(settings["momentum_decay"])
        self.product = 1.0  # P_t, the product μ_1 ⋯ μ_t (P_0 = 1)

    def mu(self, k: int) -> float:
        """μ_k = β₁ (1 − ½ · 0.96^(kψ))."""
        return self.beta1 * (1 - 0.5 * 0.96 ** (k * self.psi))

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.t += 1
        t, b1, b2 = self.t, self.beta1, self.beta2
        g = self.gradient(theta, grad)
        mu_t, mu_next = self.mu(t), self.mu(t + 1)
        self.product *= mu_t
        self.m = b1 * self.m + (1 - b1) * g
        self.v = b2 * self.v + (1 - b2) * g**2
        m_hat = mu_next * self.m / (1 - self.product * mu_next) + (1 - mu_t) * g / (
            1 - self.product
        )
        v_hat = self.v / (1 - b2**t)
        return theta - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


# ---------------------------------------------------------------- RAdam

_RADAM = _aligned(
    _GRAD,
    r"&m_t=\beta_1 m_{t-1}+(1-\beta_1)\,g_t\\",
    r"&\hat m_t=\frac{m_t}{1-\beta_1^t}\\",
    r"&v_t=\beta_2 v_{t-1}+(1-\beta_2)\,g_t^2\\",
    r"&\rho_\infty=\frac{2}{1-\beta_2}-1\\",
    r"&\rho_t=\rho_\infty-\frac{2t\,\beta_2^t}{1-\beta_2^t}\\",
    r"&r_t=\sqrt{\frac{(\rho_t-4)(\rho_t-2)\,\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\,\rho_t}}\\",
    r"&l_t=\frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t}+\epsilon}\\",
    r"&\theta_t=\theta_{t-1}-\gamma\,\hat m_t\cdot"
    r"\begin{cases}r_t\,l_t&\rho_t>5\\ 1&\rho_t\le5\end{cases}",
)


class RAdam(Moments):
    """RAdam: Adam's step rectified by r_t, or a bias-corrected momentum step while ρ_t ≤ 5."""

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.t += 1
        t, b1, b2 = self.t, self.beta1, self.beta2
        g = self.gradient(theta, grad)
        self.m = b1 * self.m + (1 - b1) * g
        self.v = b2 * self.v + (1 - b2) * g**2
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        m_hat = self.m / (1 - b1**t)
        if rho_t > 5:
            r_t = np.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            l_t = np.sqrt(1 - b2**t) / (np.sqrt(self.v) + self.eps)
            return theta - self.lr * m_hat * r_t * l_t
        return theta - self.lr * m_hat


# ---------------------------------------------------------------- ASGD

_ASGD = _aligned(
    r"&g_t=\nabla f(\theta_{t-1})+\omega\,\theta_{t-1}\\",
    r"&\omega=\texttt{weight\_decay}\\",
    r"&\eta_t=\frac{\gamma}{\bigl(1+\lambda\gamma\,(t-1)\bigr)^{\alpha}}\\",
    r"&\theta_t=(1-\lambda\eta_t)\,\theta_{t-1}-\eta_t\,g_t\\",
    r"&\bar\theta_t=\bar\theta_{t-1}+\frac{\theta_t-\bar\theta_{t-1}}{\max(1,\,t-1-t_0)}",
)


class ASGD(Reference):
    """Averaged SGD: a decaying step η_t, a decay λ of θ, and the running average θ̄.

    Attributes
    ----------
    average : ndarray, shape (n,)
        θ̄_t, which torch keeps as ``state["ax"]`` (the race draws θ_t, not θ̄_t).
    """

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.lambd = float(settings["lambd"])
        self.alpha = float(settings["alpha"])
        self.t0 = float(settings["t0"])
        self.average: np.ndarray | float = 0.0

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.t += 1
        t, lr = self.t, self.lr
        g = self.gradient(theta, grad)
        eta = lr / (1 + self.lambd * lr * (t - 1)) ** self.alpha
        theta = (1 - self.lambd * eta) * theta - eta * g
        weight = 1 / max(1, t - 1 - self.t0)
        if weight == 1:  # θ̄_t = θ_t exactly (θ̄ + (θ − θ̄) could round differently)
            self.average = theta.copy()
        else:
            self.average = self.average + (theta - self.average) * weight
        return theta


# ---------------------------------------------------------------- Rprop

_RPROP = _aligned(
    _GRAD_NO_DECAY,
    r"&\eta=\begin{cases}\eta_+&g_t\tilde g_{t-1}>0\\\eta_-&g_t\tilde g_{t-1}<0\\"
    r"1&g_t\tilde g_{t-1}=0\end{cases}\\",
    r"&\delta_t=\operatorname{clip}\bigl(\eta\,\delta_{t-1},\,\Delta_{\min},\,\Delta_{\max}\bigr)\\",
    r"&\tilde g_t=\begin{cases}0&g_t\tilde g_{t-1}<0\\ g_t&g_t\tilde g_{t-1}\ge0\end{cases}\\",
    r"&\theta_t=\theta_{t-1}-\delta_t\operatorname{sign}(\tilde g_t)\\",
    r"&\delta_0=\gamma,\quad\tilde g_0=0",
)


class Rprop(Reference):
    """Rprop: per-coordinate steps δ from the gradient's sign; a flip shrinks δ and skips a step."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.eta_minus = float(settings["eta_minus"])
        self.eta_plus = float(settings["eta_plus"])
        self.step_min = float(settings["step_min"])
        self.step_max = float(settings["step_max"])
        self.delta: np.ndarray | float = self.lr  # δ_0 = γ
        self.g_prev: np.ndarray | float = 0.0  # g_0 = 0

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.t += 1
        g = self.gradient(theta, grad)
        product = g * self.g_prev  # (n,)
        eta = np.where(product > 0, self.eta_plus, np.where(product < 0, self.eta_minus, 1.0))
        self.delta = np.clip(eta * self.delta, self.step_min, self.step_max)
        g = np.where(product < 0, 0.0, g)
        self.g_prev = g
        return theta - self.delta * np.sign(g)


# ---------------------------------------------------------------- L-BFGS

TOLERANCE_GRAD = 1e-7  # torch.optim.LBFGS defaults (not registry settings)
TOLERANCE_CHANGE = 1e-9
CURVATURE_MIN = 1e-10  # a pair (s, y) with yᵀs at or below this is not kept

_LBFGS = _aligned(
    r"&s_i=\theta_{i+1}-\theta_i,\ \ y_i=g_{i+1}-g_i\\",
    r"&\rho_i=1/(y_i^\top s_i)\\",
    r"&q=g_k;\ \ i=k-1,\dots,k-m:\\",
    r"&\qquad\alpha_i=\rho_i\,s_i^\top q,\ \ q\leftarrow q-\alpha_i\,y_i\\",
    r"&r=\frac{s_{k-1}^\top y_{k-1}}{y_{k-1}^\top y_{k-1}}\,q\\",
    r"&i=k-m,\dots,k-1:\\",
    r"&\qquad r\leftarrow r+(\alpha_i-\rho_i\,y_i^\top r)\,s_i\\",
    r"&\theta_{k+1}=\theta_k-t_k\,r,\quad t_k=\gamma\\",
    r"&t_1=\gamma\,\min(1,\,1/\|g_1\|_1)\\",
    r"&m=\texttt{history\_size}",
)


class LBFGS:
    """L-BFGS as torch runs it without a line search (``line_search_fn=None``, the default).

    One :meth:`step` is one ``torch.optim.LBFGS.step(closure)``: up to ``max_iter`` inner
    iterations k, counted across calls (k = 1 only on the very first). The strong-Wolfe line
    search (``strong_wolfe=True``) is not reproduced: it raises NotImplementedError.

    Parameters
    ----------
    settings : mapping
        ``lr``, ``max_iter``, ``history_size`` (m) and ``strong_wolfe``.

    Attributes
    ----------
    k : int
        Inner iterations so far, over all steps.
    skipped : int
        Curvature pairs not kept (yᵀs ≤ 1e-10).
    stops : dict of str to int
        How often each condition ended a step: "gradient", "not descent", "max_iter",
        "max_eval", "step" (‖t d‖∞), "f change".
    """

    def __init__(self, settings: Settings) -> None:
        if settings.get("strong_wolfe", False):
            raise NotImplementedError("the reference covers L-BFGS without a line search")
        self.lr = float(settings["lr"])
        self.max_iter = int(settings["max_iter"])
        self.max_eval = self.max_iter * 5 // 4  # torch's default max_eval
        self.history_size = int(settings["history_size"])
        self.k = 0
        self.skipped = 0
        self.stops: dict[str, int] = {}
        self.s: list[np.ndarray] = []  # kept pairs, oldest first, each (n,)
        self.y: list[np.ndarray] = []
        self.rho: list[float] = []
        self.h0 = 1.0  # H_0's scale
        self.d: np.ndarray | None = None  # last direction d_k (n,)
        self.t_k = 0.0  # last step length t_k
        self.g_prev: np.ndarray | None = None  # (n,)

    def direction(self, g: np.ndarray) -> np.ndarray:
        """The two-loop recursion: d_k = −H_k g_k from the kept pairs. Shape (n,) → (n,)."""
        q = g.copy()
        alpha = [0.0] * len(self.s)
        for i in reversed(range(len(self.s))):  # newest to oldest
            alpha[i] = self.rho[i] * (self.s[i] @ q)
            q = q - alpha[i] * self.y[i]
        r = self.h0 * q
        for i in range(len(self.s)):  # oldest to newest
            r = r + (alpha[i] - self.rho[i] * (self.y[i] @ r)) * self.s[i]
        return -r

    def remember(self, g: np.ndarray) -> None:
        """Keep the pair s = t_{k-1} d_{k-1}, y = g_k − g_{k-1} if yᵀs > 1e-10 (last m only)."""
        s, y = self.t_k * self.d, g - self.g_prev
        ys = y @ s
        if ys <= CURVATURE_MIN:
            self.skipped += 1
            return
        if len(self.s) == self.history_size:
            del self.s[0], self.y[0], self.rho[0]
        self.s.append(s)
        self.y.append(y)
        self.rho.append(1 / ys)
        self.h0 = ys / (y @ y)

    def step(
        self, theta: np.ndarray, closure: Callable[[np.ndarray], tuple[float, np.ndarray]]
    ) -> np.ndarray:
        """One ``.step(closure)``: θ (n,) → θ (n,); ``closure(θ)`` returns f(θ) and ∇f(θ) (n,)."""
        f, g = closure(theta)
        evaluations = 1
        if np.abs(g).max() <= TOLERANCE_GRAD:
            return self._stop("gradient", theta)
        for n in range(1, self.max_iter + 1):
            self.k += 1
            if self.k > 1:
                self.remember(g)
            self.d = self.direction(g)
            self.g_prev, f_prev = g, f
            self.t_k = self.lr * (min(1.0, 1.0 / np.abs(g).sum()) if self.k == 1 else 1.0)
            if g @ self.d > -TOLERANCE_CHANGE:
                return self._stop("not descent", theta)
            theta = theta + self.t_k * self.d
            if n == self.max_iter:
                return self._stop("max_iter", theta)
            f, g = closure(theta)
            evaluations += 1
            if evaluations >= self.max_eval:
                return self._stop("max_eval", theta)
            if np.abs(g).max() <= TOLERANCE_GRAD:
                return self._stop("gradient", theta)
            if np.abs(self.t_k * self.d).max() <= TOLERANCE_CHANGE:
                return self._stop("step", theta)
            if abs(f - f_prev) < TOLERANCE_CHANGE:
                return self._stop("f change", theta)
        raise AssertionError("unreachable: the last iteration stops at max_iter")

    def _stop(self, reason: str, theta: np.ndarray) -> np.ndarray:
        self.stops[reason] = self.stops.get(reason, 0) + 1
        return theta


# ---------------------------------------------------------------- the registry's rules


@dataclass(frozen=True)
class Rule:
    """The update rule shown for one optimizer, and its float64 reference.

    Attributes
    ----------
    latex : str
        The rule as the race view shows it (KaTeX).
    reference : type
        Built from a settings mapping; ``step(theta, grad)`` (elementwise rules) or
        ``step(theta, closure)`` (``closure`` True) returns the next θ.
    closure : bool
        True if the reference calls ``closure(θ) -> (f, ∇f)`` like ``LBFGS.step(closure)``.
    """

    latex: str
    reference: type
    closure: bool = False

    def start(self, settings: Settings) -> Reference | LBFGS:
        """A fresh reference (state at t = 0) for ``settings``."""
        return self.reference(settings)


RULES: dict[str, Rule] = {
    "sgd": Rule(_sgd_latex("sgd"), SGD),
    "momentum": Rule(_sgd_latex("momentum"), SGD),
    "nesterov": Rule(_sgd_latex("nesterov"), SGD),
    "rmsprop": Rule(_RMSPROP, RMSprop),
    "adam": Rule(_ADAM, Adam),
    "adagrad": Rule(_ADAGRAD, Adagrad),
    "adadelta": Rule(_ADADELTA, Adadelta),
    "adamax": Rule(_ADAMAX, Adamax),
    "adamw": Rule(_ADAMW, AdamW),
    "nadam": Rule(_NADAM, NAdam),
    "radam": Rule(_RADAM, RAdam),
    "asgd": Rule(_ASGD, ASGD),
    "rprop": Rule(_RPROP, Rprop),
    "lbfgs": Rule(_LBFGS, LBFGS, closure=True),
}

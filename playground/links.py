"""Shareable links: does a setting in a link equal the value a view ended up using?

A view's settings live in the URL's query parameters. When a link carries a value a widget
cannot take (a typo, a number out of range, an unknown option), the widget falls back to its
default; comparing the link's values with the values in use tells the page what to report.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

# Parameters of the page frame (every view), never reported as unknown
FRAME_PARAMS = frozenset({"lang", "presenter", "lesson", "embed", "embed_options"})
# the frame's own settings, which a link can get wrong too (lang=xx, presenter=maybe); an
# unknown lesson has its own notice, and embed is Streamlit's
CHECKED_FRAME_PARAMS = frozenset({"lang", "presenter"})


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value


def same_setting(url_values: Sequence[str], value: object) -> bool:
    """True if a link's value(s) for one parameter denote ``value`` (the value in use).

    Numbers compare as numbers (``0.10`` is ``0.1``), booleans as ``true``/``false``,
    sequences element by element, anything else by its text.
    """
    if isinstance(value, list | tuple):
        return len(url_values) == len(value) and all(
            same_setting([u], v) for u, v in zip(url_values, value, strict=True)
        )
    if not url_values:
        return False
    text = url_values[-1]
    if isinstance(value, bool):
        return text.strip().lower() == str(value).lower()
    if isinstance(value, int | float):
        number = _number(text)
        return number is not None and math.isclose(number, float(value), rel_tol=1e-9, abs_tol=0)
    if str(value) == text:
        return True
    a, b = _number(text), _number(str(value))
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9)


def rejected(
    link: Mapping[str, Sequence[str]], in_use: Mapping[str, object]
) -> list[tuple[str, str]]:
    """The link's parameters that were not used as given: (name, value as given in the link).

    Parameters
    ----------
    link : mapping
        Query parameters as the page was opened: name → list of values.
    in_use : mapping
        The settings the view used: widget key → value. A parameter the view has no setting
        for is rejected too (a typo in its name, or a setting of another view).
    """
    bad = []
    for name, values in link.items():
        if name in FRAME_PARAMS and name not in CHECKED_FRAME_PARAMS:
            continue
        if name not in in_use or not same_setting(list(values), in_use[name]):
            bad.append((name, shortened(", ".join(_not_used(list(values), in_use.get(name))))))
    return bad


# a run's settings in a link: the race's r0, r0_lr, r0_sched_T_max …; the landscape's ll_r1_lr
_RUN_NAME = re.compile(r"(?:ll_)?r(\d)(?:_\w+)?")


def run_of(name: str) -> int | None:
    """The run (counted from 1, as the view counts them) whose setting a link's ``name`` is,
    or None: ``ll_r1_lr`` is run 2's learning rate (links count from 0, and a teacher read it
    as run 1's)."""
    match = _RUN_NAME.fullmatch(name)
    return int(match.group(1)) + 1 if match else None


def said(value: object) -> str:
    """A setting's value as a link writes it (what a notice says the view used instead):
    ``0.01``, ``true``, ``0.5, 0.9``, ``adam``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list | tuple):
        return ", ".join(said(v) for v in value)
    return str(value)


def _not_used(values: list[str], used: object) -> list[str]:
    """Of a link's values for a setting of several (a list: the EWA's β), those it does not
    use: ``betas=abc&betas=2&betas=0.9`` uses 0.9, and the notice names only abc and 2. For a
    setting of one value, all of them."""
    if not isinstance(used, list | tuple):
        return values
    left = [v for v in values if not any(same_setting([v], u) for u in used)]
    return left or values  # (every value used, in another order or number: the list as given)


def shortened(value: str, most: int = 40) -> str:
    """A value as a notice shows it: at most ``most`` characters, "…" where it was cut."""
    return value if len(value) <= most else value[: most - 1] + "…"


def non_finite(link: Mapping[str, Sequence[str]]) -> list[str]:
    """The link's parameters whose value is a number that is not finite (``inf``, ``nan``,
    ``1e309``): no setting takes one, and a whole-number widget given one fails outright
    (Streamlit's ``int(float("inf"))`` raises OverflowError before the view can say a word).
    """
    bad = []
    for name, values in link.items():
        numbers = [_number(v) for v in values]
        if any(n is not None and not math.isfinite(n) for n in numbers):
            bad.append(name)
    return bad


def named_like(names: list[str], settings: list[str], most: int = 5) -> list[tuple[str, list[str]]]:
    """For names a link gave that are no setting of the view (``lr``, ``seed``), the
    ``settings`` whose name has that word (``fs_lr_sine``, ``lab_seed``), at most ``most`` a
    name: (name, settings) for the names that have some."""
    pairs = []
    for name in names:
        word = name.strip().lower()
        found = [k for k in sorted(settings) if word and word in k.lower().split("_") and k != name]
        if found:
            pairs.append((name, found[:most]))
    return pairs

"""Bad input, fuzzed: the formula parser, the CSV loader and the optimizer settings take
thousands of random and hostile inputs; nothing is executed, no exception but a UserError
with a message escapes, and every optimizer on every surface at every learning rate either
stays finite or is reported diverged with its step."""

from __future__ import annotations

import math
import string

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground import data, expr, landscapes, runs
from playground.i18n import LANGUAGES, UserError
from playground.optimizers import OPTIMIZERS, RunSpec

FUZZ = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of formulas, harmless and hostile, glued at random
TOKENS = [
    "x", "y", "pi", "e", "1", "0", "-", "+", "*", "/", "**", "^", "(", ")", "sin(", "exp(",
    "log(", "sqrt(", "abs(", "tanh(", "1e308", "9**9**9", ".", ",", "[", "]", "{", "}", "'a'",
    '"b"', "__import__", "os", "system", "open", "eval", "exec", "lambda", ":", "=", "==",
    "__class__", "__subclasses__", "getattr", "x.real", "()", "x if y else 1", " ", "\\n",
    "not", "and", "or", "@", "%", "//", "~", "<<", "True", "None", "f'{x}'", "*x", "**x",
    "sin(x, y)", "sin(x=1)", "globals()", "breakpoint()", ";", "import os",
]  # fmt: skip


def check_rejection(err: UserError) -> None:
    for lang in LANGUAGES:
        message = err.message(lang)
        assert message and "{" not in message, message  # filled, never a bare template


def parse_safely(text: str) -> None:
    try:
        fn = expr.parse(text)
    except UserError as err:
        check_rejection(err)
        return
    grid = torch.linspace(-2.0, 2.0, 5, dtype=torch.float64)
    with np.errstate(all="ignore"):
        value = fn(grid, grid.flip(0))
    assert isinstance(value, torch.Tensor) and value.shape == (5,)


@FUZZ
@given(st.text(max_size=300))
def test_parser_takes_any_text(text):
    parse_safely(text)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_parser_takes_hostile_token_soup(text):
    parse_safely(text)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('touch pwned')",
        "open('pwned', 'w').write('x')",
        "().__class__.__bases__[0].__subclasses__()",
        "(lambda: 1)()",
        "exec('x=1')",
        "x.__class__",
        "[x for x in (1,)]",
        "(" * 500 + "x" + ")" * 500,
        "x" + "**x" * 300,
        "sin(" * 100 + "x" + ")" * 100,
    ],
)
def test_hostile_formulas_are_rejected_and_nothing_runs(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError) as info:
        expr.parse(text)
    check_rejection(info.value)
    assert not list(tmp_path.iterdir())  # no file was written


# ------------------------------------------------------------------ CSV loader


def load(raw: bytes) -> None:
    try:
        table = data.read_csv(raw)
    except UserError as err:
        check_rejection(err)
        return
    cols = list(table.columns)
    assert len(cols) >= 2
    try:
        ds = data.from_columns(table, cols[0], cols[1])
    except UserError as err:
        check_rejection(err)
        return
    assert np.isfinite(ds.x).all() and np.isfinite(ds.y).all() and len(ds.x) >= 2


@FUZZ
@given(st.binary(max_size=2000))
def test_csv_loader_takes_random_bytes(raw):
    load(raw)


cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**400), max_value=10**400).map(str),
    st.sampled_from(["", "nan", "NaN", "inf", "-inf", "1e999", "abc", "1,5", '"', "NULL", "—"]),
    st.text(alphabet=string.printable, max_size=8),
)


@FUZZ
@given(
    st.lists(st.sampled_from(["x", "y", "x", "a b", "", "ü", "y"]), min_size=1, max_size=4),
    st.lists(st.lists(cells, min_size=1, max_size=4), min_size=0, max_size=30),
    st.sampled_from(["utf-8", "utf-16", "latin-1", "utf-8-sig"]),
)
def test_csv_loader_takes_odd_tables(header, rows, encoding):
    text = "\n".join([",".join(header)] + [",".join(r) for r in rows])
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        raw = text.encode("utf-8")
    load(raw)


def test_csv_special_cases_are_messages():
    cases = [
        b"x,y\n1,2\n",  # one row
        b"x,x\n1,2\n3,4\n5,6\n",  # duplicate headers
        "x,y\n1,2\n3,4\n".encode("utf-16"),  # another encoding
        b"x,y\n1e400,2\n3,inf\nnan,4\n5,6\n7,8\n",  # huge, infinite and missing
        b"\x00\x01\x02garbage",
        b"",
    ]
    for raw in cases:
        load(raw)


# ------------------------------------------------------------------ optimizer settings


@FUZZ
@given(
    st.sampled_from(sorted(OPTIMIZERS)),
    st.dictionaries(
        st.sampled_from(["lr", "momentum", "beta1", "eps", "weight_decay", "nope", "nesterov"]),
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True).map(repr),
            st.sampled_from(["true", "false", "x", "", "-1", "1e9"]),
        ),
        max_size=3,
    ),
)
def test_run_text_is_parsed_or_rejected_with_a_message(name, values):
    text = name + ":" + ",".join(f"{k}={v}" for k, v in values.items())
    try:
        run = RunSpec.parse(text)
    except UserError as err:
        check_rejection(err)
        return
    for value in dict(run.values).values():
        assert isinstance(value, bool) or math.isfinite(value)


# ------------------------------------------------------------------ divergence sweep

LRS = (1e-6, 1e-3, 0.1, 1.0, 100.0)


@pytest.mark.parametrize("surface", [n for n in landscapes.NAMES])
def test_divergence_sweep_every_optimizer_and_rate_is_finite_or_reported(surface):
    land = landscapes.get(surface)
    contestants = [RunSpec.parse(f"{name}:lr={lr:g}") for name in sorted(OPTIMIZERS) for lr in LRS]
    config = runs.RaceConfig(land.start, 100)
    # one lockstep race for the elementwise optimizers; L-BFGS runs alone (its line search)
    lbfgs = [c for c in contestants if c.optimizer == "lbfgs"]
    others = [c for c in contestants if c.optimizer != "lbfgs"]
    short = runs.RaceConfig(land.start, 20)  # each L-BFGS step evaluates f up to 20 times
    paths = runs.race(land, others, config) + [runs.race(land, [c], short)[0] for c in lbfgs]
    contestants = others + lbfgs
    diverged = 0
    for spec, path in zip(contestants, paths, strict=True):
        assert np.isfinite(path.xy).all(), spec.label()
        assert np.isfinite(path.loss).all(), spec.label()
        if path.diverged_at is None:
            assert path.steps == (20 if spec.optimizer == "lbfgs" else 100), spec.label()
        else:
            diverged += 1
            assert 1 <= path.diverged_at <= 100, spec.label()
            assert len(path.xy) == path.diverged_at, spec.label()  # the finite iterates only
    assert diverged < len(contestants)  # the sweep is not all blow-ups

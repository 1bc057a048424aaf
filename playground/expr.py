"""A safe parser for a user's own surface f(x, y).

The text is parsed by :func:`ast.parse` (which only parses, never runs anything) after length
and nesting checks, then every node is checked against an allow-list and compiled into a
closure of torch operations. Nothing is ever passed to eval or exec.

Allowed: numbers, the names x, y, pi, e; + − * / ** and unary minus; one-argument calls of
sin, cos, tan, exp, log, sqrt, abs, tanh. Typed mathematics is read as Python: x² as x**2,
x^2 too, − as -, · and × as *, π as pi.
"""

from __future__ import annotations

import ast
import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import torch

from playground.i18n import UserError, catalogue, t

MAX_LENGTH = 200
MAX_DEPTH = 20

Fn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

FUNCTIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sin": torch.sin,
    "cos": torch.cos,
    "tan": torch.tan,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "tanh": torch.tanh,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
BINARY: dict[type, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    ast.Add: torch.add,
    ast.Sub: torch.sub,
    ast.Mult: torch.mul,
    ast.Div: torch.div,
    ast.Pow: torch.pow,
}


def _nesting(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    return deepest


def parse(text: str) -> Fn:
    """Compile ``text`` into f(x, y) on torch tensors.

    Raises
    ------
    UserError
        With a message naming what is not allowed.
    """
    tree = _tree(text)
    fn = _compile(tree.body, 0)
    if not _uses_variable(tree.body):
        const = fn

        def fn(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            return const(x, y) + 0 * x + 0 * y

    return fn


def canonical(text: str) -> str:
    """The formula as the program writes it: Python rebuilt from its checked syntax tree.

    Only what :func:`parse` allows survives (numbers, x, y, pi, e, the operators and the
    allowed functions); comments, strings and spacing of the user's text are gone. Generated
    scripts and exported files use this, never the text the user typed.
    """
    tree = _tree(text)
    _compile(tree.body, 0)  # raises on anything not allowed
    return ast.unparse(tree.body)


def latex(text: str) -> str:
    """The formula in LaTeX, written from its checked syntax tree (like :func:`canonical`):
    ``x**2 - sin(y)/2`` → ``x^{2} - \\frac{\\sin\\left(y\\right)}{2}``. Only the allowed names,
    numbers the program formats and fixed commands reach it: nothing the user typed."""
    tree = _tree(text)
    _compile(tree.body, 0)  # raises on anything not allowed
    return _latex(tree.body)


PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}
SYMBOLS = {"x": "x", "y": "y", "pi": r"\pi", "e": r"\mathrm{e}"}
COMMANDS = {"sin", "cos", "tan", "exp", "log", "tanh"}  # (LaTeX has each as \name)


def _latex(node: ast.AST, parent: int = 0) -> str:
    """LaTeX of an allow-listed node; ``parent``: the precedence of the operator around it."""
    if isinstance(node, ast.Constant):
        mantissa, _, exponent = f"{float(node.value):.6g}".partition("e")
        return mantissa + (rf"\times10^{{{int(exponent)}}}" if exponent else "")
    if isinstance(node, ast.Name):
        return SYMBOLS[node.id]
    if isinstance(node, ast.UnaryOp):
        inner = _latex(node.operand, 3)
        out = inner if isinstance(node.op, ast.UAdd) else "-" + inner
        return rf"\left({out}\right)" if parent >= 3 else out
    if isinstance(node, ast.Call):
        name, arg = node.func.id, _latex(node.args[0])
        if name == "sqrt":
            return rf"\sqrt{{{arg}}}"
        if name == "abs":
            return rf"\left|{arg}\right|"
        return rf"\{name}\left({arg}\right)"
    own = PRECEDENCE[type(node.op)]
    if isinstance(node.op, ast.Div):
        return rf"\frac{{{_latex(node.left)}}}{{{_latex(node.right)}}}"
    if isinstance(node.op, ast.Pow):
        base = _latex(node.left, own + 1)
        if "^" in base or r"\times" in base:  # (1×10⁸ as a base: a double superscript else)
            base = rf"\left({base}\right)"
        return f"{base}^{{{_latex(node.right)}}}"
    left = _latex(node.left, own)
    right = _latex(node.right, own + (1 if isinstance(node.op, ast.Sub) else 0))
    sign = {ast.Add: " + ", ast.Sub: " - ", ast.Mult: r" \, "}[type(node.op)]
    if isinstance(node.op, ast.Mult) and right[:1].isdigit():  # 2·3, not "2 3"
        sign = r" \cdot "
    out = left + sign + right
    return rf"\left({out}\right)" if own < parent else out


SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
TYPED = {"−": "-", "·": "*", "×": "*", "π": "pi"}  # what students type for - * pi


def _ascii(text: str) -> str:
    """``text`` with the mathematics students type in its Python spelling: x² → x**2, x¹⁰ →
    x**10, − → -, · and × → *, π → pi (the allow-list then checks the result)."""
    digits = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")
    text = re.sub(f"[{SUPERSCRIPT_DIGITS}]+", lambda m: "**" + m.group().translate(digits), text)
    for typed, python in TYPED.items():
        text = text.replace(typed, python)
    return text


def _tree(text: str) -> ast.Expression:
    """The syntax tree of ``text`` after the length and nesting checks (not yet allow-listed)."""
    text = _ascii(text.strip())
    if not text:
        raise UserError("err_expr_empty")
    if len(text) > MAX_LENGTH:
        raise UserError("err_expr_long", high=MAX_LENGTH)
    if _nesting(text) > MAX_DEPTH or text.count("**") > MAX_DEPTH:
        raise UserError("err_expr_deep", high=MAX_DEPTH)
    try:
        with warnings.catch_warnings():  # e.g. "invalid decimal literal" for "1x": a user typo
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(text.replace("^", "**"), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise UserError("err_expr_syntax") from None
    return tree


def _uses_variable(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) and n.id in ("x", "y") for n in ast.walk(node))


def _compile(node: ast.AST, depth: int) -> Fn:
    if depth > 3 * MAX_DEPTH:
        raise UserError("err_expr_deep", high=MAX_DEPTH)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise UserError("err_expr_token", token=repr(node.value)[:20])
        value = float(node.value)
        return lambda x, y: torch.full_like(x, value)
    if isinstance(node, ast.Name):
        if node.id == "x":
            return lambda x, y: x
        if node.id == "y":
            return lambda x, y: y
        if node.id in CONSTANTS:
            value = CONSTANTS[node.id]
            return lambda x, y: torch.full_like(x, value)
        raise UserError("err_expr_name", name=node.id[:20])
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _compile(node.operand, depth + 1)
        if isinstance(node.op, ast.UAdd):
            return inner
        return lambda x, y: torch.neg(inner(x, y))
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        op = BINARY[type(node.op)]
        left, right = _compile(node.left, depth + 1), _compile(node.right, depth + 1)
        return lambda x, y: op(left(x, y), right(x, y))
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            raise UserError("err_expr_function", allowed=", ".join(FUNCTIONS))
        if node.keywords or len(node.args) != 1:
            raise UserError("err_expr_arguments", name=name)
        fn, arg = FUNCTIONS[name], _compile(node.args[0], depth + 1)
        return lambda x, y: fn(arg(x, y))
    raise UserError("err_expr_token", token=Construct(type(node).__name__))


@dataclass(frozen=True)
class Construct:
    """A piece of Python syntax a formula may not use, said as a student would say it
    ("an if … else", "a comparison") in each language, never by the parser's name ("IfExp")."""

    node: str

    def in_language(self, lang: str) -> str:
        return catalogue(lang).get(f"expr_node_{self.node}") or t("expr_node_other", lang)

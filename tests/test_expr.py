import math

import pytest
import torch

from playground import expr
from playground.expr import MAX_LENGTH, parse
from playground.i18n import UserError

X = torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64)
Y = torch.tensor([1.5, 0.7, -0.4], dtype=torch.float64)


def test_accepts_the_documented_example_and_computes_it():
    f = parse("sin(x)*y**2 + 0.1*x")
    torch.testing.assert_close(f(X, Y), torch.sin(X) * Y**2 + 0.1 * X)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x^2 - y^2", X**2 - Y**2),
        ("-x + +y", -X + Y),
        ("exp(-(x**2 + y**2)) * pi", torch.exp(-(X**2 + Y**2)) * math.pi),
        (
            "sqrt(abs(x)) + log(e) + tanh(y) - cos(x)/2 + tan(y)",
            torch.sqrt(X.abs()) + 1 + torch.tanh(Y) - torch.cos(X) / 2 + torch.tan(Y),
        ),
        ("3", torch.full_like(X, 3.0)),
        # as a student types it (a fresh-eyes teacher's "x²+y²" was refused)
        ("x² + y²", X**2 + Y**2),
        ("−x·y + x¹⁰ × π", -X * Y + X**10 * math.pi),
        ("-x²", -(X**2)),  # (as in mathematics: the square first)
        ("(x + y)³", (X + Y) ** 3),
    ],
)
def test_allowed_grammar(text, expected):
    torch.testing.assert_close(parse(text)(X, Y), expected)


def test_gradients_flow_through_parsed_functions():
    p = torch.tensor([0.5, 2.0], dtype=torch.float64, requires_grad=True)
    parse("x*y**2")(p[0], p[1]).backward()
    torch.testing.assert_close(p.grad, torch.tensor([4.0, 2.0], dtype=torch.float64))


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('ls')",
        "x.__class__",
        "x.real",
        "lambda x: x",
        "[x for x in (1, 2)]",
        "{x: 1}",
        "sin(x=1)",
        "sin(x, y)",
        "sin()",
        "open('f')",
        "exec('1')",
        "eval('x')",
        "x if y else 1",
        "x < y",
        "x and y",
        "x[0]",
        "x @ y",
        "x // y",
        "x % y",
        "'text'",
        "True",
        "None",
        "z + 1",
        "math.sin(x)",
        "(x := 1)",
        "x; y",
        "x y",
        "f'{x}'",
        "",
        "   ",
        "x" * 10_000,
        "(" * 50 + "x" + ")" * 50,
        "sin(" * 30 + "x" + ")" * 30,
        "-" * 150 + "x",
        "**".join(["2"] * 40),
    ],
)
def test_rejects_with_a_message(text):
    with pytest.raises(UserError) as err:
        parse(text)
    message = err.value.message()
    assert message and "{" not in message and not message.startswith("err_")


def test_length_limit_is_stated():
    with pytest.raises(UserError) as err:
        parse("x+" * MAX_LENGTH + "x")
    assert str(MAX_LENGTH) in err.value.message()


def test_parser_never_calls_eval_or_exec(monkeypatch):
    import builtins

    def boom(*args, **kwargs):
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(builtins, "exec", boom)
    parse("sin(x)*y**2 + 0.1*x")(X, Y)
    with pytest.raises(UserError):
        parse("__import__('os')")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x**2 - sin(y)/2", r"x^{2} - \frac{\sin\left(y\right)}{2}"),
        ("(x+y)^2", r"\left(x + y\right)^{2}"),
        ("-x**2", "-x^{2}"),
        ("(-x)**2", r"\left(-x\right)^{2}"),
        ("x-(y-1)", r"x - \left(y - 1\right)"),
        ("x*(y+1)", r"x \, \left(y + 1\right)"),
        ("2*3*x", r"2 \cdot 3 \, x"),
        ("1e-5*x + 2e10", r"1\times10^{-5} \, x + 2\times10^{10}"),
        ("sqrt(abs(x))*exp(-y)", r"\sqrt{\left|x\right|} \, \exp\left(-y\right)"),
        ("pi*e  # a comment", r"\pi \, \mathrm{e}"),
        # a base with its own superscript is bracketed: "x^{2}^{3}" is no LaTeX (KaTeX showed
        # the fresh-eyes teacher its raw source in red)
        ("(x**2)**3", r"\left(x^{2}\right)^{3}"),
        ("x**99999999**9", r"x^{\left(1\times10^{8}\right)^{9}}"),
    ],
)
def test_a_formula_is_written_in_latex_from_its_checked_tree(text, expected):
    assert expr.latex(text) == expected


@pytest.mark.parametrize(
    "text", [r"x + \href{https://evil.example}{y}", "x + y # \\href{a}{b}", "open('f')", "x.y"]
)
def test_latex_carries_nothing_the_user_typed(text):
    try:
        out = expr.latex(text)
    except UserError:
        return  # refused with a message
    assert "href" not in out and "#" not in out and "open" not in out


def test_the_custom_surface_shows_its_formula_and_a_round_start():
    from playground import landscapes

    land = landscapes.get("custom", landscapes.SurfaceOptions(formula="x**2 - y**2", window=3.0))
    assert land.latex == "f=x^{2} - y^{2}"
    assert land.start == (1.8, 1.8)


@pytest.mark.parametrize(
    "formula,en,zh",
    [("1 if x else 2", "if … else", "if … else 表达式"), ("x < y", "comparison", "比较"),
     ("[x, y]", "list", "列表"), ("lambda: x", "lambda", "lambda"), ("{x}", "braces", "花括号"),
     # (a fresh-eyes teacher read “this kind of expression” for these, as if a placeholder)
     ("[x for x in range(10**9)]", "list comprehension", "列表推导式"),
     ("(x for x in y)", "generator", "生成器"), ("{x: y for x in y}", "dict comprehension",
     "字典推导式")],
)  # fmt: skip
def test_a_refused_construct_is_named_as_a_student_says_it_not_by_the_parser(formula, en, zh):
    # a fresh-eyes teacher saw 公式中不允许出现“IfExp” (and Attribute, List, Lambda)
    with pytest.raises(UserError) as err:
        expr.parse(formula)
    assert en in err.value.message("en") and zh in err.value.message("zh")
    for name in ("IfExp", "Compare", "List", "Lambda", "Call"):
        assert name not in err.value.message("en") + err.value.message("zh")


def test_typed_mathematics_has_the_canonical_python_form_and_the_same_latex():
    assert expr.canonical("x² + y²") == expr.canonical("x**2 + y**2")
    assert expr.latex("x² − y²") == expr.latex("x**2 - y**2")
    with pytest.raises(UserError):
        parse("x²²²" + "²" * 300)  # (still within the length and the allow-list)

"""The race view's controls: each contestant's optimizer and settings (with its update rule
beside them), the surface's own defaults, and a click on the map as the start.

Every widget is keyed and bound to the URL; a surface's start, steps and contestants fill
whatever the link and the session leave unset.
"""

import contextlib
import html

import bound
import charts
import compute
import frame
import schedule_controls
import streamlit as st

from playground import expr, landscapes, runs
from playground.figures import race as rf
from playground.i18n import UserError, t
from playground.optimizers import OPTIMIZERS, RunSpec, display_name

Q = {"bind": "query-params"}
MAX_RUNS = 8
START_LIMIT = 1e4  # the start point's inputs (and a click on the map) stay within ±this


def surface_options() -> landscapes.SurfaceOptions:
    """The surfaces' options as set; the formula is the last one that worked (formula_check)."""
    kappa = st.session_state.get("kappa", 20.0)
    formula = st.session_state.get("_formula_good", landscapes.SurfaceOptions.formula)
    half = st.session_state.get("half", 3.0)
    return landscapes.SurfaceOptions(float(kappa), str(formula), float(half))


def _finite_at_start(land) -> None:
    """Raise the runs' own UserError if f or its gradient is not finite at the start set."""
    x = float(st.session_state.get("start_x", land.start[0]))
    y = float(st.session_state.get("start_y", land.start[1]))
    runs.check_start(land, (x, y))


def formula_check(lang: str) -> str | None:
    """Check the formula typed for a surface of your own, under its box: one that cannot be
    used says why there, and the race stays on the last formula that worked (a typo hid the
    whole race behind one message). Returns what to say over the race then (else None)."""
    default = landscapes.SurfaceOptions.formula
    typed = str(st.session_state.get("formula", default))
    half = float(st.session_state.get("half", 3.0))
    try:
        land = compute.landscape(
            "custom", landscapes.SurfaceOptions(formula=typed, window=half), None, None
        )
        _finite_at_start(land)  # (x**99999999**9 parses, and hid the whole race behind a note)
    except UserError as err:
        st.error(err.message(lang, frame.inert), icon=":material/error:")
        kept = st.session_state.get("_formula_good", default)
        if kept != typed:
            said = t("race_formula_kept", lang, formula=frame.code_span(expr.canonical(kept)))
            st.caption(said)
            # (over the race too; with the reason on a projector, where the sidebar is folded
            # away and the class read only that the race stayed on the last formula; beside
            # the sidebar a fresh-eyes teacher read the reason twice)
            return f"{err.message(lang, frame.inert)} {said}" if frame.presenting() else said
        return None
    st.session_state["_formula_good"] = typed
    if "#" in typed:  # (a formula that parsed has no strings: a "#" starts a comment)
        st.caption(t("race_formula_comment", lang, formula=frame.code_span(expr.canonical(typed))))
    return None


def regression_data():
    """The loss-surface view's current data, if this session opened it; else the classic data."""
    data = st.session_state.get("_regression_data")
    return (None, None) if data is None else data


def landscape(name: str) -> landscapes.Landscape:
    """The surface called ``name`` with this session's options and data (raises UserError)."""
    return compute.landscape(name, surface_options(), *regression_data())


def surface_defaults(name: str) -> dict[str, object]:
    """Widget values that suit a surface: its start, steps and default contestants."""
    land = landscape(name)
    values: dict[str, object] = {
        "start_x": float(land.start[0]),
        "start_y": float(land.start[1]),
        "steps": int(land.steps),
        "n_runs": len(land.race),
    }
    for i, text in enumerate(land.race):
        values.update(run_values(i, RunSpec.parse(text)))
    return values


def run_defaults(optimizer: str, surface: str | None = None) -> RunSpec:
    """The view's defaults for a run of ``optimizer`` on ``surface`` (the current one if None).

    The surface's own contestant of that optimizer, whose learning rate suits the surface, or
    else the optimizer's defaults (torch's). The one source of a run's defaults: for a run named
    in a link, an optimizer picked from the list, and a setting the link gave and the view
    could not use.
    """
    surface = surface or st.session_state.get("surface", "saddle")
    try:
        race = landscape(surface).race
    except UserError:  # a custom formula that does not parse: the view says why
        race = ()
    named = [RunSpec.parse(text) for text in race]
    return next((run for run in named if run.optimizer == optimizer), RunSpec(optimizer))


def run_values(i: int, run: RunSpec) -> dict[str, object]:
    return {f"r{i}": run.optimizer, **{f"r{i}_{n}": v for n, v in run.settings.items()}}


def load_defaults() -> None:
    """Callback of the surface choice: start, steps and contestants suited to the new surface,
    and a word that they were set (a teacher's own start and steps changed without one)."""
    name = st.session_state["surface"]
    with contextlib.suppress(UserError):
        st.session_state.update(surface_defaults(name))
        lang = bound.language()
        said = t("race_surface_set", lang, surface=t(f"surface_{name}", lang))
        st.toast(said, icon=":material/tune:")


def first_visit() -> None:
    """Fill every setting neither the link nor the session gives with the surface's defaults.

    Also on coming back from another view: Streamlit has forgotten the widgets it did not draw.
    """
    name = st.query_params.get("surface", st.session_state.get("surface", "saddle"))
    name = name if name in landscapes.NAMES else "saddle"
    try:
        defaults = surface_defaults(name)
    except UserError:
        defaults = surface_defaults("saddle")
    values = {"surface": name, **defaults}
    for i in range(MAX_RUNS):  # a run named in the link: its optimizer's defaults on this surface
        opt = st.query_params.get(f"r{i}")
        if opt in OPTIMIZERS:
            values = {k: v for k, v in values.items() if not k.startswith(f"r{i}_")}
            values.update(run_values(i, run_defaults(opt, name)))
    # a run whose optimizer in the link is no optimizer (r1=adam:lr=abc) is the surface's own
    # run, not the first optimizer with the surface run's settings ("SGD … momentum=0.9")
    refused = {
        f"r{i}" for i in range(MAX_RUNS) if st.query_params.get(f"r{i}", "sgd") not in OPTIMIZERS
    }
    for key, value in values.items():
        if (key not in st.query_params or key in refused) and key not in st.session_state:
            st.session_state[key] = value


def optimizer_changed(i: int) -> None:
    st.session_state.update(run_values(i, run_defaults(st.session_state[f"r{i}"])))


def setting_widget(
    container, setting, key: str, default: float | bool, lang: str, help: str | None = None
):
    """One setting of a run, starting from ``default`` (the run's default: run_defaults);
    ``help``: its own help (else its range and torch's default)."""
    # torch's names; the learning rate as torch's formulas beside it write it (γ, where the
    # other views' own formulas write η; Adagrad's η is its lr_decay)
    label = t("race_lr", lang) if setting.name == "lr" else setting.name
    if setting.kind == "bool":
        return container.checkbox(label, key=key, **bound.initial(key, default), **Q)
    step = 1 if setting.kind == "int" else None
    fmt = "%d" if setting.kind == "int" else "%g"
    low, high = (
        (int(setting.low), int(setting.high))
        if setting.kind == "int"
        else (float(setting.low), float(setting.high))
    )
    default = int(default) if setting.kind == "int" else float(default)
    return container.number_input(
        label,
        low,
        high,
        step=step,
        format=fmt,
        key=key,
        help=help
        or t(
            "race_setting_help",
            lang,
            low=f"{setting.low:g}",
            high=f"{setting.high:g}",
            default=f"{setting.default:g}",
        ),
        **bound.initial(key, default),
        **Q,
    )


def run_controls(i: int, lang: str, steps: int = 100) -> RunSpec:
    """One contestant: optimizer, learning rate, more settings, and its update rule beside them."""
    with st.container(border=True):
        left, mid, right = st.columns([1.1, 1, 2.4])
        name = bound.choice(
            left.selectbox,
            t("race_optimizer", lang, i=i + 1),
            OPTIMIZERS,
            f"r{i}",
            None,  # always in the link: a run's optimizer is never "default"
            format_func=lambda k: display_name(k, lang),
            on_change=optimizer_changed,
            args=(i,),
        )
        spec, defaults = OPTIMIZERS[name], run_defaults(name).settings
        values = {"lr": setting_widget(mid, spec.setting("lr"), f"r{i}_lr", defaults["lr"], lang)}
        # (an expander, not a popover: number inputs in a popover that closes while one has the
        # focus sent 0 on the next rerun — a race's momentum and betas silently became 0)
        with left.expander(t("race_more_settings", lang), icon=":material/tune:"):
            for s in spec.settings:
                if s.name != "lr":
                    key = f"r{i}_{s.name}"
                    values[s.name] = setting_widget(st, s, key, defaults[s.name], lang)
        schedule = schedule_controls.picker(
            f"r{i}", lang, values["lr"], steps, where=mid, beside=right
        )
        run = RunSpec(name, tuple(values.items()), schedule)
        mid.markdown(  # the run as the legend names it, in the student's language
            f"<span style='color:{rf.colour(i)};font-size:1.6rem'>●</span> "
            + html.escape(run.label(lang)),
            unsafe_allow_html=True,
        )
        if not frame.presenting():  # (for a teacher writing links, not for the class)
            mid.caption(t("race_link_form", lang) + " " + frame.code_span(run.to_text()))
        right.latex(spec.latex)
        right.caption(t(spec.note, lang))
    return run


def set_start_from_click() -> None:
    """Callback of the race map: a click selects a point, which becomes the start."""
    point = charts.clicked_point("race_fig")
    if point is not None:  # kept within the inputs' range, whatever the page sent
        x, y = (min(max(round(v, 4), -START_LIMIT), START_LIMIT) for v in point)
        st.session_state["start_x"], st.session_state["start_y"] = x, y

"""Optimizer race: SGD, Momentum, Nesterov, RMSprop and Adam side by side on one surface.

Thin by design: keyed widgets → RunSpec / RaceConfig / SurfaceOptions → cached library
calls (compute.*) → pure figure builders.
"""

import contextlib

import charts
import compute
import frame
import numpy as np
import pandas as pd
import streamlit as st
import widgets

from playground import landscapes, runs, scripts
from playground.figures import race as rf
from playground.i18n import UserError, t
from playground.optimizers import OPTIMIZERS, RunSpec

lang = frame.language()
Q = {"bind": "query-params"}
MAX_RUNS = 8
START_LIMIT = 1e4  # the start point's inputs (and a click on the map) stay within ±this


def surface_options() -> landscapes.SurfaceOptions:
    kappa = st.session_state.get("kappa", 20.0)
    formula = st.session_state.get("formula", landscapes.SurfaceOptions.formula)
    half = st.session_state.get("half", 3.0)
    return landscapes.SurfaceOptions(float(kappa), str(formula), float(half))


def regression_data():
    """The loss-surface view's current data, if this session opened it; else the classic data."""
    data = st.session_state.get("_regression_data")
    return (None, None) if data is None else data


def surface_defaults(name: str) -> dict[str, object]:
    """Widget values that suit a surface: its start, steps and default contestants."""
    land = compute.landscape(name, surface_options(), *regression_data())
    values: dict[str, object] = {
        "start_x": float(land.start[0]),
        "start_y": float(land.start[1]),
        "steps": int(land.steps),
        "n_runs": len(land.race),
    }
    for i, text in enumerate(land.race):
        values.update(run_values(i, RunSpec.parse(text)))
    return values


def run_values(i: int, run: RunSpec) -> dict[str, object]:
    return {f"r{i}": run.optimizer, **{f"r{i}_{n}": v for n, v in run.settings.items()}}


def load_defaults() -> None:
    """Callback of the surface choice: start, steps and contestants suited to the new surface."""
    with contextlib.suppress(UserError):
        st.session_state.update(surface_defaults(st.session_state["surface"]))


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
    for key, value in {"surface": name, **defaults}.items():
        if key not in st.query_params and key not in st.session_state:
            st.session_state[key] = value
    for i in range(MAX_RUNS):  # a run named in the link gets its optimizer's own defaults
        opt = st.query_params.get(f"r{i}")
        if opt in OPTIMIZERS:
            for key, value in run_values(i, RunSpec(opt)).items():
                if key not in st.query_params and key not in st.session_state:
                    st.session_state[key] = value


def optimizer_changed(i: int) -> None:
    st.session_state.update(run_values(i, RunSpec(st.session_state[f"r{i}"])))


def setting_widget(container, i: int, setting, key: str):
    label = setting.name
    if setting.kind == "bool":
        return container.checkbox(label, key=key, **frame.initial(key, setting.default), **Q)
    step = 1 if setting.kind == "int" else None
    fmt = "%d" if setting.kind == "int" else "%g"
    low, high = (
        (int(setting.low), int(setting.high))
        if setting.kind == "int"
        else (float(setting.low), float(setting.high))
    )
    default = int(setting.default) if setting.kind == "int" else float(setting.default)
    return container.number_input(
        label,
        low,
        high,
        step=step,
        format=fmt,
        key=key,
        help=t(
            "race_setting_help",
            lang,
            low=f"{setting.low:g}",
            high=f"{setting.high:g}",
            default=f"{setting.default:g}",
        ),
        **frame.initial(key, default),
        **Q,
    )


def run_controls(i: int) -> RunSpec:
    """One contestant: optimizer, learning rate, more settings, and its update rule beside them."""
    with st.container(border=True):
        left, mid, right = st.columns([1.1, 1, 2.4])
        name = frame.choice(
            left.selectbox,
            t("race_optimizer", lang, i=i + 1),
            OPTIMIZERS,
            f"r{i}",
            None,  # always in the link: a run's optimizer is never "default"
            format_func=lambda k: OPTIMIZERS[k].label,
            on_change=optimizer_changed,
            args=(i,),
        )
        spec = OPTIMIZERS[name]
        values = {"lr": setting_widget(mid, i, spec.setting("lr"), f"r{i}_lr")}
        with left.popover(t("race_more_settings", lang), icon=":material/tune:"):
            for setting in spec.settings:
                if setting.name != "lr":
                    values[setting.name] = setting_widget(st, i, setting, f"r{i}_{setting.name}")
        mid.markdown(
            f"<span style='color:{rf.colour(i)};font-size:1.6rem'>●</span> "
            f"`{RunSpec(name, tuple(values.items())).to_text()}`",
            unsafe_allow_html=True,
        )
        right.latex(spec.latex)
        right.caption(t(spec.note, lang))
    return RunSpec(name, tuple(values.items()))


def set_start_from_click() -> None:
    """Callback of the race map: a click selects a point, which becomes the start."""
    point = charts.clicked_point("race_fig")
    if point is not None:  # kept within the inputs' range, whatever the page sent
        x, y = (min(max(round(v, 4), -START_LIMIT), START_LIMIT) for v in point)
        st.session_state["start_x"], st.session_state["start_y"] = x, y


# ------------------------------------------------------------------ page
st.title(t("race_title", lang))
st.markdown(t("race_intro", lang))

if "surface" not in st.session_state or "r0" not in st.session_state:
    first_visit()

with st.sidebar:
    st.header(t("race_surface", lang))
    surface = frame.choice(
        st.selectbox,
        t("race_surface", lang),
        landscapes.NAMES,
        "surface",
        "saddle",
        format_func=lambda k: t(f"surface_{k}", lang),
        on_change=load_defaults,
        help=t("race_surface_help", lang),
    )
    if surface == "bowl":
        st.number_input(
            t("race_kappa", lang),
            1.0,
            landscapes.MAX_KAPPA,
            step=1.0,
            key="kappa",
            help=t("race_kappa_help", lang),
            **frame.initial("kappa", 20.0),
            **Q,
        )
    if surface == "custom":
        st.text_input(
            t("race_formula", lang),
            max_chars=200,
            key="formula",
            help=t("race_formula_help", lang),
            **frame.initial("formula", landscapes.SurfaceOptions.formula),
            **Q,
        )
        st.number_input(
            t("race_half", lang),
            0.01,
            1000.0,
            step=0.5,
            key="half",
            **frame.initial("half", 3.0),
            **Q,
        )
    if surface in landscapes.REGRESSION:
        st.caption(t("race_regression_note", lang))
    st.header(t("race_settings", lang))
    c1, c2 = st.columns(2)
    start_x = c1.number_input(
        t("race_start_x", lang),
        -START_LIMIT,
        START_LIMIT,
        step=0.1,
        format="%g",
        key="start_x",
        **frame.initial("start_x", 1.0),
        **Q,
    )
    start_y = c2.number_input(
        t("race_start_y", lang),
        -START_LIMIT,
        START_LIMIT,
        step=0.1,
        format="%g",
        key="start_y",
        **frame.initial("start_y", 0.001),
        **Q,
    )
    steps = st.number_input(
        t("steps", lang),
        1,
        runs.MAX_RACE_STEPS,
        step=50,
        key="steps",
        help=t("steps_help", lang, high=runs.MAX_RACE_STEPS),
        **frame.initial("steps", 100),
        **Q,
    )
    noise = st.number_input(
        t("race_noise", lang),
        0.0,
        runs.MAX_NOISE,
        step=0.1,
        format="%g",
        key="noise",
        help=t("race_noise_help", lang),
        **frame.initial("noise", 0.0),
        **Q,
    )
    clip = st.number_input(
        t("race_clip", lang),
        0.0,
        1e3,
        step=0.5,
        format="%g",
        key="clip",
        help=t("race_clip_help", lang),
        **frame.initial("clip", 0.0),
        **Q,
    )
    seed = st.number_input(
        t("seed", lang),
        0,
        2**31 - 1,
        key="race_seed",
        help=t("seed_help", lang),
        **frame.initial("race_seed", 0),
        **Q,
    )
    tol = frame.choice(
        st.select_slider,
        t("race_tol", lang),
        [1e-2, 1e-3, 1e-4, 1e-6, 1e-8],
        "tol",
        1e-4,
        format_func=lambda v: f"{v:g}",
        help=t("race_tol_help", lang),
    )

contestants = []  # set once the runs' settings are read; the basin map needs them
with widgets.guarded(lang):
    options = surface_options()
    data_x, data_y = regression_data()
    land = compute.landscape(surface, options, data_x, data_y)
    st.latex(land.latex)
    race_area, results_area = st.container(), st.container()
    st.subheader(t("race_runs", lang))
    n_runs = st.number_input(
        t("race_n_runs", lang),
        1,
        MAX_RUNS,
        key="n_runs",
        help=t("race_n_runs_help", lang, high=MAX_RUNS),
        **frame.initial("n_runs", 5),
        **Q,
    )
    contestants = [run_controls(i) for i in range(int(n_runs))]
    config = runs.RaceConfig(
        (float(start_x), float(start_y)), int(steps), float(noise), float(clip), int(seed)
    )
    # (above the map, where a student looks; shown only if the race takes over half a second)
    busy = t("race_busy", lang, steps=f"{config.steps:,}")
    with race_area.spinner(busy, show_time=True):
        paths = compute.race_paths(surface, options, data_x, data_y, config, contestants)
    labels = [f"{i + 1}. {r.label()}" for i, r in enumerate(contestants)]
    xs, ys = land.axes(151)
    z = compute.landscape_grid(surface, options, data_x, data_y, 151)
    minima = np.array([[m.x, m.y] for m in land.minima]).reshape(-1, 2)
    saddles = np.array([[p.x, p.y] for p in land.saddles]).reshape(-1, 2)

    table = runs.race_table(land, contestants, paths, float(tol))
    race_area.subheader(t("race_maps", lang))
    fig = compute.race_figure(
        xs, ys, z, tuple(p.xy for p in paths), tuple(labels), minima, saddles, land.log_colour, lang
    )
    charts.chart(fig, "race_fig", race_area, on_click=set_start_from_click)
    race_area.caption(t("race_click_hint", lang))
    for row in table.itertuples():
        if row.diverged_at is not None and not pd.isna(row.diverged_at):
            race_area.warning(
                t("race_diverged", lang, run=row.run, step=int(row.diverged_at)),
                icon=":material/trending_up:",
            )
    results_area.subheader(t("race_results", lang))
    shown = widgets.display_table(table).rename(
        columns={c: t(f"col_{c}", lang) for c in table.columns}
    )
    widgets.table(shown, results_area)
    results_area.download_button(
        t("download_csv", lang),
        # written only when clicked: 15-30 ms of the server on every rerun otherwise
        lambda: runs.race_frame(contestants, paths).to_csv(index=False),
        "race.csv",
        "text/csv",
        key="dl_race",
        icon=":material/download:",
        on_click="ignore",
    )
    script = scripts.race_script(surface, options, contestants, config)
    widgets.show_code(script, "race.py", "code_race", results_area)

    # One panel at a time: building and sending only the chosen one keeps every change fast.
    panel = frame.choice(
        st.segmented_control,
        t("race_panel", lang),
        ("loss", "3d", "saddle"),
        "panel",
        "loss",
        format_func=lambda k: t(f"race_tab_{k}", lang),
    )
    if panel == "loss":
        best = min((m.value for m in land.minima), default=None)
        if best is not None:
            gaps = [np.maximum(p.loss - best, 1e-16) for p in paths]
            title, y_title = t("fig_loss_gap", lang), t("axis_loss_gap", lang)
        else:
            gaps, title, y_title = (
                [p.loss for p in paths],
                t("fig_loss_race", lang),
                t("axis_value", lang),
            )
        charts.chart(
            compute.figure(rf.curves, gaps, labels, title, y_title, lang=lang), "race_loss"
        )
    if panel == "3d":
        charts.chart(
            compute.figure(
                rf.race_3d, xs, ys, z, [p.xy for p in paths], [p.loss for p in paths], labels, lang
            ),
            key="race_3d",
        )
    if panel == "saddle":
        st.markdown(t("race_saddle_intro", lang))
        escapes = table["escaped_at"].tolist()
        norms = [np.linalg.norm(p.grad, axis=1) for p in paths]
        charts.chart(
            compute.figure(
                rf.curves,
                norms,
                labels,
                t("fig_grad_norm", lang),
                t("axis_grad_norm", lang),
                marks=[None if pd.isna(e) else int(e) for e in escapes],
                lang=lang,
            ),
            key="race_grad",
        )
        eigs = [
            compute.hessians(surface, options, data_x, data_y, p.xy)
            if len(p.xy)
            else np.zeros((0, 2))
            for p in paths
        ]
        charts.chart(
            compute.figure(
                rf.curves,
                [e[:, 1] for e in eigs],
                labels,
                t("fig_hessian", lang),
                t("axis_eigen", lang),
                log=False,
                dashed=[e[:, 0] for e in eigs],
                lang=lang,
            ),
            key="race_hess",
        )
    with st.expander(t("notice", lang), expanded=False):
        st.markdown(t("race_notice", lang))


@st.fragment
def basin_section() -> None:
    """The basin map recomputes on its own, without rerunning the race above."""
    st.subheader(t("race_basin", lang))
    st.markdown(t("race_basin_intro", lang))
    c1, c2, c3 = st.columns(3)
    usable = [i for i, r in enumerate(contestants) if r.spec.elementwise]
    if not usable:
        st.info(t("err_basin_lbfgs", lang))
        return
    which = c1.selectbox(
        t("race_basin_run", lang), usable, format_func=lambda i: labels[i], key="basin_run"
    )
    n = c2.slider(
        t("race_basin_n", lang),
        10,
        runs.MAX_BASIN,
        50,
        10,
        key="basin_n",
        help=t("race_basin_n_help", lang, high=runs.MAX_BASIN),
    )
    b_steps = c3.number_input(
        t("steps", lang),
        10,
        2000,
        300,
        50,
        key="basin_steps",
        help=t("steps_help", lang, high=2000),
    )
    if st.toggle(t("race_basin_draw", lang), key="basin_on", help=t("race_basin_draw_help", lang)):
        with widgets.guarded(lang), st.spinner(t("race_basin_busy", lang)):
            result = compute.basins(
                surface, options, data_x, data_y, contestants[which], n, int(b_steps)
            )
            charts.chart(
                compute.figure(rf.basin_figure, result.xs, result.ys, result.label, minima, lang),
                key="basin_fig",
            )


if contestants:  # (an error above was shown in place of the race)
    basin_section()

"""The race view's panels under the map: loss curves, the 3-D surface, the saddle point's
gradient norm and Hessian eigenvalues, and the basin map (which reruns on its own)."""

from dataclasses import dataclass

import bound
import charts
import compute
import frame
import guided
import numpy as np
import pandas as pd
import race_controls as controls
import streamlit as st
import widgets

from playground import fair, runs
from playground.figures import race as rf
from playground.i18n import t
from playground.optimizers import display_name

Q = {"bind": "query-params"}


@dataclass(frozen=True, eq=False)
class Race:
    """One drawn race: its surface and data, its paths, their labels and results, the map grid."""

    surface: str
    options: object
    data_x: object
    data_y: object
    land: object
    paths: list
    labels: list
    table: pd.DataFrame
    xs: np.ndarray
    ys: np.ndarray
    z: np.ndarray


def show(r: Race, lang: str) -> None:
    """The panel the student picked (only that one is built and sent)."""
    panel = bound.choice(
        st.segmented_control,
        t("race_panel", lang),
        ("loss", "3d", "saddle"),
        "panel",
        "loss",
        format_func=lambda k: t(_tab_name(k, r), lang),
        required=True,  # (clicking the chosen panel again keeps it)
    )
    if panel == "loss":
        best = min((m.value for m in r.land.minima), default=None)
        if best is not None:
            gaps = [np.maximum(p.loss - best, 1e-16) for p in r.paths]
            title, y_title = t("fig_loss_gap", lang), t("axis_loss_gap", lang)
        else:
            gaps, title, y_title = (
                [p.loss for p in r.paths],
                t("fig_loss_race", lang),
                t("axis_value", lang),
            )
        charts.chart(
            compute.figure(rf.curves, gaps, r.labels, title, y_title, lang=lang), "race_loss"
        )
    if panel == "3d":
        charts.chart(
            compute.figure(
                rf.race_3d,
                r.xs,
                r.ys,
                r.z,
                [p.xy for p in r.paths],
                [p.loss for p in r.paths],
                r.labels,
                lang,
            ),
            key="race_3d",
        )
    if panel == "saddle":
        st.markdown(t("race_saddle_intro" if r.land.saddles else "race_curvature_intro", lang))
        escapes = r.table["escaped_at"].tolist()
        norms = [np.linalg.norm(p.grad, axis=1) for p in r.paths]
        charts.chart(
            compute.figure(
                rf.curves,
                norms,
                r.labels,
                t("fig_grad_norm", lang),
                t("axis_grad_norm", lang),
                marks=[None if pd.isna(e) else int(e) for e in escapes],
                lang=lang,
            ),
            key="race_grad",
        )
        with widgets.guarded(lang):  # (over the budget: a message in the chart's place)
            hessians(r, lang)


def _tab_name(panel: str, r: Race) -> str:
    """A panel's catalogue key: the saddle-point lesson is named so only where the surface has
    a saddle (on a bowl it shows the gradient and the curvature, without a saddle to escape)."""
    if panel == "saddle" and not r.land.saddles:
        return "race_tab_curvature"
    return f"race_tab_{panel}"


def hessians(r: Race, lang: str) -> None:
    """The Hessian's eigenvalues along every path: one request, in a worker, within budget."""
    eigs = compute.hessians(r.surface, r.options, r.data_x, r.data_y, [p.xy for p in r.paths])
    charts.chart(
        compute.figure(
            rf.curves,
            [e[:, 1] for e in eigs],
            r.labels,
            t("fig_hessian", lang),
            t("axis_eigen", lang),
            log=False,
            dashed=[e[:, 0] for e in eigs],
            lang=lang,
            curve_names=("λmax", "λmin"),
        ),
        key="race_hess",
    )


@st.fragment
def basins(r: Race, contestants: list, minima, lang: str) -> None:
    """The basin map recomputes on its own, without rerunning the race above."""
    st.subheader(t("race_basin", lang))
    st.markdown(t("race_basin_intro", lang))
    c1, c2, c3 = st.columns(3)
    usable = [i for i, run in enumerate(contestants) if run.spec.elementwise]
    if not usable:
        st.info(t("err_basin_lbfgs", lang))
        return
    which = bound.choice(
        c1.selectbox,
        t("race_basin_run", lang),
        usable,
        "basin_run",
        usable[0],
        # (by its number, as in the race's legend: a label with its settings stayed on the old
        # ones in the box when a run's learning rate changed)
        format_func=lambda i: t("race_run_n", lang, n=i + 1),
    )
    n = c2.slider(
        t("race_basin_n", lang),
        10,
        runs.MAX_BASIN,
        50,
        10,
        key="basin_n",
        help=widgets.costly(t("race_basin_n_help", lang, high=runs.MAX_BASIN), lang, trained=False),
        **Q,
    )
    b_steps = c3.number_input(
        t("steps", lang),
        10,
        2000,
        300,
        50,
        key="basin_steps",
        help=widgets.costly(t("steps_help", lang, high=2000), lang, trained=False),
        **Q,
    )
    draw = t("race_basin_draw", lang)
    if st.toggle(draw, key="basin_on", help=t("race_basin_draw_help", lang), **Q):
        with widgets.guarded(lang), st.spinner(t("race_basin_busy", lang)):
            result = compute.basins(
                r.surface, r.options, r.data_x, r.data_y, contestants[which], n, int(b_steps)
            )
            charts.chart(
                compute.figure(rf.basin_figure, result.xs, result.ys, result.label, minima, lang),
                key="basin_fig",
            )
            st.caption(t("race_basin_of", lang, run=frame.inert(r.labels[which])))


def fair_race(r: Race, contestants: list, lang: str) -> None:
    """Every contestant over a sweep of learning rates from many starts: which is best depends
    on how fairly it is asked. (Not in a lesson on a surface without a minimum: it would only
    say why it cannot run there, beside the lesson's own story.)"""
    goal = r.land.lowest
    if goal is None and guided.in_lesson():
        return
    st.subheader(t("fair_title", lang), anchor="fair-race")
    st.markdown(t("fair_intro", lang))
    if goal is None:
        st.info(t("fair_no_minimum", lang))
        cols = st.columns(len(FAIR_SURFACES))
        for col, name in zip(cols, FAIR_SURFACES, strict=True):
            col.button(
                t(f"surface_{name}", lang),
                icon=":material/play_arrow:",
                width="stretch",
                key=f"fair_to_{name}",
                on_click=_race_on,
                args=(name,),
            )
        return
    if not r.land.minima:  # a surface of your own: say which minimum the starts must reach
        st.caption(
            t("fair_goal_found", lang, x=f"{goal.x:.4g}", y=f"{goal.y:.4g}", v=f"{goal.value:.4g}")
        )
    usable = [i for i, run in enumerate(contestants) if run.spec.elementwise]
    c1, c2, c3, c4 = st.columns(4)
    rates = bound.count(c1, t("fair_rates", lang), 2, fair.MAX_RATES, 20, "fair_rates", lang)
    starts = bound.count(c2, t("fair_starts", lang), 1, fair.MAX_STARTS, 100, "fair_starts", lang)
    steps = c3.number_input(
        t("steps", lang),
        1,
        fair.MAX_STEPS,
        300,
        50,
        key="fair_steps",
        help=widgets.costly(t("steps_help", lang, high=fair.MAX_STEPS), lang, trained=False),
        **Q,
    )
    tol = c4.number_input(t("fair_tol", lang), 1e-8, 10.0, 1e-3, format="%g", key="fair_tol", **Q)
    if not st.toggle(t("fair_run", lang), key="fair_on", help=t("fair_run_help", lang), **Q):
        return
    config = fair.FairConfig(int(rates), 1e-5, 10.0, int(starts), int(steps), float(tol))
    chosen = tuple(contestants[i] for i in usable)
    names = tuple(_swept_name(i, contestants[i], lang) for i in usable)
    answer = guided.outcome(st.container(), lang, "lesson_outcome_fair")  # (a lesson: closed)
    with widgets.guarded(lang), st.spinner(t("race_basin_busy", lang)), answer:
        result = compute.fair_race(r.surface, r.options, r.data_x, r.data_y, chosen, config, names)
        figure = rf.fair_figure(
            result.rates,
            result.success,
            names,
            lang,
            result.suggested,
            result.success_suggested,
        )
        charts.chart(figure, "fair_fig", shared=False)
        table = result.table()
        shown = widgets.display_table(table)
        for column in ("success", "success at range test lr"):
            shown[column] = [f"{v:.0%}" for v in table[column]]
        shown.columns = [t(f"fair_col_{c.replace(' ', '_')}", lang) for c in table.columns]
        widgets.table(shown)
        said = {"rates": config.rates, "starts": config.starts, "tol": f"{config.tol:g}"}
        st.caption(t("fair_note", lang, **said))
        flags = result.topped if result.topped is not None else [False] * len(names)
        topped = [n for n, top in zip(names, flags, strict=True) if top]
        if topped:  # (stars at a tenth of the range's top, unexplained)
            ceiling = {"names": ", ".join(map(frame.inert, topped)), "high": f"{config.high:g}"}
            st.caption(t("fair_topped", lang, **ceiling, at=f"{config.high / 10:g}"))


FAIR_SURFACES = ("beale", "rosenbrock", "bowl")  # offered when a surface has no minimum


def _race_on(name: str) -> None:
    """Callback: switch the race to the surface ``name``, with its start and contestants, and
    run the fair race there."""
    st.session_state["surface"] = name
    st.session_state["fair_on"] = True
    controls.load_defaults()


def _swept_name(i: int, run, lang: str) -> str:
    """A contestant of the fair race: its number, optimizer and schedule, not its η (swept)."""
    name = f"{i + 1}. {display_name(run.optimizer, lang)}"
    if run.schedule is not None:
        name += " · " + t(f"sched_name_{run.schedule.key}", lang)
    return name

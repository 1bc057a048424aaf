"""Optimizer race: SGD, Momentum, Nesterov, RMSprop and Adam side by side on one surface.

Thin by design: keyed widgets → RunSpec / RaceConfig / SurfaceOptions → cached library
calls (compute.*) → pure figure builders.
"""

import bound
import charts
import compute
import frame
import guided
import numpy as np
import pandas as pd
import race_controls as controls
import race_panels as panels
import streamlit as st
import widgets

from playground import landscapes, runs, scripts
from playground.i18n import t

lang = frame.language()
Q = {"bind": "query-params"}
MAX_RUNS, START_LIMIT = controls.MAX_RUNS, controls.START_LIMIT


# ------------------------------------------------------------------ page
frame.heading(t("race_title", lang), t("race_intro", lang), lang)

if "surface" not in st.session_state or "r0" not in st.session_state:
    controls.first_visit()

kept = None  # what to say over the race when a formula of your own was refused
with st.sidebar:
    st.header(t("race_surface", lang))
    surface = bound.choice(
        st.selectbox,
        t("race_surface", lang),
        landscapes.NAMES,
        "surface",
        "saddle",
        format_func=lambda k: t(f"surface_{k}", lang),
        on_change=controls.load_defaults,
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
            **bound.initial("kappa", 20.0),
            **Q,
        )
    if surface == "custom":
        st.text_input(
            t("race_formula", lang),  # (no max_chars: its counter covered the formula's end;
            key="formula",  # expr refuses a formula over expr.MAX_LENGTH with a message)
            help=t("race_formula_help", lang),
            **bound.initial("formula", landscapes.SurfaceOptions.formula),
            **Q,
        )
        kept = controls.formula_check(lang)  # (under the box; the race: the last that worked)
        st.number_input(
            t("race_half", lang),
            0.01,
            1000.0,
            step=0.5,
            key="half",
            **bound.initial("half", 3.0),
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
        **bound.initial("start_x", 1.0),
        **Q,
    )
    start_y = c2.number_input(
        t("race_start_y", lang),
        -START_LIMIT,
        START_LIMIT,
        step=0.1,
        format="%g",
        key="start_y",
        **bound.initial("start_y", 0.001),
        **Q,
    )
    steps = st.number_input(
        t("steps", lang),
        1,
        runs.MAX_RACE_STEPS,
        step=50,
        key="steps",
        help=widgets.costly(t("steps_help", lang, high=runs.MAX_RACE_STEPS), lang, trained=False),
        **bound.initial("steps", 100),
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
        **bound.initial("noise", 0.0),
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
        **bound.initial("clip", 0.0),
        **Q,
    )
    seed = st.number_input(
        t("seed", lang),
        0,
        2**31 - 1,
        key="race_seed",
        help=t("seed_help", lang),
        **bound.initial("race_seed", 0),
        **Q,
    )
    tol = bound.choice(
        st.select_slider,
        t("race_tol", lang),
        [1e-2, 1e-3, 1e-4, 1e-6, 1e-8],
        "tol",
        1e-4,
        format_func=lambda v: f"{v:g}",
        help=t("race_tol_help", lang),
    )

race = None  # set once the race is drawn; the basin map below needs it
if surface == "custom" and kept:  # (the new formula was refused: say so where the race is)
    st.warning(kept, icon=":material/history:")
with widgets.guarded(lang):
    options = controls.surface_options()
    data_x, data_y = controls.regression_data()
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
        **bound.initial("n_runs", 5),
        **Q,
    )
    contestants = [controls.run_controls(i, lang, int(steps)) for i in range(int(n_runs))]
    config = runs.RaceConfig(
        (float(start_x), float(start_y)), int(steps), float(noise), float(clip), int(seed)
    )
    # (above the map, where a student looks; shown only if the race takes over half a second)
    busy = t("race_busy", lang, steps=f"{config.steps:,}")
    with race_area.spinner(busy, show_time=True):
        paths = compute.race_paths(surface, options, data_x, data_y, config, contestants)
    labels = [f"{i + 1}. {r.label(lang)}" for i, r in enumerate(contestants)]
    xs, ys = land.axes(151)
    z = compute.landscape_grid(surface, options, data_x, data_y, 151)
    minima = np.array([[m.x, m.y] for m in land.minima]).reshape(-1, 2)
    saddles = np.array([[p.x, p.y] for p in land.saddles]).reshape(-1, 2)

    table = runs.race_table(land, contestants, paths, float(tol), lang)
    if not frame.presenting():  # (on a projector: the map itself, its ▶ on the first screen)
        race_area.subheader(t("race_maps", lang))
    paths_xy = tuple(p.xy for p in paths)
    small = not frame.presenting()  # (on a projector, the map and its ▶ on one screen)
    fig = compute.race_figure(
        xs, ys, z, paths_xy, tuple(labels), minima, saddles, land.log_colour, lang, small
    )
    charts.chart(fig, "race_fig", race_area, on_click=controls.set_start_from_click)
    race_area.caption(t("race_click_hint", lang, keys=t("keys_hint", lang)))
    results_area = guided.outcome(results_area, lang)
    for row in table.itertuples():
        if row.diverged_at is not None and not pd.isna(row.diverged_at):
            # (a surface without a minimum, like the saddle x² − y², sends every run that
            # escapes off the map: that is the lesson, not a learning rate to fix)
            # (a surface of your own lists no critical points: nothing is known of it)
            key = (
                "race_diverged"
                if land.minima
                else ("race_ran_off" if land.saddles else "race_left_unknown")
            )
            results_area.warning(
                t(key, lang, run=row.run, step=int(row.diverged_at)),
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
        lambda: runs.race_frame(contestants, paths, lang).to_csv(index=False),
        "race.csv",
        "text/csv",
        key="dl_race",
        icon=":material/download:",
        on_click="ignore",
    )
    script = scripts.race_script(surface, options, contestants, config)
    widgets.show_code(script, "race.py", "code_race", results_area)

    # One panel at a time: building and sending only the chosen one keeps every change fast.
    race = panels.Race(surface, options, data_x, data_y, land, paths, labels, table, xs, ys, z)
    with guided.outcome(st.container(), lang, "lesson_outcome_curves"):
        panels.show(race, lang)
    with st.expander(t("notice", lang), expanded=False):
        st.markdown(t("race_notice", lang))


if race is not None:  # (an error above was shown in place of the race)
    panels.basins(race, contestants, minima, lang)
    panels.fair_race(race, contestants, lang)

"""EWA view: the exponentially weighted average alone, then inside Momentum, RMSprop and Adam.

Thin by design: keyed widgets → series and β values → library (playground.ewa) → figures.
"""

import functools

import bound
import charts
import compute
import frame
import guided
import numpy as np
import streamlit as st
import uploads
import widgets

from playground import data, ewa, landscapes, scripts
from playground.figures import ewa as ef
from playground.i18n import t
from playground.optimizers import OPTIMIZERS, RunSpec

lang = frame.language()
Q = {"bind": "query-params"}
BETAS = [0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999]


def series_controls() -> np.ndarray | None:
    with st.sidebar:
        st.header(t("ewa_series", lang))
        source = bound.choice(
            st.radio,
            t("ewa_source", lang),
            data.SERIES,
            "series",
            "temperature",
            format_func=lambda s: t(f"ewa_source_{s}", lang),
            help=t("ewa_source_help", lang),
        )
        if source == "csv":
            help_text = t("ewa_upload_help", lang, rows=data.MAX_SERIES)
            one_column = functools.partial(compute.csv_table, min_columns=1)  # (a series)
            upload = uploads.csv_upload("ewa_csv", help_text, lang, check=one_column)
            if upload is None:
                return None
            table = one_column(upload.getvalue())  # (read once a rerun: hashing 20 MB is not free)
            columns = list(table.columns)
            uploads.column_choice("ewa_col", upload, columns, columns[0])
            col = st.selectbox(t("ewa_column", lang), columns, key="ewa_col")
            uploads.say_left_out(table, lang)
            values, notes = data.series_from_column(table, col)
            widgets.say_notes(notes, lang)
            return values
        if source == "race":
            surface = bound.choice(
                st.selectbox,
                t("race_surface", lang),
                [n for n in landscapes.NAMES if n != "custom"],
                "ewa_surface",
                "rosenbrock",
                format_func=lambda k: t(f"surface_{k}", lang),
            )
            opt = bound.choice(
                st.selectbox,
                t("race_optimizer", lang, i=""),
                list(OPTIMIZERS),
                "ewa_opt",
                "adam",
                format_func=lambda k: OPTIMIZERS[k].label,
            )
            lr = st.number_input(t("lr", lang), 1e-6, 100.0, 0.05, format="%g", key="ewa_lr", **Q)
            steps = st.number_input(t("steps", lang), 10, 5000, 500, 50, key="ewa_steps", **Q)
            what = bound.choice(
                st.radio,
                t("ewa_what", lang),
                ("loss", "grad_x", "grad_y"),
                "ewa_what",
                "grad_x",
                format_func=lambda s: t(f"ewa_what_{s}", lang),
            )
            return compute.race_series(
                surface, RunSpec(opt, (("lr", lr),)).to_text(), int(steps), what
            )
        n = st.number_input(
            t("ewa_n", lang),
            10,
            data.MAX_SERIES,
            365,
            5,
            key="ewa_n",
            help=t("ewa_n_help", lang, high=data.MAX_SERIES),
            **Q,
        )
        noise = st.number_input(
            t("ewa_noise", lang),
            0.0,
            100.0,
            3.0 if source == "temperature" else 1.0,
            0.5,
            key="ewa_noise",
            **Q,
        )
        seed = st.number_input(
            t("seed", lang), 0, 2**31 - 1, 0, key="ewa_seed", help=t("seed_help", lang), **Q
        )
        make = {
            "temperature": data.temperatures,
            "walk": data.random_walk,
            "step": data.step_change,
        }
        return make[source](int(n), float(noise), int(seed))


frame.heading(t("ewa_title", lang), t("ewa_intro", lang), lang)
# each formula and its note under it; on a projector, the note is its help (not two more
# paragraphs above the figure)
formulas = (
    (r"v_t=\beta\,v_{t-1}+(1-\beta)\,x_t", t("ewa_convention", lang)),
    (
        r"v_t=\beta^t v_0+(1-\beta)\sum_{i=1}^{t}\beta^{\,t-i}x_i,"
        r"\qquad \hat v_t=\frac{v_t}{1-\beta^t}",
        t("ewa_closed_form", lang),
    ),
)
for column, (formula, note) in zip(st.columns(2), formulas, strict=True):
    if frame.presenting():
        column.latex(formula, help=note)
    else:
        column.latex(formula)
        column.caption(note)

with widgets.guarded(lang):
    x = series_controls()
    if x is None:
        uploads.upload_awaited("ewa_csv", "ewa_upload_prompt", lang)
        st.stop()
    c1, c2, c3 = frame.section(t("ewa_settings", lang), heading=False).columns([2, 1, 1.2])
    betas = c1.multiselect(
        t("ewa_betas", lang),
        BETAS,
        default=[0.5, 0.9, 0.98],
        key="betas",
        max_selections=5,
        placeholder=t("choose_options", lang),
        help=t("ewa_betas_help", lang),
        **Q,
    )
    start = bound.choice(
        c2.radio,
        t("ewa_v0", lang),
        ("zero", "first"),
        "v0",
        "first",
        format_func=lambda s: t(f"ewa_v0_{s}", lang),
        help=t("ewa_v0_help", lang),
    )
    swapped = c3.toggle(t("ewa_swap", lang), False, key="swap", help=t("ewa_swap_help", lang), **Q)
    if not betas:
        st.info(t("ewa_pick_beta", lang))
        st.stop()
    v0 = "first" if start == "first" else 0.0
    curves = [
        (
            t("ewa_beta_window", lang, beta=f"{b:g}", window=f"{ewa.window(b):.3g}"),
            ewa.ewa(x, b, v0),
        )
        for b in betas
    ]
    dashed = None
    if swapped:
        first = float(x[0]) if v0 == "first" else 0.0
        dashed = [
            (
                t("ewa_swapped_label", lang, beta=f"{ewa.swap(b):g}"),
                ewa.ewa_new_sample_convention(x, ewa.swap(b), first),
            )
            for b in betas
        ]
    lesson = guided.in_lesson()  # (the lines drawn as ▶ plays: nothing of the answer before)
    charts.chart(compute.figure(ef.averages, x, curves, lang, dashed, lesson), "ewa_fig")
    widgets.show_code(scripts.ewa_script(x, betas, v0 == "first"), "ewa.py", "code_ewa")
    if swapped:
        gap = max(float(np.max(np.abs(c[1] - d[1]))) for c, d in zip(curves, dashed, strict=True))
        st.success(t("ewa_swap_same", lang, gap=f"{gap:.1e}"))
    st.caption(
        " · ".join(
            t(
                "ewa_window_note",
                lang,
                beta=f"{b:g}",
                window=f"{ewa.window(b):.3g}",
                tenth=f"{b ** ewa.window(b):.3f}",
            )
            for b in betas
        )
    )

    st.subheader(t("ewa_weights", lang))
    charts.chart(
        compute.figure(
            ef.weights_figure, betas, int(min(200, max(20, 3 * ewa.window(max(betas))))), lang
        ),
        key="ewa_weights",
    )

    bias = guided.outcome(st.container(), lang)  # (a lesson's answer: the zero start's dip)
    bias.subheader(t("ewa_bias", lang))
    bias.markdown(t("ewa_bias_intro", lang))
    b = bias.selectbox(t("ewa_bias_beta", lang), betas, index=len(betas) - 1, key="bias_beta")
    charts.chart(
        compute.figure(ef.bias_figure, x, ewa.ewa(x, b, 0.0), ewa.ewa_corrected(x, b), b, lang),
        key="ewa_bias",
        where=bias,
    )

    st.subheader(t("ewa_build", lang))
    st.caption(t("fig_ewa_build", lang))
    charts.chart(
        compute.figure(ef.build_animation, x[:2000], ewa.ewa(x[:2000], b, v0), b, lang), "ewa_anim"
    )
    st.caption(t("keys_hint", lang))
    if len(x) > 2000:
        st.caption(t("ewa_build_first", lang))

    st.subheader(t("ewa_inside", lang))
    st.markdown(t("ewa_inside_intro", lang))
    c = st.columns([3, 2, 2, 2, 2])  # (a surface's name is longer than a number)
    surface = bound.choice(
        c[0].selectbox,
        t("race_surface", lang),
        [n for n in landscapes.NAMES if n != "custom"],
        "state_surface",
        "rosenbrock",
        format_func=lambda k: t(f"surface_{k}", lang),
    )
    steps = c[1].number_input(t("steps", lang), 5, 2000, 200, 50, key="state_steps", **Q)
    lr_m = c[2].number_input(
        t("ewa_lr_momentum", lang), 1e-6, 10.0, 1e-3, format="%g", key="lr_m", **Q
    )
    lr_r = c[3].number_input(
        t("ewa_lr_rmsprop", lang), 1e-6, 10.0, 1e-2, format="%g", key="lr_r", **Q
    )
    lr_a = c[4].number_input(t("ewa_lr_adam", lang), 1e-6, 10.0, 1e-2, format="%g", key="lr_a", **Q)
    result = compute.optimizer_states(surface, int(steps), float(lr_m), float(lr_r), float(lr_a))
    charts.chart(compute.figure(ef.states_figure, result, lang), "ewa_states")
    worst = max(
        float(np.abs(d["torch"] - d["ewa"]).max())
        for r in result.values()
        for d in r["states"].values()
    )
    st.success(t("ewa_states_match", lang, diff=f"{worst:.1e}"))
    st.caption(t("ewa_momentum_scale", lang))

with st.expander(t("notice", lang), expanded=False):
    st.markdown(t("ewa_notice", lang))

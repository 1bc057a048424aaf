"""From scratch to torch.optim: one fit written four ways, run live, shown side by side.

Thin by design: keyed widgets → ScratchConfig → cached library call
(background.scratch_fits) → figures. numpy's way is drawn at once; the torch ways train in the
background and join it when done.
"""

import inspect
import re

import background
import bound
import charts
import compute
import frame
import numpy as np
import pandas as pd
import streamlit as st
import widgets

from playground import scratch, scripts_scratch
from playground.figures import scratch as sf
from playground.i18n import t

lang = frame.language()
Q = {"bind": "query-params"}
AGREE_TOL = 1e-9  # the first three ways and torch.optim.SGD: same arithmetic, rounding apart
RMSPROP_TOL = 5e-3  # RMSprop against the exact least-squares coefficients, after its steps
POLL = 0.5  # seconds between looks for the torch ways while they train
EMPTY = np.zeros(0)  # the curve of a way still training (its legend entry stays)
NOT_YET = scratch.Fit(np.zeros((0, 1)), EMPTY)
config = None  # (set once the settings are read; an error above leaves the script out)


def notes_on_the_ways(fits: dict, pending: list, names: dict, exact, config) -> None:
    """Which ways diverged, which still train (polled until done), whether the ways that
    should agree do, and how far RMSprop ends from the exact fit."""
    same = ("hand", "autograd", "module") + (("optim",) if config.optimizer == "sgd" else ())
    stopped = [names[k] for k, f in fits.items() if len(f.loss) < config.steps]
    if stopped:
        ways = re.sub(r"^(\d+)\.", r"\1\\.", ", ".join(stopped))  # (a Markdown list else)
        st.warning(t("fs_diverged", lang, ways=ways), icon=":material/trending_up:")
    if pending:
        st.info(
            t("fs_pending", lang, ways=", ".join(names[k] for k in pending)),
            icon=":material/hourglass_top:",
        )

        @st.fragment(run_every=POLL)
        def wait_for_the_rest() -> None:
            if not background.scratch_waiting():
                st.rerun(scope="app")  # every way is done: draw them all once, stop polling

        wait_for_the_rest()
    elif not stopped:
        diff = scratch.max_difference(fits, same)
        if diff <= AGREE_TOL:
            st.success(t("fs_agree", lang, n=len(same), diff=f"{diff:.1e}", tol=f"{AGREE_TOL:g}"))
        else:
            st.error(t("fs_disagree", lang, diff=f"{diff:.1e}"))
    if config.optimizer == "rmsprop" and "optim" in fits:
        gap = float(np.abs(fits["optim"].final - exact).max())
        st.info(t("fs_rmsprop", lang, gap=f"{gap:.1e}", tol=f"{RMSPROP_TOL:g}"))


frame.heading(t("fs_title", lang), t("fs_intro", lang), lang)

with widgets.guarded(lang):
    if frame.presenting():  # (in one row, the problem wrapped onto six lines at 1280 px)
        c = [*st.columns([2.4, 1.2, 1]), *st.columns([1.5, 1.1, 1.4])[:2]]
    else:
        c = st.columns([1.15, 1.2, 1, 1.25, 1.05])  # room for η such as 0.00000137
    problem = bound.choice(
        c[0].radio,
        t("fs_problem", lang),
        list(scratch.PROBLEMS),
        "fs_problem",
        "sine",
        format_func=lambda k: t(f"fs_problem_{k}", lang),
    )
    spec = scratch.PROBLEMS[problem]
    lr = c[1].number_input(
        t("lr", lang),
        1e-9,
        1.0,
        spec.lr,
        spec.lr / 10,  # − and + move η by a tenth of the problem's default
        format="%g",
        key=f"fs_lr_{problem}",
        help=t("fs_lr_help", lang),
        **Q,
    )
    steps = c[2].number_input(
        t("steps", lang),
        1,
        scratch.MAX_STEPS,
        spec.steps,
        100,
        key=f"fs_steps_{problem}",
        help=t("steps_help", lang, high=scratch.MAX_STEPS),
        **Q,
    )
    optimizer = bound.choice(
        c[3].radio,
        t("fs_optimizer", lang),
        ("sgd", "rmsprop"),
        "fs_opt",
        "sgd",
        format_func=lambda k: {"sgd": "torch.optim.SGD", "rmsprop": "torch.optim.RMSprop"}[k],
        help=t("fs_optimizer_help", lang),
    )
    opt_lr = c[4].number_input(
        t("fs_optimizer_lr", lang),
        1e-9,
        1.0,
        spec.rmsprop_lr,
        spec.rmsprop_lr / 10,
        format="%g",
        key=f"fs_rms_lr_{problem}",
        disabled=optimizer == "sgd",
        **Q,
    )
    config = scratch.ScratchConfig(problem, float(lr), int(steps), optimizer, float(opt_lr))
    # (shown only if numpy's way takes longer than half a second: not for a cached result)
    with st.spinner(t("fs_busy", lang, steps=f"{config.steps:,}"), show_time=True):
        fits, pending = background.scratch_fits(config)  # the torch ways may still be training
    exact = scratch.least_squares(problem)
    names = {k: t(f"fs_way_{k}", lang) for k in scratch.WAYS}
    if optimizer == "rmsprop":
        names["optim"] = t("fs_way_optim_rmsprop", lang)

    if frame.presenting():  # the charts first, the notes under them (above, on a projector,
        shown, notes = st.container(), st.container()  # they pushed the charts to 665 px)
    else:
        notes, shown = st.container(), st.container()
    with notes:
        notes_on_the_ways(fits, pending, names, exact, config)
    for k in pending:  # in the legends, so the colours and dashes never move
        names[k] = t("fs_way_pending", lang, way=names[k])

    x, y = spec.data()
    curves = {k: fits.get(k, NOT_YET) for k in scratch.WAYS}  # every way, in order, in the legends
    design = np.stack([x**k for k in range(spec.degree + 1)], axis=1)  # (N, d + 1)
    left, right = shown.columns(2)
    charts.chart(
        compute.figure(
            sf.fits_figure,
            x,
            y,
            {names[k]: EMPTY if f is NOT_YET else design @ f.final for k, f in curves.items()},
            lang,
        ),
        "fs_fits",
        left,
        share=0.5,  # (its PNG as wide as shown: half the column)
    )
    charts.chart(
        compute.figure(sf.loss_figure, {names[k]: f.loss for k, f in curves.items()}, lang),
        "fs_loss",
        right,
        share=0.5,
    )

    columns = [f"c{k}" for k in range(spec.degree + 1)]
    rows = {names[k]: [*f.final, f.loss[-1] if len(f.loss) else np.nan] for k, f in fits.items()}
    rows[t("fs_exact", lang)] = [*exact, float(np.square(design @ exact - y).sum())]
    table = pd.DataFrame(rows, index=[*columns, t("fs_col_loss", lang)]).T
    st.subheader(t("fs_coefficients", lang))
    st.caption(t(f"fs_coefficients_note_{problem}", lang))
    widgets.table(table.map(lambda v: widgets.num(v, 6)), index=True)
    st.download_button(
        t("export_csv", lang),
        lambda: widgets.csv_text(table.rename_axis(t("fs_col_way", lang))),  # (first column named)
        "coefficients.csv",
        "text/csv",
        key="dl_fs",
        on_click="ignore",
    )

st.header(t("fs_code", lang))
st.markdown(t("fs_code_intro", lang))
# one tab a way, each as wide as the page: in two columns a listing's lines were cut at 1440 px
# (a fresh-eyes teacher scrolled them sideways), one under another they filled four screens
tabs = st.tabs([t(f"fs_way_{key}", lang) for key in scratch.WAYS], key="fs_way_tab")
for tab, way in zip(tabs, scratch.WAYS.values(), strict=True):
    with tab:
        widgets.listing(inspect.getsource(way))
# (the four ways and their helpers in one runnable file: a teacher found the listings call
# _fit and _coefs, which the view did not show)
if config is not None:
    widgets.show_code(scripts_scratch.scratch_script(config), "scratch.py", "code_fs")
with st.expander(t("notice", lang), expanded=True):
    st.markdown(t("fs_notice", lang))

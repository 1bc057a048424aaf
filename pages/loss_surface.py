"""Loss-surface view: the MSE bowl and the MAE pyramid of y' = w·x + b, and descent on them.

Thin by design: keyed widgets → frozen configs (DataConfig, Grid, DescentConfig) →
cached library calls (compute.*) → pure figure builders.
"""

import bound
import charts
import compute
import frame
import guided
import loss_surface_controls as ls_controls
import streamlit as st
import uploads
import widgets

from playground import figures, scripts, surfaces
from playground.figures import export
from playground.i18n import t

lang = frame.language()
Q, WINDOW = ls_controls.Q, ls_controls.WINDOW

frame.heading(t("ls_title", lang), t("ls_intro", lang), lang)
# a projector and a lesson show the descent first, its ▶ on or near the first screen (it was
# 4,000 px down, under the data, the formulas and the surfaces); a laptop reads the view top
# to bottom
descent_slot = st.container() if frame.presenting() or guided.in_lesson() else None


ds = data_config = None
with widgets.guarded(lang):
    ds, data_config = ls_controls.data_controls(lang)
if ds is None:
    st.session_state[ls_controls.HIDDEN] = True  # (the learning rate's box is not drawn)
    if st.session_state.get("source") == "csv":
        uploads.upload_awaited("csv_file", "ls_upload_prompt", lang)
    st.stop()
x, y = ds.x, ds.y
st.session_state["_regression_data"] = (x, y)  # the race view's regression surfaces use it
widgets.notes(ds, lang)
best = compute.minima(x, y)
lr_bound = surfaces.stable_lr_bound(x)
ls_controls.suit_learning_rate(x, lr_bound, data_config, lang)

# ------------------------------------------------------------------ data and formulas
left, right = st.columns([1, 1])
with left:
    fig = compute.figure(figures.data_figure, x, y, best["mse"][:2], lang, ds.names)
    charts.chart(fig, "data_fig", share=0.5)
    w2, b2, m2 = best["mse"]
    w1, b1, m1 = best["mae"]
    st.markdown(
        t(
            "ls_best",
            lang,
            n=len(x),
            w2=widgets.num(w2),
            b2=widgets.num(b2),
            m2=widgets.num(m2),
            w1=widgets.num(w1),
            b1=widgets.num(b1),
            m1=widgets.num(m1),
        )
    )
    if surfaces.constant(x):
        st.info(t("ls_constant_x", lang, x0=widgets.num(x[0]), ybar=widgets.num(y.mean())))
with right:
    with st.expander(t("ls_formulas", lang), expanded=True):
        st.latex(r"\hat y_i = w x_i + b")
        st.latex(r"\mathrm{MSE}(w,b)=\frac1N\sum_i(\hat y_i-y_i)^2")
        st.latex(r"\mathrm{MAE}(w,b)=\frac1N\sum_i|\hat y_i-y_i|")
        st.latex(
            r"\nabla\mathrm{MSE}=\frac2N\sum_i(\hat y_i-y_i)\begin{pmatrix}x_i\\1\end{pmatrix}"
        )
        st.latex(
            r"\nabla\mathrm{MAE}=\frac1N\sum_i\operatorname{sign}(\hat y_i-y_i)"
            r"\begin{pmatrix}x_i\\1\end{pmatrix}"
        )
        st.latex(r"(w,b)\leftarrow(w,b)-\eta\,\nabla L(w,b)")
        st.caption(t("ls_formulas_note", lang))
    # (closed in a lesson: it says what the lesson asks the class to predict)
    with st.expander(t("notice", lang), expanded=not guided.in_lesson()):
        st.markdown(t("ls_notice", lang))

# ------------------------------------------------------------------ surfaces
st.header(t("ls_surfaces", lang))
grid = None  # set once the surfaces are drawn; the descent needs them
with widgets.guarded(lang):
    if frame.presenting():  # (the window and resolution are hidden there: their empty
        row, aside = st.columns(2), st.container()  # columns wrapped "3-D surfaces" in two)
        c = [aside, row[0], row[1], aside]
    else:
        c = st.columns([1, 1, 1, 2])
    auto = c[0].toggle(
        t("ls_auto_window", lang), True, key="auto_window", help=t("ls_auto_window_help", lang), **Q
    )
    log_colour = c[1].toggle(
        t("log_colour", lang), False, key="log_colour", help=t("log_colour_help", lang), **Q
    )
    three_d = c[2].toggle(
        t("ls_three_d", lang), True, key="three_d", help=t("ls_three_d_help", lang), **Q
    )
    res = c[3].slider(
        t("ls_resolution", lang),
        11,
        surfaces.MAX_RESOLUTION,
        121,
        10,
        key="res",
        help=t("ls_resolution_help", lang, high=surfaces.MAX_RESOLUTION),
        **Q,
    )
    fit = surfaces.fit_window(x, y)
    bounds = {}
    for col, name, value in zip(
        st.columns(4),
        ("w_min", "w_max", "b_min", "b_max"),
        (fit.w_min, fit.w_max, fit.b_min, fit.b_max),
        strict=True,
    ):
        if auto:  # the greyed-out inputs show the window in use, not the last data's
            st.session_state[name] = value
        bounds[name] = col.number_input(
            t(f"ls_{name}", lang),
            -WINDOW,
            WINDOW,
            step=0.5,
            key=name,
            disabled=auto,
            **bound.initial(name, value),
            **Q,
        )
    grid = (
        surfaces.Grid(fit.w_min, fit.w_max, fit.b_min, fit.b_max, res)
        if auto
        else (surfaces.Grid(n=res, **bounds))
    )
    panels = st.columns(2)
    z_by_loss = {}
    for panel, loss in zip(panels, ("mse", "mae"), strict=True):
        z = z_by_loss[loss] = compute.surface(x, y, grid, loss)
        wm, bm, vm = best[loss]
        title = t(f"fig_{loss}", lang)
        with panel:
            flat = surfaces.minimizing_set(z, grid, vm) if loss == "mae" else None
            fig3d, contour = compute.surface_figures(
                grid, z, title, (wm, bm, vm), flat, log_colour, lang
            )
            if three_d:
                charts.chart(fig3d, f"{loss}_3d", share=0.5)
            charts.chart(contour, f"{loss}_contour", share=0.5)
            st.caption(t(f"ls_min_{loss}", lang))


# ------------------------------------------------------------------ gradient descent
def descent_outcome(traj, where) -> None:
    """Where the descent ended, or the step at which it diverged."""
    if traj.diverged_at is not None:
        where.warning(
            t("ls_diverged", lang, step=traj.diverged_at, bound=f"{lr_bound:.4g}"),
            icon=":material/trending_up:",
        )
        return
    w, b, loss = (widgets.num(v[-1]) for v in (traj.w, traj.b, traj.loss))
    where.success(t("ls_finished", lang, steps=traj.steps, w=w, b=b, loss=loss))


@st.fragment
def descent_section() -> None:
    """Gradient descent: its controls rerun only this section, not the surfaces. On a
    projector, where it comes first, the figure is under the view's title and its settings are
    folded under it: ▶ on the first screen (it was 1,422 px down, under a row of settings)."""
    if frame.presenting():
        shown = st.container()
        settings = st.expander(t("ls_descent_settings", lang), icon=":material/tune:")
        settings.markdown(t("ls_descent_intro", lang))
    else:
        st.header(t("ls_descent", lang), anchor="descent")  # (a lesson links to it)
        st.markdown(t("ls_descent_intro", lang))
        settings = shown = st.container()
    with widgets.guarded(lang):
        with settings:
            config = ls_controls.descent_controls(lang, lr_bound)
        with shown:
            traj = descent_figure(config)
        with settings:
            st.download_button(
                t("download_csv", lang),
                lambda: traj.to_frame().to_csv(index=False),  # written only when clicked
                "trajectory.csv",
                "text/csv",
                key="dl_traj",
                icon=":material/download:",
                on_click="ignore",
            )
            widgets.show_code(
                scripts.descent_script(x, y, config, data_config), "descent.py", "code_gd"
            )


def descent_figure(config):
    """The descent's run, its animation and where it ended (above the figure on a laptop;
    under it on a projector, and in a lesson in a closed expander). Returns the run."""
    traj = compute.descent(x, y, config)
    shown_above = not (frame.presenting() or guided.in_lesson())
    above = st.container() if shown_above else None
    path_3d = st.toggle(
        t("ls_path_3d", lang), False, key="path_3d", help=t("ls_path_3d_help", lang), **Q
    )
    fig = compute.descent_figure(
        grid,
        z_by_loss[config.loss],
        traj.w,
        traj.b,
        traj.loss,
        x,
        y,
        log_colour,
        lang,
        path_3d,
        ds.names,
        frame.presenting(),  # one row of three panels: the figure and its ▶ fit 720 px
        config.steps,  # (the scrubber does not tell that a run diverged before its end)
        best[config.loss][:2],
    )
    charts.chart(fig, "descent_fig", tallest=export.PRESENTER_UNDER_TITLE)
    st.caption(t("keys_hint", lang))  # (as the race's: a teacher found them there only)
    descent_outcome(traj, above if shown_above else guided.outcome(st.container(), lang))
    return traj


if grid is not None:  # (an error above was shown in place of the surfaces)
    with descent_slot or st.container():
        descent_section()

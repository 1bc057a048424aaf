"""Landscapes of real networks: several runs from the same initial weights, their sharpness
against 2/η while they train (the edge of stability), then the loss on a slice through their
weights (PCA plane, random plane or the line between two runs) with every path on it.

Training runs in the lab's worker processes (the shared training panel: Train / Stop, live
redraw, a fair line of trainers); the slice is computed afterwards in a compute worker, again
whenever the student picks another slice, without training again.
"""

import charts
import compute
import frame
import landscape_controls as ll_controls
import numpy as np
import pandas as pd
import streamlit as st
import training_panel as panel
import widgets
import workers

from playground import budget, digits, landscape_runs, scripts, training
from playground.figures import export
from playground.figures import landscape as lf
from playground.i18n import t
from playground.landscape_runs import LandscapeConfig

lang = frame.language()
Job = workers.TrainingJob


def curves(job: Job) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(epochs (E,), training loss (E, R), sharpness (E, R)) of what the job has sent."""
    records = list(job.records)
    epochs = np.array([r.epoch for r in records])
    loss = np.array([r.train_loss for r in records])
    sharp = np.array([r.sharpness for r in records])
    return epochs, loss, sharp


def draw(job: Job) -> None:
    """Progress, and the loss and the sharpness against each run's 2/η."""
    config = job.key[1]
    names = ll_controls.run_names(config, lang)
    epochs, loss, sharp = curves(job)
    if not len(epochs):
        return
    last = int(epochs[-1])
    st.progress(
        min(1.0, last / config.epochs),
        text=t("ll_progress", lang, epoch=last, epochs=config.epochs),
    )
    bounds = [run.stability_bound() for run in config.runs]
    fig = lf.sharpness_figure(epochs, loss, sharp, bounds, names, lang, config.epochs)
    charts.chart(fig, "ll_sharpness", shared=False, tallest=export.PRESENTER_UNDER_TRAIN)


def preview(config: LandscapeConfig) -> None:
    """Before Train, the question: each run's 2/η where its sharpness will be drawn."""
    names = ll_controls.run_names(config, lang)
    bounds = [run.stability_bound() for run in config.runs]
    none = np.zeros((0, len(names)))  # (0, R): no epoch yet
    fig = lf.sharpness_figure(np.zeros(0), none, none, bounds, names, lang, config.epochs)
    charts.chart(fig, "ll_sharpness", shared=False, exported=False)
    st.caption(t("ll_preview_note", lang))


def sliced(job: Job) -> None:
    """The slice the student picks, with the runs' paths on it, and how faithful it is."""
    source, config = job.key
    s = job.summary
    names = ll_controls.run_names(config, lang)
    st.subheader(t("ll_slice_header", lang))
    plane = ll_controls.plane_controls(names, lang)
    diverged = [names[r] for r in range(len(names)) if s.diverged[r]]
    if diverged:
        epochs_at = ", ".join(str(int(e)) for e in s.diverged if e)
        st.warning(t("ll_diverged_note", lang, names=", ".join(diverged), epochs=epochs_at))
    work = _work(source, config, s.weights)
    grid = plane.resolution**2 * 2 + s.snapshots.shape[0] * s.snapshots.shape[1] * 2
    cost = budget.landscape_slice(_points(source), grid, work)
    busy = t("ll_slice_busy", lang, n=plane.resolution)  # (seconds after Train: say so)
    with st.spinner(busy, show_time=True):
        cut = compute.landscape_slice(
            source, config, s.snapshots, s.diverged, plane, budget.lane(cost)
        )
    epochs = s.snapshot_epochs
    if cut.kind == "line":
        ends = (names[plane.center], names[plane.other])
        charts.chart(lf.line_figure(cut.alphas, cut.train, cut.val, ends, lang), "ll_line")
        st.caption(t("ll_line_note", lang))
    else:
        if cut.kind == "pca":
            titles = tuple(
                t("ll_axis_pc", lang, k=k + 1, share=f"{100 * cut.explained[k]:.1f}")
                for k in range(2)
            )
            st.caption(
                t(
                    "ll_pca_note",
                    lang,
                    share=f"{100 * cut.explained.sum():.0f}",
                    center=names[plane.center],
                )
            )
        else:
            titles = (t("ll_axis_d1", lang), t("ll_axis_d2", lang))
            st.caption(t("ll_random_note", lang, center=names[plane.center]))
        fig = lf.plane_animation(
            cut.alphas, cut.betas, cut.train, cut.val, cut.paths, epochs, names, titles, lang
        )
        charts.chart(fig, "ll_plane_fig")
        st.caption(t("ll_play_hint", lang))  # (it opens on the start: nothing before ▶)
        with st.expander(t("ll_3d", lang)):
            fig3 = lf.surface_3d(
                cut.alphas, cut.betas, cut.train, cut.paths, cut.path_read, names, titles, lang
            )
            charts.chart(fig3, "ll_3d_fig")
    charts.chart(
        lf.faithful_figure(epochs, cut.path_train, cut.path_read, names, lang), "ll_faithful"
    )
    st.caption(t("ll_faithful_note", lang))
    grid = _slice_table(cut)
    widgets.results_csv(grid, "landscape_slice.csv", "dl_ll_slice", lang, t("ll_slice_csv", lang))
    results(job, cut)


def results(job: Job, cut) -> None:
    """Per run: final losses, sharpness against its bound, the slice's width, divergence."""
    source, config = job.key
    s = job.summary
    _, loss, sharp = curves(job)
    rows = []
    for r, run in enumerate(config.runs):
        measured = sharp[:, r][np.isfinite(sharp[:, r])]
        bound = run.stability_bound()
        rows.append(
            {
                "run": ll_controls.run_names(config, lang)[r],
                "train loss": loss[-1, r],
                "val loss": job.records[-1].val_loss[r],
                "sharpness": measured[-1] if len(measured) else None,
                "bound": bound,
                "width": cut.widths[r],
                "diverged": int(s.diverged[r]) or None,
            }
        )
    table = pd.DataFrame(rows)
    table.columns = [t(f"ll_col_{c.replace(' ', '_')}", lang) for c in table.columns]
    st.subheader(t("lab_results", lang))
    widgets.table(widgets.display_table(table))
    st.caption(t("ll_results_note", lang))
    widgets.results_csv(table, "landscape_results.csv", "dl_ll", lang)
    script = scripts.landscape_script(source, config, 0)
    widgets.show_code(script, "landscape.py", "code_ll", help_key="ll_code_help")


def _slice_table(cut) -> pd.DataFrame:
    """The slice's grid as rows: its coordinates and the training and validation loss."""
    if cut.kind == "line":
        return pd.DataFrame({"t": cut.alphas, "train_loss": cut.train, "val_loss": cut.val})
    a, b = np.meshgrid(cut.alphas, cut.betas)
    return pd.DataFrame(
        {"alpha": a.ravel(), "beta": b.ravel(), "train_loss": cut.train.ravel(),
         "val_loss": cut.val.ravel()}
    )  # fmt: skip


def _points(source) -> int:
    if isinstance(source, digits.DigitsConfig):
        return len(compute.digits(source).train)
    return len(compute.lab_split(source)[0].train)


def _work(source, config: LandscapeConfig, weights: int) -> int:
    """Work per point of one pass: the weights (MLP) or the LeNet's multiply-adds and weights."""
    if config.model == "lenet":
        params, macs = budget.lenet_costs(source.size, landscape_runs.LENET)
        return params + macs
    return weights


workers.lab_workers()  # the lab's worker processes train here too
frame.heading(t("ll_title", lang), t("ll_intro", lang), lang)
with widgets.guarded(lang):
    source, config = ll_controls.controls(lang)
    n_train = _points(source)

    def start(pool, job: Job, pace: float, cap: float):
        run = (source, config, job.inbox, job.stop, 0.2, landscape_runs.train, pace, cap)
        return pool.submit(training.train_to_queue, *run)

    model = landscape_runs.build(config, source)
    weights = sum(p.numel() for p in model.parameters())
    cost = budget.landscape(n_train, n_train // 4, _work(source, config, weights), config)
    ids = ("ll_train_btn", "ll_stop_btn", "ll_slow")
    press = t("ll_press_train", lang)
    job = panel.buttons("_ll_job", (source, config), start, ids, press, lang, cost)
    if job is None:
        preview(config)
    elif not job.done:
        panel.live("_ll_job", draw, lang, waiting=lambda: preview(config))
    elif job.records:
        draw(job)
        if job.summary is not None:
            sliced(job)
    if job is None or job.summary is None or not job.records:  # (its controls, for the link)
        st.subheader(t("ll_slice_header", lang))
        ll_controls.plane_controls(ll_controls.run_names(config, lang), lang)
        st.caption(t("ll_slice_wait", lang))
    panel.what_to_notice(job, lang, lambda: st.markdown(t("ll_notice", lang)))

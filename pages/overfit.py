"""Overfitting lab: train small torch MLPs live, a baseline against dropout, early stopping and
weight decay, on the same split from the same initial weights.

Training runs in a worker process (a small pool per server, so it gets its own core and never
competes with the page for Python's GIL); a fragment collects what it has sent every 0.5 s and
redraws, and the page and its controls stay usable. Stop ends it after the current epoch.
"""

import charts
import compute
import frame
import numpy as np
import overfit_controls as lab_controls
import pandas as pd
import range_test
import streamlit as st
import training_panel as panel
import uploads
import widgets
import workers

from playground import budget, data, scripts, training
from playground.figures import export
from playground.figures import lab as lf
from playground.i18n import t
from playground.training import TrainConfig

lang = frame.language()
Q = {"bind": "query-params"}


Job = workers.TrainingJob


def names_of(config: TrainConfig) -> list[str]:
    return [t(f"lab_variant_{v.name}", lang) for v in config.variants]


def trained(job: Job) -> tuple[data.Split, TrainConfig, bool]:
    """What a job trained: its split, its config, and whether to draw the true sine.

    Always the job's own settings (``job.key``), never the widgets' current ones.
    """
    source, config = job.key
    truth = isinstance(source, data.TaskConfig) and source.task == "sine"
    return compute.lab_split(source)[0], config, truth


UNDER_TRAIN = export.PRESENTER_UNDER_TRAIN  # px of the charts on a projector (Train above)


def draw(job: Job, epoch_index: int | None = None) -> None:
    """Progress, curves, and the fit at the latest (or chosen) snapshot of the job's run."""
    split, config, truth = trained(job)
    records = list(job.records)
    names = names_of(config)
    last = records[-1]
    frac = last.epoch / config.epochs
    st.progress(
        min(1.0, frac),
        text=t(
            "lab_progress",
            lang,
            epoch=last.epoch,
            epochs=config.epochs,
            train=f"{last.train_loss[0]:.4g}",
            val=f"{last.val_loss[0]:.4g}",
        )
        + panel.eta_now(last, config.schedule, lang),
    )
    epochs, train, val, best, stopped = training.curves(records, job.summary)
    snaps = [r for r in records if r.prediction is not None]
    snap = None
    if snaps:
        snap = snaps[-1] if epoch_index is None else snaps[min(epoch_index, len(snaps) - 1)]
    # the fit of an earlier epoch the student picked (while it trains, the latest fit is a few
    # epochs behind the progress line: not a replay)
    replayed = epoch_index is not None and snap is not None and snap.epoch != last.epoch
    note = st.empty()  # (always there: a caption that comes and goes moved the charts after it
    # in the page's tree, and Streamlit drew them anew, blank for a moment, on every replay)
    if replayed:
        note.caption(
            t(
                "lab_replay_now",
                lang,
                epoch=snap.epoch,
                train=f"{snap.train_loss[0]:.4g}",
                val=f"{snap.val_loss[0]:.4g}",
            )
        )
    slots = training.slots(config.variants)  # (a variant's colour, whichever are on)
    marked = snap.epoch if replayed else None
    curves = lf.curves_figure(
        epochs, train, val, names, best, stopped, lang, marked=marked, slots=slots,
        log_epochs=bool(st.session_state.get("log_epochs", True)),
    )  # fmt: skip
    beside = split.classes == 0  # (a fit beside the curves; boundaries under them)
    if snap is None:
        show(curves, None, beside)
        return
    prediction, shown = snap.prediction.copy(), list(names)
    if job.summary is not None:  # after it stopped, an early-stopping variant is its best model
        late = (stopped > 0) & (snap.epoch > stopped)
        prediction[late] = job.summary.prediction[late]
        for v in np.flatnonzero(late):  # (the title's epoch is not the one of its weights)
            shown[v] = t("lab_kept_weights", lang, name=names[v], epoch=int(best[v]))
    grid = training.prediction_grid(split)
    parts = {"train": split.train, "val": split.val, "test": split.test}
    if beside:
        fig = lf.fit_figure(
            split.x, split.y, parts, grid, prediction, shown, snap.epoch, lang, truth, slots
        )
    else:
        fig = lf.boundary_figure(split.x, split.y, parts, grid, prediction, shown, snap.epoch, lang)
    show(curves, fig, beside)


def show(curves, fit, beside: bool) -> None:
    """The curves and the fit (None: not yet), side by side, or the fit (a 2-D task's decision
    boundaries, a panel a variant) under curves as wide as the page: in half of it, with the
    other half empty, a projector's curves were 100 px high."""
    if beside:
        shown = [(curves, "lab_curves"), (fit, "lab_fit") if fit is not None else None]
        charts.side_by_side(shown, [0.5, 0.5], tallest=UNDER_TRAIN)
        return
    charts.chart(curves, "lab_curves", shared=False, tallest=UNDER_TRAIN)
    if fit is not None:
        charts.chart(fit, "lab_fit", shared=False)


def slider_then_drawing():
    """Where the replay slider and the drawing go: the slider over the curves, or under them on
    a projector, where Train, the progress bar and the curves fill the screen."""
    first, second = st.container(), st.container()
    return (second, first) if frame.presenting() else (first, second)


def training_live(job: Job) -> None:
    """The live redraw: the replay slider as it will be, at the latest fit and disabled until
    the run ends (so nothing moves when it ends), then the drawing."""
    snaps = [r.epoch for r in job.records if r.prediction is not None] or [0, 1]
    slider_at, drawing_at = slider_then_drawing()
    slider_at.select_slider(
        t("lab_replay", lang),
        snaps if len(snaps) > 1 else [*snaps, snaps[0] + 1],
        snaps[-1],  # (no key: a key would keep the first value it showed)
        disabled=True,
        help=t("lab_replay_help", lang),
    )
    with drawing_at:
        draw(job)


def finished(job: Job) -> None:
    """A finished (or stopped) run: a replay slider, its drawing, results and script.

    Stopped or not, the run has the fit of its last epoch, where the replay starts (the epoch
    of its curves and results), and fits spread over the epochs it trained to replay
    (training.snapshot_due).
    """
    snaps = [r.epoch for r in job.records if r.prediction is not None]
    which = None
    slider_at, drawing_at = slider_then_drawing()
    if len(snaps) > 1:
        pick = slider_at.select_slider(
            t("lab_replay", lang),
            snaps,
            value=snaps[-1],
            key="replay",
            help=t("lab_replay_help", lang),
        )
        which = snaps.index(pick)
    if job.records:
        with drawing_at:
            draw(job, which)
    if job.summary is not None:
        results(job)


def restored(variants) -> str:
    """ " Early stopping's row: the best weights it restored." where a variant stops early."""
    return " " + t("results_note_es", lang) if any(v.early_stopping for v in variants) else ""


def results(job: Job) -> None:
    split, config, _ = trained(job)
    s = job.summary
    rows = {
        "variant": names_of(config),
        "best epoch": s.best_epoch,
        # (whole numbers in the CSV, a blank where it did not stop: not "26.0")
        "stopped at": pd.array([e if e > 0 else None for e in s.stopped_at], dtype="Int64"),
    }
    for k, values in s.final.items():
        rows[k] = values
    rows["weights"] = [s.weights] * len(config.variants)
    table = pd.DataFrame(rows)
    table.columns = [t(f"lab_col_{c.replace(' ', '_')}", lang) for c in table.columns]
    st.subheader(t("lab_results", lang))
    widgets.table(widgets.display_table(table))
    last = job.records[-1].epoch if job.records else config.epochs  # (a stopped run: its last)
    st.caption(t("lab_results_note", lang, epoch=last) + restored(config.variants))
    widgets.results_csv(table, "lab_results.csv", "dl_lab", lang)
    by_name = {v.name: v for v in config.variants}

    def script(name: str) -> str | None:  # (None for a dropout variant: see lab_script)
        return scripts.lab_script(split, config, by_name[name])

    script.runs = list(by_name)
    script.label = lambda name: t(f"lab_variant_{name}", lang)
    widgets.show_code(script, "lab.py", "code_lab", help_key="lab_code_help")


workers.lab_workers()  # start (and warm) the worker processes the first time the lab is opened
frame.heading(t("lab_title", lang), t("lab_intro", lang), lang)
with widgets.guarded(lang):
    source, config = lab_controls.controls(lang)
    if source is None:
        uploads.upload_awaited("lab_csv", "lab_upload_prompt", lang)
        st.stop()
    split, notes = compute.lab_split(source)
    for note in notes:
        st.info(t(note.key, lang, **note.kwargs), icon=":material/info:")

    def start(pool, job: Job, pace: float, cap: float):
        run = (split, config, job.inbox, job.stop, 0.2, None, pace, cap)
        return pool.submit(training.train_to_queue, *run)

    tester = range_test.place()  # (before Train; on a projector, at the page's end)
    press = t("lab_press_train", lang)
    ids = ("train_btn", "stop_btn", "slow")
    cost = budget.lab(
        len(split.train),
        len(split.val) + len(split.test),
        split.x.shape[1],
        split.classes or 1,
        config,
    )
    job = panel.buttons("_lab_job", (source, config), start, ids, press, lang, cost)
    st.toggle(  # (shown before a run too: a widget left out of a rerun loses its value)
        t("lab_log_epochs", lang),
        True,
        key="log_epochs",
        help=t("lab_log_epochs_help", lang),
        bind="query-params",
    )

    def data_chart() -> None:  # the data first: what the networks will learn from
        truth = isinstance(source, data.TaskConfig) and source.task == "sine"
        parts = {"train": split.train, "val": split.val, "test": split.test}
        figure = compute.figure(lf.data_figure, split.x, split.y, parts, split.classes, lang, truth)
        charts.chart(figure, "lab_data")  # (built once per data and shared: every rerun shows it)

    if job is None:
        data_chart()
    elif not job.done:
        panel.live("_lab_job", training_live, lang, waiting=data_chart)
    else:
        finished(job)
    shown = (job.key[1] if job is not None else config).variants
    panel.what_to_notice(job, lang, lambda: panel.notice("lab", shown, lang))
    range_test.panel("lab", source, split, config, "lab_lr", lang, tester)

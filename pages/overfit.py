"""Overfitting lab: train small torch MLPs live, a baseline against dropout, early stopping and
weight decay, on the same split from the same initial weights.

Training runs in a worker process (a small pool per server, so it gets its own core and never
competes with the page for Python's GIL); a fragment collects what it has sent every 0.5 s and
redraws, and the page and its controls stay usable. Stop ends it after the current epoch.
"""

import charts
import compute
import frame
import pandas as pd
import streamlit as st
import training_panel as panel
import widgets
import workers

from playground import data, scripts, training
from playground.figures import lab as lf
from playground.i18n import t
from playground.optimizers import OPTIMIZERS
from playground.training import TrainConfig, Variant

lang = frame.language()
Q = {"bind": "query-params"}


Job = workers.TrainingJob


def csv_controls() -> tuple | None:
    """The uploaded table and its columns: (raw bytes, feature names, target name)."""
    upload = st.file_uploader(
        t("ls_upload", lang), type=["csv", "txt"], key="lab_csv", help=t("lab_csv_help", lang)
    )
    if upload is None:
        st.info(t("ls_upload_prompt", lang))
        return None
    raw = upload.getvalue()
    cols = list(compute.csv_table(raw).columns)
    features = st.multiselect(
        t("lab_features", lang), cols, default=cols[:1], max_selections=2, key="lab_features"
    )
    target = st.selectbox(t("lab_target", lang), cols, index=len(cols) - 1, key="lab_target")
    return raw, tuple(features), target


def controls() -> tuple[object, TrainConfig]:
    with st.sidebar:
        st.header(t("lab_data", lang))
        task = frame.choice(
            st.selectbox,
            t("lab_task", lang),
            (*data.TASKS, "csv"),
            "task",
            "sine",
            format_func=lambda k: t(f"lab_task_{k}", lang),
            help=t("lab_task_help", lang),
        )
        table = csv_controls() if task == "csv" else None
        n = st.number_input(
            t("lab_n", lang),
            12,
            5000,
            40 if task == "sine" else 200,
            10,
            key="lab_n",
            disabled=task == "csv",
            help=t("lab_n_help", lang, low=12, high=5000),
            **Q,
        )
        noise = st.number_input(
            t("lab_noise", lang),
            0.0,
            2.0,
            0.3 if task == "sine" else 0.15,
            0.05,
            key="lab_noise",
            disabled=task == "csv",
            **Q,
        )
        flip = st.number_input(
            t("lab_flip", lang),
            0.0,
            0.5,
            0.05,
            0.01,
            key="lab_flip",
            disabled=task in ("sine", "csv"),
            **Q,
        )
        c1, c2 = st.columns(2)
        val = c1.number_input(t("lab_val", lang), 0.05, 0.6, 0.25, 0.05, key="lab_val", **Q)
        test = c2.number_input(t("lab_test", lang), 0.05, 0.6, 0.25, 0.05, key="lab_test", **Q)
        seed = st.number_input(
            t("seed", lang), 0, 2**31 - 1, 0, key="lab_seed", help=t("seed_help", lang), **Q
        )
        st.header(t("lab_model", lang))
        c1, c2 = st.columns(2)
        depth = c1.number_input(
            t("lab_depth", lang),
            1,
            training.MAX_DEPTH,
            2,
            key="depth",
            help=t("range_help", lang, low=1, high=training.MAX_DEPTH),
            **Q,
        )
        width = c2.number_input(
            t("lab_width", lang),
            1,
            training.MAX_WIDTH,
            64,
            8,
            key="width",
            help=t("range_help", lang, low=1, high=training.MAX_WIDTH),
            **Q,
        )
        act = frame.choice(
            st.radio,
            t("lab_activation", lang),
            list(training.ACTIVATIONS),
            "act",
            "relu",
            horizontal=True,
        )
        opt = frame.choice(
            st.selectbox,
            t("lab_optimizer", lang),
            training.LAB_OPTIMIZERS,
            "opt",
            "adam",
            format_func=lambda k: OPTIMIZERS[k].label,
        )
        c1, c2 = st.columns(2)
        lr = c1.number_input(t("lr", lang), 1e-5, 10.0, 1e-2, format="%g", key="lab_lr", **Q)
        epochs = c2.number_input(
            t("lab_epochs", lang),
            10,
            training.MAX_EPOCHS,
            2000,
            100,
            key="epochs",
            help=t("lab_epochs_help", lang, high=training.MAX_EPOCHS),
            **Q,
        )
        batch = st.number_input(
            t("lab_batch", lang),
            0,
            5000,
            0,
            8,
            key="batch_size",
            help=t("lab_batch_help", lang),
            **Q,
        )
    if task == "csv":
        source = None if table is None else ("csv", *table, float(val), float(test), int(seed))
    else:
        source = data.TaskConfig(
            task, int(n), float(noise), float(flip), float(val), float(test), int(seed)
        )
    st.subheader(t("lab_variants", lang))
    c = st.columns(5)
    use = [
        c[i].toggle(t(f"lab_variant_{name}", lang), name != "combined", key=f"use_{name}", **Q)
        for i, name in enumerate(
            ("baseline", "dropout", "early_stopping", "weight_decay", "combined")
        )
    ]
    p = c[1].number_input(
        t("lab_p", lang), 0.0, 0.95, 0.5, 0.05, key="p", help=t("lab_p_help", lang), **Q
    )
    patience = c[2].number_input(
        t("lab_patience", lang), 1, 1000, 10, key="patience", help=t("lab_patience_help", lang), **Q
    )
    min_delta = c[2].number_input(
        t("lab_min_delta", lang), 0.0, 1.0, 0.0, 0.001, format="%g", key="min_delta", **Q
    )
    wd = c[3].number_input(
        t("lab_wd", lang), 0.0, 10.0, 1e-2, format="%g", key="wd", help=t("lab_wd_help", lang), **Q
    )
    c[4].caption(t("lab_combined_help", lang))
    with_p = c[4].checkbox(t("lab_variant_dropout", lang), True, key="combo_dropout", **Q)
    with_wd = c[4].checkbox(t("lab_variant_weight_decay", lang), True, key="combo_wd", **Q)
    with_es = c[4].checkbox(t("lab_variant_early_stopping", lang), True, key="combo_es", **Q)
    all_variants = (
        Variant("baseline"),
        Variant("dropout", dropout=p),
        Variant("early_stopping", early_stopping=True),
        Variant("weight_decay", weight_decay=wd),
        Variant(
            "combined",
            dropout=p if with_p else 0.0,
            weight_decay=wd if with_wd else 0.0,
            early_stopping=with_es,
        ),
    )
    variants = tuple(v for v, on in zip(all_variants, use, strict=True) if on)
    config = TrainConfig(
        int(depth),
        int(width),
        act,
        opt,
        float(lr),
        int(epochs),
        int(batch),
        int(patience),
        float(min_delta),
        int(seed),
        variants=variants,
    )
    return source, config


def names_of(config: TrainConfig) -> list[str]:
    return [t(f"lab_variant_{v.name}", lang) for v in config.variants]


def trained(job: Job) -> tuple[data.Split, TrainConfig, bool]:
    """What a job trained: its split, its config, and whether to draw the true sine.

    Always the job's own settings (``job.key``), never the widgets' current ones.
    """
    source, config = job.key
    truth = isinstance(source, data.TaskConfig) and source.task == "sine"
    return compute.lab_split(source)[0], config, truth


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
        ),
    )
    epochs, train, val, best, stopped = training.curves(records, job.summary)
    left, right = st.columns(2)
    charts.chart(
        lf.curves_figure(epochs, train, val, names, best, stopped, lang),
        "lab_curves",
        left,
        shared=False,
    )
    snaps = [r for r in records if r.prediction is not None]
    if not snaps:
        return
    snap = snaps[-1] if epoch_index is None else snaps[min(epoch_index, len(snaps) - 1)]
    prediction = snap.prediction.copy()
    if job.summary is not None:  # after it stopped, an early-stopping variant is its best model
        late = (stopped > 0) & (snap.epoch > stopped)
        prediction[late] = job.summary.prediction[late]
    grid = training.prediction_grid(split)
    parts = {"train": split.train, "val": split.val, "test": split.test}
    if split.classes == 0:
        fig = lf.fit_figure(
            split.x, split.y, parts, grid, prediction, names, snap.epoch, lang, truth
        )
        charts.chart(fig, "lab_fit", right, shared=False)
    else:
        fig = lf.boundary_figure(
            split.x, split.y, parts, grid, snap.prediction, names, snap.epoch, lang
        )
        charts.chart(fig, "lab_fit", shared=False)


def finished(job: Job) -> None:
    """A finished (or stopped) run: a replay slider, its drawing, results and script."""
    snaps = [r.epoch for r in job.records if r.prediction is not None]
    which = None
    if len(snaps) > 1:
        pick = st.select_slider(
            t("lab_replay", lang),
            snaps,
            value=snaps[-1],
            key="replay",
            help=t("lab_replay_help", lang),
        )
        which = snaps.index(pick)
    if job.records:
        draw(job, which)
    if job.summary is not None:
        results(job)


def results(job: Job) -> None:
    split, config, _ = trained(job)
    s = job.summary
    rows = {
        "variant": names_of(config),
        "best epoch": s.best_epoch,
        "stopped at": [e if e > 0 else None for e in s.stopped_at],
    }
    for k, values in s.final.items():
        rows[k] = values
    rows["weights"] = [s.weights] * len(config.variants)
    table = pd.DataFrame(rows)
    table.columns = [t(f"lab_col_{c.replace(' ', '_')}", lang) for c in table.columns]
    st.subheader(t("lab_results", lang))
    widgets.table(widgets.display_table(table))
    st.caption(t("lab_results_note", lang))
    widgets.results_csv(table, "lab_results.csv", "dl_lab", lang)
    plain = [v for v in config.variants if not v.dropout]
    script = scripts.lab_script(split, config, plain[0]) if plain else None
    widgets.show_code(script, "lab.py", "code_lab")


workers.lab_workers()  # start (and warm) the worker processes the first time the lab is opened
st.title(t("lab_title", lang))
st.markdown(t("lab_intro", lang))
with widgets.guarded(lang):
    source, config = controls()
    if source is None:
        st.stop()
    split, notes = compute.lab_split(source)
    for note in notes:
        st.info(t(note.key, lang, **note.kwargs), icon=":material/info:")

    def start(pool, job: Job) -> None:
        pool.submit(training.train_to_queue, split, config, job.inbox, job.stop)

    press = t("lab_press_train", lang)
    job = panel.buttons("_lab_job", (source, config), start, ("train_btn", "stop_btn"), press, lang)
    if job is not None and not job.done:
        panel.live("_lab_job", draw, lang)
    elif job is not None:
        finished(job)
    with st.expander(t("notice", lang), expanded=job is not None and job.done):
        st.markdown(t("lab_notice", lang))

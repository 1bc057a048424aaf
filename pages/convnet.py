"""Inside a small ConvNet: handwritten digits trained live, a baseline against dropout, early
stopping and weight decay, then the kernels, feature maps, mistakes and a robustness test.

Training runs in the overfitting lab's worker processes with the lab's queue protocol; a
fragment redraws the progress every 0.5 s while the page stays usable.
"""

from contextlib import nullcontext

import bound
import charts
import compute
import convnet_controls as net_controls
import frame
import numpy as np
import pandas as pd
import range_test
import streamlit as st
import training_panel as panel
import widgets
import workers

from playground import budget, convnet, digits, scripts_digits, training
from playground.convnet import NetConfig
from playground.figures import digits as df
from playground.figures import export
from playground.i18n import t

lang = frame.language()
Q = {"bind": "query-params"}


def names_of(config: NetConfig) -> list[str]:
    return [t(f"lab_variant_{v.name}", lang) for v in config.variants]


def shapes_table(size: int, config: NetConfig) -> None:
    rows = convnet.layer_shapes(size, config)
    table = pd.DataFrame(
        {
            t("digits_col_layer", lang): [name for name, _, _ in rows],
            # (the name as the script has it, and what it is in the reader's language)
            t("digits_col_kind", lang): [
                t(f"layer_kind_{name.rstrip('0123456789')}", lang) for name, _, _ in rows
            ],
            t("digits_col_shape", lang): [" × ".join(map(str, shape)) for _, shape, _ in rows],
            t("digits_col_params", lang): [f"{n:,}" for _, _, n in rows],
        }
    )
    if frame.presenting():  # (a projector's narrow column: the names and numbers only)
        table = table.drop(columns=t("digits_col_kind", lang))
    widgets.table(table)
    total = sum(n for _, _, n in rows)
    st.caption(t("digits_shapes_note", lang, total=f"{total:,}"))


def curves(job: workers.TrainingJob, config: NetConfig) -> None:
    """Progress, and the error-rate and loss curves (as far as the job got)."""
    records = list(job.records)
    last = records[-1]
    st.progress(
        min(1.0, last.epoch / config.epochs),
        text=t(
            "digits_progress",
            lang,
            epoch=last.epoch,
            epochs=config.epochs,
            train=f"{1 - last.train_acc[0]:.1%}",
            val=f"{1 - last.val_acc[0]:.1%}",
            loss=f"{last.val_loss[0]:.3g}",
        )
        + panel.eta_now(last, config.schedule, lang),
    )
    epochs, train, val, best, stopped = training.curves(records, job.summary, "error")
    _, train_loss, val_loss, _, _ = training.curves(records, job.summary, "loss")
    losses, names = (train_loss, val_loss), names_of(config)
    slots = training.slots(config.variants)  # (a variant's colour, whichever are on)
    fig = df.curves_figure(epochs, (train, val), losses, names, best, stopped, lang, slots)
    charts.chart(fig, "net_curves", shared=False, tallest=export.PRESENTER_UNDER_TRAIN)


def kernels(job: workers.TrainingJob, config: NetConfig, v: int, key: str) -> None:
    snaps = [r for r in job.records if r.kernels is not None]
    if not snaps:
        return
    fig = df.kernels_figure(
        np.stack([r.kernels[v] for r in snaps]),
        [r.epoch for r in snaps],
        names_of(config)[v],
        lang,
    )
    charts.chart(fig, key, shared=False)


def pick_variant(config: NetConfig) -> int:
    names = names_of(config)
    return bound.choice(
        st.segmented_control,
        t("digits_variant", lang),
        list(range(len(names))),
        "net_show",
        0,
        format_func=lambda i: names[i],
        required=True,  # (clicking the chosen variant again keeps it)
        help=t("digits_variant_help", lang),
    )


def inside(data: digits.Digits, config: NetConfig, summary: convnet.NetSummary, v: int) -> None:
    """After training: one test digit through variant ``v``, moved by sliders; its mistakes."""
    names = names_of(config)
    st.subheader(t("digits_inside", lang))
    model = convnet.build(data.size, config, summary.states[v], v)
    c = st.columns(4)
    index = c[0].number_input(
        t("digits_index", lang),
        0,
        len(data.test) - 1,
        0,
        key="net_digit",
        help=t("digits_index_help", lang, n=len(data.test)),
        **Q,
    )
    dx = c[1].slider(
        t("digits_dx", lang), -digits.MAX_SHIFT, digits.MAX_SHIFT, 0, key="net_dx", **Q
    )
    dy = c[2].slider(
        t("digits_dy", lang), -digits.MAX_SHIFT, digits.MAX_SHIFT, 0, key="net_dy", **Q
    )
    angle = c[3].slider(
        t("digits_angle", lang),
        -int(digits.MAX_ANGLE),
        int(digits.MAX_ANGLE),
        0,
        5,
        key="net_angle",
        **Q,
    )
    i = int(data.test[int(index)])
    image = digits.move(data.images[i, 0], int(dx), int(dy), float(angle))  # (S, S)
    probs, maps1, maps2 = convnet.inspect(model, image)
    probabilities = df.probabilities_figure(probs, int(data.labels[i]), lang)
    maps = df.maps_figure(image, maps1, maps2, lang)
    charts.side_by_side([(probabilities, "net_probs"), (maps, "net_maps")], [0.4, 0.6])
    st.caption(t("digits_robust_note", lang))

    st.subheader(t("digits_mistakes", lang))
    true = data.labels[data.test]
    pred = summary.test_pred[v]
    wrong = np.nonzero(pred != true)[0]
    wide = 0.5 if frame.presenting() else 0.4  # (a projector: its numbers as large as can be)
    confusion = df.confusion_figure(summary.confusion[v], names[v], lang)
    mistakes = None
    if len(wrong):
        images = data.images[data.test[wrong], 0]
        mistakes = (df.misclassified_figure(images, true[wrong], pred[wrong], lang), "net_wrong")
    _, right = charts.side_by_side([(confusion, "net_confusion"), mistakes], [wide, 1 - wide])
    if mistakes is None:
        right.success(t("digits_no_mistakes", lang))


def code(source: digits.DigitsConfig, data: digits.Digits, config: NetConfig) -> None:
    """ "Show the code": the trained run's variant the student picks, as a plain PyTorch loop."""
    by_name = {v.name: v for v in config.variants}

    def script(name: str) -> str | None:  # (None for a dropout variant: see convnet_script)
        return scripts_digits.convnet_script(source, data, config, by_name[name])

    script.runs = list(by_name)
    script.label = lambda name: t(f"lab_variant_{name}", lang)
    widgets.show_code(script, "convnet.py", "code_net", help_key="digits_code_help")


def live(job: workers.TrainingJob) -> None:
    """The running job's curves and first-layer kernels, from its own settings."""
    curves(job, job.key[1])
    kernels(job, job.key[1], 0, "net_kernels_live")


def results(config: NetConfig, summary: convnet.NetSummary, epoch: int) -> None:
    """The results table of the networks as trained to ``epoch`` (a stopped run's last)."""
    s = summary
    rows = {
        "variant": names_of(config),
        "best epoch": s.best_epoch,
        # (whole numbers in the CSV, a blank where it did not stop: not "26.0")
        "stopped at": pd.array([e if e > 0 else None for e in s.stopped_at], dtype="Int64"),
        "train error": 1 - s.final["train_acc"],
        "val error": 1 - s.final["val_acc"],
        "test error": 1 - s.final["test_acc"],
        "train loss": s.final["train_loss"],
        "val loss": s.final["val_loss"],
        "gap": s.final["gap"],  # validation − training loss (the few_digits lesson asks)
    }
    table = pd.DataFrame(rows)
    shown = widgets.display_table(table)
    for col in ("train error", "val error", "test error"):  # as the curves and progress say
        shown[col] = [f"{v:.1%}" for v in table[col]]
    table["weights"] = s.weights  # (the same for every variant: said under the table)
    shown.columns = [t(f"digits_col_{c.replace(' ', '_')}", lang) for c in shown.columns]
    table.columns = [t(f"digits_col_{c.replace(' ', '_')}", lang) for c in table.columns]
    st.subheader(t("lab_results", lang))
    widgets.table(shown)
    weights = t("digits_weights_note", lang, weights=f"{s.weights:,}")
    es = " " + t("results_note_es", lang) if any(v.early_stopping for v in config.variants) else ""
    st.caption(f"{t('digits_results_note', lang, epoch=epoch)}{es} {weights}")
    widgets.results_csv(table, "convnet_results.csv", "dl_net", lang)


def run_shown(job: workers.TrainingJob, data_config, data: digits.Digits) -> None:
    """The session's run on this data: live curves, or its curves, results and insides."""
    if not job.done:
        panel.live("_net_job", live, lang)
    elif job.records:
        curves(job, job.key[1])
        if job.summary is not None:
            trained = job.key[1]
            results(trained, job.summary, job.records[-1].epoch)
            code(data_config, data, trained)
            v = min(pick_variant(trained), len(trained.variants) - 1)
            kernels(job, trained, v, "net_kernels")
            inside(data, trained, job.summary, v)


workers.lab_workers()  # the lab's worker processes train here too
frame.heading(t("digits_title", lang), t("digits_intro", lang), lang)
with widgets.guarded(lang):
    data_config, config = net_controls.controls(lang)
    data = compute.digits(data_config)

    def start(pool, job: workers.TrainingJob, pace: float, cap: float):
        run = (data, config, job.inbox, job.stop, 0.05, convnet.train, pace, cap)
        return pool.submit(training.train_to_queue, *run)

    tester = range_test.place()  # (before Train; on a projector, at the page's end)
    press = t("digits_press_train", lang)
    ids = ("net_train_btn", "net_stop_btn", "net_slow")
    held_out = len(data.val) + len(data.test)
    cost = budget.convnet(data.size, len(data.train), held_out, config)
    job = panel.buttons("_net_job", (data_config, config), start, ids, press, lang, cost)
    # (on a projector, a run's curves come right under Train, the data and network under them)
    trained_at = st.container() if frame.presenting() and job is not None else nullcontext()
    with st.expander(t("digits_data_and_net", lang), expanded=job is None):
        left, right = st.columns([3, 2])
        with left:
            st.markdown(
                t(
                    "digits_split",
                    lang,
                    train=f"{len(data.train):,}",
                    val=f"{len(data.val):,}",
                    test=f"{len(data.test):,}",
                    size=t(
                        "digits_size_original"
                        if data.size == digits.ORIGINAL
                        else "digits_size_upscaled",
                        lang,
                        size=data.size,
                    ),
                )
            )
            sample = data.train[:16]
            fig = df.samples_figure(data.images[sample, 0], data.labels[sample], lang)
            charts.chart(fig, "net_samples", shared=False, share=0.6)  # (its column: 3 of 5)
        with right:
            st.markdown(f"**{t('digits_network', lang)}**")
            shapes_table(data.size, config)

    if job is not None and job.key[0] == data_config:
        with trained_at:
            run_shown(job, data_config, data)
    shown = (job.key[1] if job is not None else config).variants
    panel.what_to_notice(job, lang, lambda: panel.notice("digits", shown, lang, ("kernels",)))
    range_test.panel("convnet", data_config, data, config, "net_lr", lang, tester)

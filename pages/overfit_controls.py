"""The overfitting lab's controls: the data (a task, or an uploaded table), the network and
its training, and the variants (a baseline and its cures) to train side by side.

Every widget is keyed and bound to the URL; ``controls`` returns what they say as a data
source and a ``TrainConfig``.
"""

import bound
import compute
import frame
import schedule_controls
import streamlit as st
import uploads
import widgets

from playground import data, training
from playground.i18n import t
from playground.training import TrainConfig, Variant

Q = {"bind": "query-params"}


def csv_controls(lang: str) -> tuple | None:
    """The uploaded table and its columns: (raw bytes, feature names, target name)."""
    upload = uploads.csv_upload("lab_csv", t("lab_csv_help", lang), lang, check=_usable)
    if upload is None:
        return None
    raw = upload.getvalue()
    table = compute.csv_table(raw)
    cols = list(table.columns)
    chosen, goal = data.lab_columns(table)  # (a first guess; a 0/1 column: the classes)
    uploads.column_choice("lab_features", upload, cols, list(chosen))
    uploads.column_choice("lab_target", upload, cols, goal)
    features = st.multiselect(
        t("lab_features", lang),
        cols,
        max_selections=2,
        key="lab_features",
        placeholder=t("choose_options", lang),
    )
    target = st.selectbox(t("lab_target", lang), cols, key="lab_target")
    uploads.say_left_out(table, lang)
    st.caption(t("lab_csv_rows", lang, n=f"{len(table):,}", most=f"{data.MAX_LAB_ROWS:,}"))
    return raw, tuple(features), target


def _usable(raw: bytes) -> None:
    """Refuse a file the lab cannot read, or whose first guess of columns cannot be split."""
    data.check_lab_table(compute.csv_table(raw))


def controls(lang: str) -> tuple[object, TrainConfig]:
    """The lab's settings: the data (None until a CSV is uploaded) and the training config."""
    with st.sidebar:
        source, seed = data_controls(lang)
        model = model_controls(lang)
    return source, TrainConfig(**model, **variant_controls(lang), seed=seed)


TASK_DEFAULTED = ("lab_n", "lab_noise")  # settings whose default is the task's own


def _task_defaults(task: str) -> None:
    """A new task starts from its own points and noise (as a new surface of the race does).

    They kept the last task's (the sine's 40 points and σ 0.3 under Two moons), which the
    link left out as the sine's defaults: a copied link opened on the moons' 200 points and
    σ 0.15, other data and other numbers, with no word of it. A look at an uploaded table
    (no generator's settings) and back to the same task keeps them.
    """
    if task == "csv":
        return
    shown = st.session_state.get("_lab_task_shown")
    st.session_state["_lab_task_shown"] = task
    if shown is None or shown == task:
        return
    for key in TASK_DEFAULTED:
        st.session_state.pop(key, None)
        if key in st.query_params:
            del st.query_params[key]


def data_controls(lang: str) -> tuple[object, int]:
    """The task and its split (a TaskConfig), an uploaded table's, or None while none is; and
    the seed (of the split, and of the training)."""
    st.header(t("lab_data", lang))
    task = bound.choice(
        st.selectbox,
        t("lab_task", lang),
        (*data.TASKS, "csv"),
        "task",
        "sine",
        format_func=lambda k: t(f"lab_task_{k}", lang),
        help=t("lab_task_help", lang),
    )
    table = csv_controls(lang) if task == "csv" else None
    _task_defaults(task)
    if task != "csv":  # (a file's own points: no generator's settings, greyed at its numbers)
        n, noise, flip = generated_controls(task, lang)
    c1, c2 = st.columns(2)
    val = c1.number_input(t("lab_val", lang), 0.05, 0.6, 0.25, 0.05, key="lab_val", **Q)
    test = c2.number_input(t("lab_test", lang), 0.05, 0.6, 0.25, 0.05, key="lab_test", **Q)
    seed = st.number_input(
        t("seed", lang), 0, 2**31 - 1, 0, key="lab_seed", help=t("seed_help", lang), **Q
    )
    if task == "csv":
        csv = None if table is None else ("csv", *table, float(val), float(test), int(seed))
        return csv, int(seed)
    split = (float(val), float(test), int(seed))
    return data.TaskConfig(task, int(n), float(noise), float(flip), *split), int(seed)


def generated_controls(task: str, lang: str) -> tuple[float, float, float]:
    """A generated task's points, noise and flipped labels (the last greyed for the sine)."""
    n = st.number_input(
        t("lab_n", lang),
        12,
        5000,
        40 if task == "sine" else 200,
        10,
        key="lab_n",
        persist_state="session",  # (kept while a table is looked at)
        help=widgets.costly(t("lab_n_help", lang, low=12, high=5000), lang),
        **Q,
    )
    noise = st.number_input(
        t("lab_noise", lang),
        0.0,
        2.0,
        0.3 if task == "sine" else 0.15,
        0.05,
        key="lab_noise",
        persist_state="session",  # (kept while a table is looked at)
        **Q,
    )
    flip = st.number_input(
        t("lab_flip", lang),
        0.0,
        0.5,
        0.05,
        0.01,
        key="lab_flip",
        persist_state="session",  # (kept while a table is looked at)
        disabled=task == "sine",
        **Q,
    )
    return n, noise, flip


def model_controls(lang: str) -> dict[str, object]:
    """The network and its training: TrainConfig's settings but the variants."""
    st.header(t("lab_model", lang))
    c1, c2 = st.columns(2)
    depth = bound.count(c1, t("lab_depth", lang), 1, training.MAX_DEPTH, 2, "depth", lang)
    width = bound.count(c2, t("lab_width", lang), 1, training.MAX_WIDTH, 64, "width", lang, 8)
    act = bound.choice(
        st.radio,
        t("lab_activation", lang),
        list(training.ACTIVATIONS),
        "act",
        "relu",
        horizontal=True,
    )
    opt = bound.lab_optimizer("opt", lang)
    c1, c2 = st.columns(2)
    lr = c1.number_input(
        t("lr", lang), 1e-5, 10.0, format="%g", key="lab_lr", **bound.initial("lab_lr", 1e-2), **Q
    )  # (its value may come from the range test's "Use η")
    epochs = c2.number_input(
        t("lab_epochs", lang),
        10,
        training.MAX_EPOCHS,
        2000,
        100,
        key="epochs",
        help=widgets.costly(t("lab_epochs_help", lang, high=training.MAX_EPOCHS), lang),
        **Q,
    )
    batch = st.number_input(
        t("lab_batch", lang),
        0,
        5000,
        0,
        8,
        key="batch_size",
        help=widgets.costly(t("lab_batch_help", lang), lang),
        **Q,
    )
    return {
        "depth": int(depth),
        "width": int(width),
        "activation": act,
        "optimizer": opt,
        "lr": float(lr),
        "epochs": int(epochs),
        "batch_size": int(batch),
        "schedule": schedule_controls.picker("lab", lang, float(lr), int(epochs), per_epoch=True),
    }


COMBO_KEYS = ("combo_dropout", "combo_wd", "combo_es")  # the cures the combined variant takes


def variant_controls(lang: str) -> dict[str, object]:
    """The variants to train side by side, and early stopping's patience and min_delta."""
    c = frame.section(t("lab_variants", lang)).columns(5)
    # (on a projector the combination's note is its toggle's help: four lines of large text
    # pushed Train below the first screen)
    note = t("lab_combined_help", lang) if frame.presenting() else None
    names = ("baseline", "dropout", "early_stopping", "weight_decay", "combined")
    use = [
        c[i].toggle(
            t(f"lab_variant_{name}", lang),
            name != "combined",
            key=f"use_{name}",
            help=note if name == "combined" else None,
            **Q,
        )
        for i, name in enumerate(names)
    ]
    # a cure's setting is greyed out while no variant on uses it (its value is kept)
    combined = use[4]
    in_combined = {k: combined and st.session_state.get(k, True) for k in COMBO_KEYS}
    off = {
        "p": not (use[1] or in_combined["combo_dropout"]),
        "es": not (use[2] or in_combined["combo_es"]),
        "wd": not (use[3] or in_combined["combo_wd"]),
    }
    p = c[1].number_input(
        t("lab_p", lang), 0.0, 0.95, 0.5, 0.05, key="p", help=t("lab_p_help", lang),
        disabled=off["p"], **Q,
    )  # fmt: skip
    patience = c[2].number_input(
        t("lab_patience", lang), 1, 1000, 10, key="patience", help=t("lab_patience_help", lang),
        disabled=off["es"], **Q,
    )  # fmt: skip
    min_delta = c[2].number_input(
        t("lab_min_delta", lang), 0.0, 1.0, 0.0, 0.001, format="%g", key="min_delta",
        disabled=off["es"], **Q,
    )  # fmt: skip
    wd = c[3].number_input(
        t("lab_wd", lang), 0.0, 10.0, 1e-2, format="%g", key="wd", help=t("lab_wd_help", lang),
        disabled=off["wd"], **Q,
    )  # fmt: skip
    if note is None:
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
    return {
        "variants": tuple(v for v, on in zip(all_variants, use, strict=True) if on),
        "patience": int(patience),
        "min_delta": float(min_delta),
    }

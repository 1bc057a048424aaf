"""The landscape view's controls: the data and the model (sidebar), the runs (a row each), and
the slice to draw them on. Every widget is keyed and bound to the URL."""

import bound
import frame
import streamlit as st
import widgets

from playground import data, digits, landscape_runs
from playground.i18n import t
from playground.landscape_runs import LandscapeConfig, Run
from playground.landscape_slices import PlaneConfig
from playground.optimizers import RunSpec, display_name
from playground.training import ACTIVATIONS, LAB_OPTIMIZERS

Q = {"bind": "query-params"}
SOURCES = (*data.TASKS, "digits")
SPARE_RUN = Run(RunSpec("momentum", (("lr", 0.025),)))  # the fifth row, off by default


def controls(lang: str) -> tuple[object, LandscapeConfig]:
    """The sidebar's data and model, and the rows of runs → (source, config)."""
    with st.sidebar:
        source = data_controls(lang)
        model = model_controls(lang, isinstance(source, digits.DigitsConfig))
    runs = run_controls(lang)
    return source, LandscapeConfig(**model, runs=runs, seed=source.seed)


def data_controls(lang: str):
    """The lab's tasks (the same data and seeds) or the ConvNet's digits."""
    st.header(t("lab_data", lang))
    task = bound.choice(
        st.selectbox,
        t("ll_task", lang),
        SOURCES,
        "ll_task",
        "moons",
        format_func=lambda k: t(f"ll_task_{k}", lang),
        on_change=_suit_epochs,
    )
    seed = st.number_input(
        t("seed", lang), 0, 2**31 - 1, 0, key="ll_seed", help=t("seed_help", lang), **Q
    )
    if task == "digits":
        st.caption(t("ll_digits_note", lang))
        return digits.DigitsConfig(
            scale=1, fraction=landscape_runs.DEFAULT_DIGITS.fraction, seed=int(seed)
        )
    base = landscape_runs.DEFAULT_TASK
    n = bound.count(st, t("lab_n", lang), 12, 1000, base.n, "ll_n", lang)
    noise = st.number_input(
        t("lab_noise", lang),
        0.0,
        2.0,
        base.noise,
        0.05,
        key="ll_noise",
        help=t("ll_noise_help", lang),
        **Q,
    )
    return data.TaskConfig(
        task, int(n), float(noise), base.label_noise, base.val, base.test, int(seed)
    )


DIGITS_EPOCHS = 60  # a LeNet's sharpness costs ~15 passes: 400 epochs would take ~1.5 min


def _suit_epochs() -> None:
    """Choosing the digits (or leaving them) moves the epochs between the two views' defaults,
    unless the student changed them."""
    digits_now = st.session_state.get("ll_task") == "digits"
    epochs = st.session_state.get("ll_epochs", LandscapeConfig.epochs)
    if digits_now and epochs == LandscapeConfig.epochs:
        st.session_state["ll_epochs"] = DIGITS_EPOCHS
    elif not digits_now and epochs == DIGITS_EPOCHS:
        st.session_state["ll_epochs"] = LandscapeConfig.epochs


def model_controls(lang: str, lenet: bool) -> dict[str, object]:
    """The network and what it minimises (a LeNet on the digits), and how long it trains."""
    st.header(t("lab_model", lang))
    model: dict[str, object] = {"model": "lenet" if lenet else "mlp"}
    if lenet:
        st.caption(t("ll_lenet_note", lang))
    else:
        c1, c2 = st.columns(2)
        model["depth"] = int(
            bound.count(c1, t("lab_depth", lang), 1, landscape_runs.MAX_DEPTH, 2, "ll_depth", lang)
        )
        model["width"] = int(
            bound.count(c2, t("lab_width", lang), 2, landscape_runs.MAX_WIDTH, 64, "ll_width", lang)
        )
        model["activation"] = bound.choice(
            st.selectbox, t("lab_activation", lang), list(ACTIVATIONS), "ll_act", "tanh"
        )
    model["loss"] = bound.choice(
        st.radio,
        t("ll_loss", lang),
        landscape_runs.LOSSES,
        "ll_loss",
        "mse",
        horizontal=True,
        format_func=lambda k: t(f"ll_loss_{k}", lang),
        help=t("ll_loss_help", lang),
    )
    model["epochs"] = int(
        st.number_input(
            t("lab_epochs", lang),
            1,
            landscape_runs.MAX_EPOCHS,
            LandscapeConfig.epochs,
            key="ll_epochs",
            help=widgets.costly(t("ll_epochs_help", lang, high=landscape_runs.MAX_EPOCHS), lang),
            **Q,
        )
    )
    model["sharpness_every"] = int(
        st.number_input(
            t("ll_every", lang),
            0,
            100,
            1,
            key="ll_every",
            help=widgets.costly(t("ll_every_help", lang), lang),
            **Q,
        )
    )
    return model


def run_controls(lang: str) -> tuple[Run, ...]:
    """One row per run: on, optimizer, learning rate, batch size, weight decay, dropout."""
    defaults = [*landscape_runs.DEFAULT_RUNS, SPARE_RUN]
    runs = []
    # (closed on a projector: the table pushed Train below the first screen; the legends name
    # each run's optimizer and rate)
    with st.expander(t("ll_runs", lang), expanded=not frame.presenting()):
        widths = [0.6, 1.4, 1.4, 1.1, 1.1, 1.1]
        head = st.columns(widths)
        for col, key in zip(
            head,
            ("ll_col_on", "lab_optimizer", "lr", "ll_col_batch", "lab_wd", "lab_p"),
            strict=True,
        ):
            col.caption(t(key, lang))
        for i, default in enumerate(defaults):
            runs.extend(_run_row(i, default, i < len(landscape_runs.DEFAULT_RUNS), widths, lang))
    if not runs:
        st.info(t("ll_no_runs", lang))
        st.stop()
    return tuple(runs)


def _run_row(i: int, default: Run, on: bool, widths, lang: str) -> list[Run]:
    c = st.columns(widths, vertical_alignment="center")

    def label(key: str) -> str:  # (hidden, but what a screen reader says: which run's box)
        return t("ll_run_field", lang, n=i + 1, field=t(key, lang))

    use = c[0].toggle(str(i + 1), on, key=f"ll_r{i}_on", **Q)
    opt = bound.choice(
        c[1].selectbox,
        label("lab_optimizer"),
        LAB_OPTIMIZERS,
        f"ll_r{i}_opt",
        default.spec.optimizer,
        label_visibility="collapsed",
        format_func=lambda k: display_name(k, lang),
    )
    lr = c[2].number_input(
        label("lr"), 1e-5, 10.0, default.lr, format="%g", key=f"ll_r{i}_lr",
        label_visibility="collapsed", **Q,
    )  # fmt: skip
    batch = c[3].number_input(
        label("ll_col_batch"), 0, 5000, default.batch_size, key=f"ll_r{i}_batch",
        label_visibility="collapsed", help=t("ll_batch_help", lang), **Q,
    )  # fmt: skip
    wd = c[4].number_input(
        label("lab_wd"), 0.0, 1.0, 0.0, format="%g", key=f"ll_r{i}_wd",
        label_visibility="collapsed", **Q,
    )  # fmt: skip
    drop = c[5].number_input(
        label("lab_p"), 0.0, 0.9, default.dropout, 0.05, key=f"ll_r{i}_drop",
        label_visibility="collapsed", **Q,
    )  # fmt: skip
    if not use:
        return []
    values = {"lr": float(lr), "weight_decay": float(wd)}  # (0 too: AdamW's own default is 1e-2)
    spec = RunSpec(opt, tuple(values.items()))
    return [Run(spec, int(batch), float(drop))]


def run_names(config: LandscapeConfig, lang: str) -> list[str]:
    """A run's name for people: its number, optimizer and learning rate, and what differs."""
    names = []
    for i, run in enumerate(config.runs):
        parts = [f"{i + 1}. {display_name(run.spec.optimizer, lang)} η={run.lr:g}"]
        if run.batch_size:
            parts.append(t("ll_name_batch", lang, n=run.batch_size))
        wd = run.spec.settings.get("weight_decay", 0.0)
        if wd:
            parts.append(t("ll_name_wd", lang, wd=f"{wd:g}"))
        if run.dropout:
            parts.append(t("ll_name_dropout", lang, p=f"{run.dropout:g}"))
        names.append(" · ".join(parts))
    return names


def plane_controls(names: list[str], lang: str) -> PlaneConfig:
    """Which slice to draw the trained runs on (no training needed to change it)."""
    if frame.presenting():  # (the resolution is hidden there: its empty column cut the slices)
        c1, c2, c3 = st.columns([4.4, 1.6, 1.6])
        c4 = c3
    else:
        c1, c2, c3, c4 = st.columns([3.2, 1.5, 1.5, 1.1])
    kind = bound.choice(
        c1.segmented_control,
        t("ll_plane", lang),
        landscape_runs.PLANES,
        "ll_plane",
        "pca",
        format_func=lambda k: t(f"ll_plane_{k}", lang),
        help=t("ll_plane_help", lang),
    )
    runs = list(range(len(names)))
    center = bound.choice(
        c2.selectbox, t("ll_center", lang), runs, "ll_center", 0, format_func=lambda r: names[r]
    )
    other = bound.choice(
        c3.selectbox,
        t("ll_other", lang),
        runs,
        "ll_other",
        min(1, len(runs) - 1),
        format_func=lambda r: names[r],
        disabled=kind != "line",
    )
    res = c4.number_input(
        t("ll_res", lang),
        5,
        landscape_runs.MAX_RESOLUTION,
        31,
        2,
        key="ll_res",
        help=widgets.costly(t("ll_res_help", lang), lang),
        **Q,
    )
    return PlaneConfig(kind, int(center), int(other), int(res))

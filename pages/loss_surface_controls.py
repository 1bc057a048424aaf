"""The loss-surface view's controls: the data (the classic points, a noisy line, a CSV) and
the gradient descent's row (loss, learning rate, steps, start, batch). Keyed, bound to the URL.
"""

import bound
import compute
import frame
import guided
import numpy as np
import schedule_controls
import streamlit as st
import uploads

from playground import data, runs
from playground.i18n import UserError, t

Q = {"bind": "query-params"}  # every setting lives in the URL
# Window and start bounds: wide enough for data far from the origin (Unix times: b ≈ −1.7e6).
WINDOW = 1e15
DEFAULT_LR = 0.05


def data_controls(lang: str) -> tuple[data.Dataset | None, data.DataConfig | None]:
    """Sidebar: choose and build the data set; also its config (None for a CSV)."""
    with st.sidebar:
        st.header(t("ls_data", lang))
        source = bound.choice(
            st.radio,
            t("ls_source", lang),
            data.SOURCES,
            "source",
            "classic",
            format_func=lambda s: t(f"ls_source_{s}", lang),
            help=t("ls_source_help", lang),
        )
        if source == "csv":
            return csv_controls(lang), None
        if source == "noisy":
            c1, c2 = st.columns(2)
            w = c1.number_input(t("ls_true_w", lang), -100.0, 100.0, 0.1, 0.1, key="true_w", **Q)
            b = c2.number_input(t("ls_true_b", lang), -100.0, 100.0, 0.2, 0.1, key="true_b", **Q)
            sigma = st.number_input(
                t("ls_sigma", lang),
                0.0,
                100.0,
                0.01,
                0.01,
                key="sigma",
                format="%.3f",
                help=t("ls_sigma_help", lang),
                **Q,
            )
            n = st.number_input(
                t("ls_n", lang),
                2,
                data.MAX_ROWS,
                100,
                100,
                key="n",
                help=t("ls_n_help", lang, high=data.MAX_ROWS),
                **Q,
            )
            seed = st.number_input(
                t("seed", lang), 0, 2**31 - 1, 0, key="data_seed", help=t("seed_help", lang), **Q
            )
            config = data.DataConfig("noisy", w, b, sigma, int(n), int(seed))
        else:
            config = data.DataConfig("classic")
        return compute.dataset(config), config


def usable(raw: bytes) -> None:
    """Raise the UserError of a file the view cannot draw with its first two columns, which a
    new file opens on (one that parsed but kept a single complete row was kept, and blanked
    the view)."""
    cols = list(compute.csv_table(raw).columns)
    compute.csv_dataset(raw, cols[0], cols[min(1, len(cols) - 1)])


def csv_controls(lang: str) -> data.Dataset | None:
    upload = uploads.csv_upload(
        "csv_file",
        t("ls_upload_help", lang, rows=data.MAX_ROWS, mb=data.MAX_UPLOAD_BYTES // 2**20),
        lang,
        check=usable,
    )
    if upload is None:
        return None
    raw = upload.getvalue()
    table = compute.csv_table(raw)
    cols = list(table.columns)
    uploads.column_choice("x_col", upload, cols, cols[0])  # (a new file: its first two)
    uploads.column_choice("y_col", upload, cols, cols[min(1, len(cols) - 1)])
    x_col = st.selectbox(t("ls_x_col", lang), cols, key="x_col")
    y_col = st.selectbox(t("ls_y_col", lang), cols, key="y_col")
    uploads.say_left_out(table, lang)
    if x_col == y_col:
        raise UserError("err_same_columns")
    return compute.csv_dataset(raw, x_col, y_col)


def suit_learning_rate(x, lr_bound: float, config, lang: str) -> None:
    """New uploaded data on which the learning rate would diverge at once: set it to one that
    suits the data (runs.suggested_lr) and say so. Built-in data and links keep theirs: the
    lesson on a learning rate too large needs its own."""
    key = (len(x), float(x.min()), float(x.max()), float(np.sum(x)))
    if st.session_state.get("_lr_data") == key:
        return
    st.session_state["_lr_data"] = key
    lr = float(st.session_state.get("lr", DEFAULT_LR))
    chosen = st.session_state.pop(SUITED, None)  # (the rate this set for the last file)
    if chosen is not None and lr == chosen:  # untouched since: the next file gets its own,
        lr = DEFAULT_LR  # as if it had come first (a file that needed 1e-7 left it to the next)
        if config is not None or lr < lr_bound:
            _set_lr(lr)
            return
    if config is not None or lr < lr_bound:  # (``config`` is None for an upload)
        return
    _set_lr(runs.suggested_lr(lr_bound, DEFAULT_LR))
    st.session_state[SUITED] = st.session_state["lr"]
    st.toast(
        t("ls_lr_suited", lang, lr=f"{st.session_state['lr']:g}", bound=f"{lr_bound:.3g}"),
        icon=":material/tune:",
    )


SUITED = "_lr_suited"  # the learning rate suit_learning_rate chose, while the box keeps it


def _set_lr(lr: float) -> None:
    if st.session_state.get("lr") != lr:
        st.session_state["lr"] = lr
        st.session_state["_lr_suited_now"] = True  # (the box shows it: no other value for it)


def _lr_value() -> dict[str, float]:
    """The learning rate's ``value=``: its default (a link holds it when it differs), or none
    when suit_learning_rate has just set it (Streamlit warns of a widget given both).

    A box the run before did not draw (no file uploaded yet: ``HIDDEN``) showed its minimum,
    1e-12, when it came back, while the descent still used the value Streamlit had kept; the
    next change then sent 1e-12. That value is dropped, so the box and the descent start
    from the same default (or from the rate suited to the new file).
    """
    if st.session_state.pop("_lr_suited_now", False):
        st.session_state.pop(HIDDEN, None)
        return {}
    if st.session_state.pop(HIDDEN, False):
        st.session_state.pop("lr", None)
    return {"value": DEFAULT_LR}


HIDDEN = "_descent_hidden"  # set by the view when it stopped before the descent's boxes


def descent_controls(lang: str, lr_bound: float) -> runs.DescentConfig:
    """The descent's loss, learning rate, steps, start and batch, in one row (on a projector,
    without k and the seed, hidden there: their empty columns squeezed the others, "Learning
    rate η" and its bound on four lines)."""
    c = st.columns([1, 1.7, 1, 1, 1, 1.6] if frame.presenting() else [1, 1.2, 1, 1, 1, 1.4, 1, 1])
    c += [c[5]] * (8 - len(c))  # (k and the seed under the batch, where they are hidden)
    loss = bound.choice(
        c[0].radio,
        t("ls_loss", lang),
        ("mse", "mae"),
        "loss",
        "mse",
        format_func=lambda s: s.upper(),
        help=t("ls_loss_help", lang),
    )
    lr = c[1].number_input(
        t("lr", lang),
        runs.MIN_LR,
        runs.MAX_LR,
        step=0.01,
        key="lr",
        **_lr_value(),
        format="%g",
        help=t("ls_lr_help", lang, high=runs.MAX_LR),
        **Q,
    )
    if not guided.in_lesson():  # (in a lesson, the bound would give the answer away)
        c[1].caption(t("ls_lr_bound", lang, bound=f"{lr_bound:.4g}"))
    steps = c[2].number_input(
        t("steps", lang),
        1,
        runs.MAX_STEPS,
        100,
        10,
        key="steps",
        help=t("steps_help", lang, high=runs.MAX_STEPS),
        **Q,
    )
    w0 = c[3].number_input(t("ls_w0", lang), -WINDOW, WINDOW, 0.0, 0.5, key="w0", **Q)
    b0 = c[4].number_input(t("ls_b0", lang), -WINDOW, WINDOW, 0.0, 0.5, key="b0", **Q)
    batch = bound.choice(
        c[5].radio,
        t("ls_batch", lang),
        ("full", "mini", "sgd"),
        "batch",
        "full",
        format_func=lambda s: t(f"ls_batch_{s}", lang),
        help=t("ls_batch_help", lang),
    )
    k = c[6].number_input(
        t("ls_k", lang),
        1,
        data.MAX_ROWS,
        8,
        1,
        key="k",
        disabled=batch != "mini",
        help=t("ls_k_help", lang),
        **Q,
    )
    seed = c[7].number_input(
        t("seed", lang),
        0,
        2**31 - 1,
        0,
        key="gd_seed",
        disabled=batch == "full",
        help=t("seed_help", lang),
        **Q,
    )
    size = {"full": 0, "mini": int(k), "sgd": 1}[batch]
    schedule = schedule_controls.picker("gd", lang, float(lr), int(steps))
    return runs.DescentConfig(
        loss, float(lr), int(steps), float(w0), float(b0), size, int(seed), schedule
    )

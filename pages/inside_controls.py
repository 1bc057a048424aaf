"""Inside the network's controls: the features, the layers (added and removed with buttons),
and the training settings. The drawn points: inside_data.py."""

import bound
import frame
import streamlit as st
import widgets
from inside_data import on_regression

from playground import inside, links
from playground.i18n import t
from playground.inside import NetSpec
from playground.optimizers import RunSpec, display_name
from playground.training import LAB_OPTIMIZERS

Q = {"bind": "query-params"}
# ---------------------------------------------------------------- the network


DEFAULT_HIDDEN = "4, 2"


def hidden_layers(lang: str) -> tuple[list[int], list[str]]:
    """The hidden layers: their sizes (a text in the sidebar and the link, "4, 2"; the buttons
    under the picture change it) and each one's activation (a select per layer)."""
    linked = st.query_params.get("in_hidden")
    if (
        "in_hidden" not in st.session_state
        and linked is not None
        and inside.parse_hidden(linked) is None
    ):
        # a link's unusable layers are named, and not passed on: out of the URL, and the run
        # starts again (the box reads the URL as the run started)
        st.session_state["_in_hidden_rejected"] = linked[:40]
        frame.restart_without("in_hidden")
    rejected = st.session_state.get("_in_hidden_rejected")  # (popped at the end of inside.py)
    if rejected is not None:
        st.warning(
            t(
                "err_in_hidden_link",
                lang,
                text=frame.inert(rejected),
                default=DEFAULT_HIDDEN,
                layers=inside.MAX_LAYERS,
                neurons=inside.MAX_NEURONS,
            ),
            icon=":material/link_off:",
        )
    text = st.sidebar.text_input(
        t("in_hidden", lang),
        DEFAULT_HIDDEN,
        key="in_hidden",
        help=t("in_hidden_help", lang),
        placeholder=t("in_hidden_none", lang),  # (empty: no hidden layer, said in the box)
        **Q,
    )
    hidden = inside.parse_hidden(text)
    if hidden is None:  # (typed: the box keeps the text to correct; what is wrong, then the rule)
        key, said = _what_is_wrong(text)
        rule = t(
            "err_in_size_typed",
            lang,
            layers=inside.MAX_LAYERS,
            neurons=inside.MAX_NEURONS,
            default=DEFAULT_HIDDEN,
        )
        st.sidebar.warning(t(key, lang, **said) + " " + rule)
        hidden = inside.parse_hidden(DEFAULT_HIDDEN)
    return hidden, [_activation(k) for k in range(len(hidden))]


def _what_is_wrong(text: str) -> tuple[str, dict[str, object]]:
    """Of hidden layers ``text`` that ``inside.parse_hidden`` refuses: the catalogue key saying
    what in it is wrong (a word that is no whole number, a layer's size, too many layers), and
    its values."""
    words = inside.size_words(text)
    for word in words:
        try:
            size = int(word)
        except ValueError:
            return "err_in_size_word", {"word": frame.inert(links.shortened(word, 12))}
        if not 1 <= size <= inside.MAX_NEURONS:
            return "err_in_size_neurons", {"n": size, "neurons": inside.MAX_NEURONS}
    return "err_in_size_layers", {"n": len(words), "layers": inside.MAX_LAYERS}


def _activation(k: int) -> str:
    """Layer k's activation: its select's, or the link's before the select is drawn."""
    key = f"in_act_{k}"
    if key in st.session_state:
        return st.session_state[key]
    wanted = st.query_params.get(key)
    return wanted if wanted in inside.ACTIVATIONS else "tanh"


def _set_hidden(hidden: list[int]) -> None:
    st.session_state["in_hidden"] = ", ".join(map(str, hidden))


def layer_buttons(hidden: list[int], lang: str, disabled: bool) -> None:
    """Under the picture: add or remove a layer, and per layer its neurons and activation."""
    cols = st.columns(len(hidden) + 1)
    with cols[0]:
        st.caption(t("in_layers", lang, n=len(hidden)))
        add, remove = st.columns(2)
        add.button(
            "＋",
            key="in_add_layer",
            help=t("in_add_layer", lang),
            disabled=disabled or len(hidden) >= inside.MAX_LAYERS,
            on_click=_set_hidden,
            args=([*hidden, 4],),
        )
        remove.button(
            "－",
            key="in_remove_layer",
            help=t("in_remove_layer", lang),
            disabled=disabled or not hidden,
            on_click=_set_hidden,
            args=(hidden[:-1],),
        )
    for k, n in enumerate(hidden):
        with cols[k + 1]:
            st.caption(t("in_layer_neurons", lang, k=k + 1, n=n))
            more, fewer = st.columns(2)
            more.button(
                "＋",
                key=f"in_more_{k}",
                help=t("in_more", lang),
                disabled=disabled or n >= inside.MAX_NEURONS,
                on_click=_set_hidden,
                args=([*hidden[:k], n + 1, *hidden[k + 1 :]],),
            )
            fewer.button(
                "－",
                key=f"in_fewer_{k}",
                help=t("in_fewer", lang),
                disabled=disabled or n <= 1,
                on_click=_set_hidden,
                args=([*hidden[:k], n - 1, *hidden[k + 1 :]],),
            )
            bound.choice(
                st.selectbox,
                t("in_activation", lang),
                list(inside.ACTIVATIONS),
                f"in_act_{k}",
                "tanh",
                label_visibility="collapsed",
                disabled=disabled,
                format_func=lambda a: t(f"in_act_{a}", lang),
            )


def spec(lang: str) -> tuple[NetSpec, int]:
    """The sidebar's features and training settings, and the layers → (spec, epochs per Train)."""
    hidden, acts = hidden_layers(lang)
    with st.sidebar:
        regression, features = _features(lang)
        st.header(t("lab_model", lang))
        init = bound.choice(
            st.selectbox,
            t("in_init", lang),
            list(inside.INITS),
            "in_init",
            "xavier",
            format_func=lambda k: t(f"in_init_{k}", lang),
            help=t("in_init_help", lang),
        )
        c1, c2 = st.columns(2)
        penalty = bound.choice(
            c1.selectbox,
            t("in_penalty", lang),
            inside.PENALTIES,
            "in_penalty",
            "none",
            format_func=lambda k: t(f"in_penalty_{k}", lang),
        )
        lam = c2.number_input("λ", 0.0, 10.0, 1e-3, format="%g", key="in_lam", **Q)
        dropout = st.number_input(t("lab_p", lang), 0.0, 0.9, 0.0, 0.05, key="in_dropout", **Q)
        run, batch, epochs, seed = _training(lang)
    net = NetSpec(
        features,
        tuple(hidden),
        tuple(acts),
        init,
        penalty,
        float(lam),
        float(dropout),
        run,
        batch,
        regression,
        seed,
    )
    return net, epochs


def _features(lang: str) -> tuple[bool, tuple[str, ...]]:
    """The task (regression or classes) and the input features ticked (x₁ if none)."""
    st.header(t("in_features", lang))
    regression = st.toggle(
        t("in_regression", lang),
        False,
        key="in_regression",
        help=t("in_regression_help", lang),
        on_change=on_regression,
        **Q,
    )
    cols = st.columns(3)
    features = tuple(
        f
        for i, f in enumerate(inside.FEATURES)
        if cols[i % 3].checkbox(inside.FEATURE_LABELS[f], f in ("x1", "x2"), key=f"in_f_{f}", **Q)
    )
    if not features:
        st.warning(t("in_no_features", lang))
        features = ("x1",)
    return bool(regression), features


def _training(lang: str) -> tuple[RunSpec, int, int, int]:
    """The optimizer and its rate, the batch size, the epochs per Train and the seed."""
    opt = bound.choice(
        st.selectbox,
        t("lab_optimizer", lang),
        LAB_OPTIMIZERS,
        "in_opt",
        "adam",
        format_func=lambda k: display_name(k, lang),
    )
    c1, c2 = st.columns(2)
    lr = c1.number_input(t("lr", lang), 1e-5, 10.0, 0.03, format="%g", key="in_lr", **Q)
    batch = c2.number_input(t("ll_col_batch", lang), 0, 1000, 25, key="in_batch", **Q)
    epochs = st.number_input(
        t("in_epochs", lang),
        1,
        inside.MAX_EPOCHS,
        300,
        key="in_epochs",
        help=widgets.costly(t("in_epochs_help", lang), lang),
        **Q,
    )
    seed = st.number_input(
        t("seed", lang), 0, 2**31 - 1, 0, key="in_seed", help=t("seed_help", lang), **Q
    )
    return RunSpec(opt, (("lr", float(lr)),)), int(batch), int(epochs), int(seed)

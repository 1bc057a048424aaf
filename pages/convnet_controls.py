"""The ConvNet view's controls: the digits (size, fraction, split), the LeNet and its
training, and the variants to train side by side. Every widget is keyed and bound to the URL.
"""

import bound
import frame
import schedule_controls
import streamlit as st
import widgets

from playground import convnet, digits
from playground.convnet import NetConfig
from playground.digits import DigitsConfig
from playground.i18n import t
from playground.training import Variant

Q = {"bind": "query-params"}
VARIANTS = ("baseline", "dropout", "early_stopping", "weight_decay")


def controls(lang: str) -> tuple[DigitsConfig, NetConfig]:
    """The sidebar's data and model settings and the row of variants → the two configs."""
    with st.sidebar:
        data_config = data_controls(lang)
        model = model_controls(lang)
    net_config = NetConfig(**model, **variant_controls(lang), seed=data_config.seed)
    return data_config, net_config


def data_controls(lang: str) -> DigitsConfig:
    """The images: their size, how many train, and the split."""
    st.header(t("lab_data", lang))
    scale = bound.choice(
        st.radio,
        t("digits_scale", lang),
        digits.SCALES,
        "net_scale",
        2,
        horizontal=True,
        format_func=lambda s: f"{8 * s}×{8 * s}",
        help=widgets.costly(t("digits_scale_help", lang), lang),
    )
    fraction = st.slider(
        t("digits_fraction", lang),
        0.02,
        1.0,
        1.0,
        0.01,
        key="net_fraction",
        help=t("digits_fraction_help", lang, low=digits.MIN_TRAIN),
        **Q,
    )
    c1, c2 = st.columns(2)
    val = c1.number_input(t("lab_val", lang), 0.05, 0.4, 0.2, 0.05, key="net_val", **Q)
    test = c2.number_input(t("lab_test", lang), 0.05, 0.4, 0.2, 0.05, key="net_test", **Q)
    seed = st.number_input(
        t("seed", lang), 0, 2**31 - 1, 0, key="net_seed", help=t("seed_help", lang), **Q
    )
    return DigitsConfig(int(scale), float(fraction), float(val), float(test), int(seed))


def model_controls(lang: str) -> dict[str, object]:
    """The LeNet's sizes and its training: NetConfig's settings but the variants."""
    st.header(t("lab_model", lang))
    c1, c2, c3 = st.columns(3)
    ch1 = bound.count(c1, t("digits_c1", lang), 1, convnet.MAX_CHANNELS1, 6, "net_c1", lang)
    ch2 = bound.count(c2, t("digits_c2", lang), 1, convnet.MAX_CHANNELS2, 16, "net_c2", lang)
    hidden = bound.count(
        c3, t("digits_hidden", lang), 4, convnet.MAX_HIDDEN, 64, "net_hidden", lang, 8
    )
    opt = bound.lab_optimizer("net_opt", lang)
    c1, c2 = st.columns(2)
    lr = c1.number_input(
        t("lr", lang), 1e-5, 10.0, format="%g", key="net_lr", **bound.initial("net_lr", 2e-3), **Q
    )  # (its value may come from the range test's "Use η")
    epochs = c2.number_input(
        t("lab_epochs", lang),
        1,
        convnet.MAX_EPOCHS,
        30,
        key="net_epochs",
        help=widgets.costly(t("lab_epochs_help", lang, high=convnet.MAX_EPOCHS), lang),
        **Q,
    )
    batch = st.number_input(t("digits_batch", lang), 1, 2048, 32, 8, key="net_batch", **Q)
    return {
        "channels1": int(ch1),
        "channels2": int(ch2),
        "hidden": int(hidden),
        "optimizer": opt,
        "lr": float(lr),
        "epochs": int(epochs),
        "batch_size": int(batch),
        "schedule": schedule_controls.picker("net", lang, float(lr), int(epochs), per_epoch=True),
    }


def variant_controls(lang: str) -> dict[str, object]:
    """The variants to train side by side, and early stopping's patience and restore."""
    c = frame.section(t("lab_variants", lang)).columns(4)
    use = [
        c[i].toggle(t(f"lab_variant_{name}", lang), True, key=f"net_use_{name}", **Q)
        for i, name in enumerate(VARIANTS)
    ]
    # (a cure's setting is greyed out while its variant is off; its value is kept)
    p = c[1].number_input(
        t("lab_p", lang), 0.0, 0.95, 0.5, 0.05, key="net_p", help=t("digits_p_help", lang),
        disabled=not use[1], **Q,
    )  # fmt: skip
    patience = c[2].number_input(
        t("lab_patience", lang), 1, 100, 5, key="net_patience",
        help=t("digits_patience_help", lang), disabled=not use[2], **Q,
    )  # fmt: skip
    restore = c[2].checkbox(
        t("digits_restore", lang), True, key="net_restore", help=t("digits_restore_help", lang),
        disabled=not use[2], **Q,
    )  # fmt: skip
    wd = c[3].number_input(
        t("lab_wd", lang), 0.0, 1.0, 1e-3, format="%g", key="net_wd",
        help=t("lab_wd_help", lang), disabled=not use[3], **Q,
    )  # fmt: skip
    all_variants = (
        Variant("baseline"),
        Variant("dropout", dropout=p),
        Variant("early_stopping", early_stopping=True),
        Variant("weight_decay", weight_decay=wd),
    )
    all_variants = (
        Variant("baseline"),
        Variant("dropout", dropout=p),
        Variant("early_stopping", early_stopping=True),
        Variant("weight_decay", weight_decay=wd),
    )
    return {
        "variants": tuple(v for v, on in zip(all_variants, use, strict=True) if on),
        "patience": int(patience),
        "restore_best": bool(restore),
    }

"""What Inside the network says in words and tables: the progress line, the layers' names,
the weights' table, a record's row in the session's history."""

from __future__ import annotations

from contextlib import suppress

import compute
import numpy as np
import pandas as pd
import streamlit as st

from playground import inside
from playground.i18n import UserError, t
from playground.inside import NetSpec


def row(record: inside.Record) -> tuple[int, float, float, float, float]:
    """A record in the session's history: epoch, losses and accuracies."""
    r = record
    return (r.epoch, r.train_loss, r.test_loss, r.train_acc, r.test_acc)


def progress(history: list, lang: str, now: tuple | None) -> str:
    """The epoch, and where there is one its losses (and accuracies, for classes): those of
    the weights on screen (``now``: points, spec and weights, when not training), which a
    weight set by hand has changed since the last epoch."""
    if not history:
        return t("in_epoch_now", lang, epoch=st.session_state.get("_in_epoch", 0))
    epoch, train, test, train_acc, test_acc = history[-1]
    if now is not None and now[2] is not None:
        with suppress(UserError):  # (too few points left to split: the last epoch's numbers)
            r = compute.inside_evaluate(*now)
            train, test, train_acc, test_acc = r.train_loss, r.test_loss, r.train_acc, r.test_acc
    text = t("in_progress", lang, epoch=int(epoch), train=f"{train:.3g}", test=f"{test:.3g}")
    if np.isfinite(train_acc) and np.isfinite(test_acc):
        text += t("in_progress_acc", lang, train=f"{train_acc:.0%}", test=f"{test_acc:.0%}")
    return text


def weights_table(weights: list[np.ndarray], spec: NetSpec, lang: str) -> pd.DataFrame:
    """Every weight: its layer, the neuron it leaves and the one it enters (from 1), its value."""
    rows = [
        {
            "from_layer": layer_name(k, spec, lang),
            "from": j + 1,
            "to_layer": layer_name(k + 1, spec, lang),
            "to": i + 1,
            "weight": float(w[i, j]),
        }
        for k, w in enumerate(weights)
        for i in range(w.shape[0])
        for j in range(w.shape[1])
    ]
    return pd.DataFrame(rows)


def layer_name(k: int, spec: NetSpec, lang: str) -> str:
    if k == 0:
        return t("in_layer_inputs", lang)
    if k == len(spec.sizes) - 1:
        return t("in_layer_output", lang)
    return t("in_layer_hidden", lang, k=k)

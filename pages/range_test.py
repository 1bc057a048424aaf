"""The learning-rate range test panel the overfitting lab and the ConvNet share: run it, see the
loss against η, and take its suggestion into the view's learning rate with one click."""

import dataclasses

import charts
import frame
import streamlit as st
import widgets
import workers

from playground import jobs
from playground.figures import lab as lf
from playground.i18n import t


def place():
    """Where the range test goes: a container here (above Train), or None on a projector, where
    Train and its charts come first and the test goes at the page's end."""
    return None if frame.presenting() else st.container()


def panel(kind: str, source, data, config, lr_key: str, lang: str, where=None) -> None:
    """An expander with the range test of the view's model, data and optimizer (``kind``:
    "lab" or "convnet"; ``source`` the settings that made ``data``, the lab's split or the
    ConvNet's digits); "Use η = …" sets the widget ``lr_key``. ``where``: its ``place()``
    (None: here, at the page's end on a projector)."""
    with (st.container() if where is None else where).expander(
        t("rt_expander", lang), icon=":material/speed:"
    ):
        st.markdown(t("rt_intro", lang))
        key = ("_range_test", kind, source, _tested(config))
        if st.button(t("rt_run", lang), key=f"rt_run_{kind}", icon=":material/play_arrow:"):
            with widgets.guarded(lang), st.spinner(t("rt_busy", lang)):
                result = workers.offload(jobs.range_test, kind, data, config)
                st.session_state[f"_rt_{kind}"] = (key, result)
        stored = st.session_state.get(f"_rt_{kind}")
        if stored is None or stored[0] != key:
            return
        result = stored[1]
        fig = lf.range_test_figure(
            result.lrs, result.losses, result.smoothed, result.suggestion, result.minimum, lang
        )
        charts.chart(fig, f"rt_fig_{kind}", shared=False)
        suggestion = float(f"{result.suggestion:.2g}")
        st.caption(t("rt_note", lang, lr=f"{suggestion:g}", minimum=f"{result.minimum:.2g}"))
        st.button(
            t("rt_use", lang, lr=f"{suggestion:g}"),
            key=f"rt_use_{kind}",
            on_click=_use,
            args=(lr_key, suggestion),
        )
        if st.session_state.get(lr_key) == suggestion:  # said until η is changed again
            st.success(t("rt_used", lang, lr=f"{suggestion:g}"), icon=":material/check:")


SWEPT = ("lr", "epochs", "schedule")  # what the range test does not depend on


def _tested(config):
    """The settings the range test depends on: ``config`` with its η, epochs and schedule at
    their defaults, so "Use η" (or a longer run) keeps the test's answer on screen."""
    defaults = {f.name: f.default for f in dataclasses.fields(config) if f.name in SWEPT}
    return dataclasses.replace(config, **defaults)


def _use(lr_key: str, value: float) -> None:
    st.session_state[lr_key] = value

"""Widgets bound to the link: a view's settings live in its URL, so a link opens it as it was.

``choice`` (a selectbox, radio or select slider whose parameter is the option's registry key,
whatever the language), ``count`` (a whole number, its range in its help), ``initial`` (a
value unless the URL or a callback set one), and the session's language, which a choice's
labels follow. Streamlit's own ``bind="query-params"`` binds the other widgets.
"""

from __future__ import annotations

import streamlit as st

from playground.i18n import DEFAULT_LANGUAGE, LANGUAGES, t


def browser_language() -> str:
    """The language the browser asks for, if the catalogue has it (else English)."""
    locale = (st.context.locale or "").lower()
    return next((code for code in LANGUAGES if locale.startswith(code)), DEFAULT_LANGUAGE)


def language() -> str:
    """The language of this session: the sidebar's switch, which starts from the link or
    the browser's locale."""
    lang = st.session_state.get("lang") or st.query_params.get("lang") or browser_language()
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def choice(widget, label: str, options, key: str, default, keep: bool = False, **kwargs):
    """A selectbox/radio/select_slider whose URL parameter is the option itself.

    Streamlit's own binding puts the *formatted label* in the URL, which would change with the
    language; here the link holds the registry key (``surface=rosenbrock``), and an unknown value
    in a link falls back to the default. ``keep`` keeps the parameter in the URL even at its
    default (the language: a shared link opens in the language it was made in).
    """
    options = list(options)
    kwargs.setdefault("persist_state", "session")  # kept while not drawn (see save_settings)
    relabelled = key != "lang" and _relabelled(key)
    if key not in st.session_state:
        wanted = st.query_params.get(key)
        matches = [o for o in options if str(o) == wanted]
        st.session_state[key] = matches[0] if matches else default
    elif relabelled:
        # The browser keeps a choice as its label ("Two moons"): after a change of language
        # it sent that label back, which matched no option any more, and the view fell back to
        # its first option (sine instead of moons, after the next click). Setting the value
        # from here makes Streamlit send the option again, under its new label.
        st.session_state[key] = st.session_state[key]
    if st.session_state[key] is None and default is None:  # no default of its own: the first
        st.session_state[key] = options[0]
    value = widget(label, options, key=key, **kwargs)
    if value is None:  # a segmented control can be cleared: fall back to the default
        value = default if default is not None else options[0]
    if value == default and not keep:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = str(value)
    return value


def _relabelled(key: str) -> bool:
    """Whether the language changed since the choice ``key`` was last drawn (then noted)."""
    drawn_in = st.session_state.setdefault("_choice_langs", {})
    now = language()
    changed = drawn_in.get(key, now) != now
    drawn_in[key] = now
    return changed


def initial(key: str, value: object, name: str = "value") -> dict[str, object]:
    """``value=`` (or ``index=``) for a widget unless a callback or the URL already set its state.

    (Passing both a value and a session-state value makes Streamlit warn.)
    """
    return {} if key in st.session_state else {name: value}


def count(where, label: str, low: int, high: int, default: int, key: str, lang: str, step=1):
    """A whole number between ``low`` and ``high``, bound to the URL, its range in its help."""
    return where.number_input(
        label,
        low,
        high,
        default,
        step,
        key=key,
        help=t("range_help", lang, low=low, high=high),
        bind="query-params",
    )


def lab_optimizer(key: str, lang: str) -> str:
    """The optimizer a trained network (the lab's, the ConvNet's) uses, by registry name."""
    from playground.optimizers import OPTIMIZERS
    from playground.training import LAB_OPTIMIZERS

    return choice(
        st.selectbox,
        t("lab_optimizer", lang),
        LAB_OPTIMIZERS,
        key,
        "adam",
        format_func=lambda k: OPTIMIZERS[k].label,
    )

"""The notice of a link's settings that a view could not use: what each became, and the
names the view has no setting of (with the view's names that look like them)."""

from __future__ import annotations

import streamlit as st
from frame import code_span, drawn_keys

from playground import links
from playground.i18n import t


def say(where, link: dict[str, list[str]], lang: str) -> None:
    """Say which of a link's settings could not be used (the defaults were used instead)."""
    if not link:
        return
    in_use = {k: st.session_state[k] for k in link if k in st.session_state}
    bad = links.rejected(link, in_use)
    if bad:
        # what the link said → what the view uses instead; then names it has no setting of
        replaced = [(n, v) for n, v in bad if n in in_use]
        unknown = [(n, v) for n, v in bad if n not in in_use]
        said = []
        semicolon, comma = t("list_semicolon", lang), t("list_sep", lang)  # (Chinese: ；、)
        if replaced:
            items = semicolon.join(
                f"{code_span(f'{n}={v}')}{_run_said(n, lang)} → {code_span(links.said(in_use[n]))}"
                for n, v in replaced
            )
            said.append(t("link_rejected", lang, items=items))
        if unknown:
            items = semicolon.join(code_span(f"{n}={v}") for n, v in unknown)
            said.append(t("link_unknown", lang, items=items))
            named = named_here([n for n, _ in unknown])
            if named:  # (a teacher wrote "lr=" or "seed=" by hand: the names Copy link writes)
                items = semicolon.join(
                    code_span(n) + t("list_colon", lang) + comma.join(code_span(k) for k in keys)
                    for n, keys in named
                )
                said.append(t("link_named_here", lang, items=items))
        where.warning(" ".join(said), icon=":material/link_off:")


def _run_said(name: str, lang: str) -> str:
    """ " (run 2)" after a run's setting in a notice (links count runs from 0, the view from 1)."""
    run = links.run_of(name)
    return "" if run is None else t("link_run", lang, n=run)


def named_here(names: list[str]) -> list[tuple[str, list[str]]]:
    """links.named_like over the view's settings: the widgets this run drew whose value is a
    number, a word or a switch (Streamlit's record answers "in" only: the session is listed)."""
    drawn = drawn_keys()
    if drawn is None:
        return []
    state = st.session_state
    kinds = bool | int | float | str
    settings = [k for k in list(state.keys()) if k in drawn and isinstance(state.get(k), kinds)]
    return links.named_like(names, [k for k in settings if not str(k).startswith("_")])

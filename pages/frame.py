"""The page frame every view shares, and the view's state in the URL.

The sidebar (language, presenter mode, copy link) and the link's settings (read before the
view runs, given back when a student returns to a view; the notice of those that could not
be used: link_notice.py).
The widgets bound to the link: bound.py. Nothing here computes: see compute.py. Guided
lessons: guided.py.
"""

from __future__ import annotations

import re
from collections.abc import Container
from contextlib import suppress
from pathlib import Path

import streamlit as st
from bound import choice, language
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner import get_script_run_ctx
from styles import FRAME_CSS, PRESENTER_CSS
from views import PRESENTER_HIDDEN

from playground import links
from playground.i18n import LANGUAGES, t


def presenting() -> bool:
    """True in presenter mode (large text and lines, secondary controls hidden)."""
    return bool(st.session_state.get("presenter", False))


ABOUT_SLOT = "_about_slot"  # where a projector's lesson box left room for About (this run)


def heading(title: str, text: str, lang: str) -> None:
    """A view's title and its introduction under it; on a projector the introduction waits in
    a closed "About this view" beside the title (fresh-eyes teachers: five lines of large text,
    then the title's own row, pushed ▶ and Train below the first screen, where the class could
    not see them without scrolling; the teacher tells it, or opens it)."""
    if not presenting():
        st.title(title)
        st.markdown(text)
        return
    if presenting_a_lesson():  # (the lesson's box above titles the view: its question, then
        about = st.session_state.pop(ABOUT_SLOT, None)  # ▶ or Train, nearer the first screen;
        about = st.container() if about is None else about  # About beside the box's Why)
    else:
        left, about = st.columns([3, 2], vertical_alignment="center")
        left.title(title)
    with about.expander(t("intro_label", lang), icon=":material/info:"):
        st.markdown(text)


def in_lesson() -> bool:
    """Whether the view is showing a guided lesson (its link names one that exists)."""
    from playground.lessons import LESSONS

    return st.query_params.get("lesson") in LESSONS


def presenting_a_lesson() -> bool:
    """On a projector, with a guided lesson's box above the view."""
    return presenting() and in_lesson()


def section(title: str, heading: bool = True):
    """A section of settings under its heading; returns where its widgets go. On a projector in
    a lesson, a closed expander of that title: the lesson has set them, and the class sees its
    question, then Train (a fresh-eyes teacher: the variants' toggles and boxes pushed Train
    to 872 px of 720). The widgets are drawn either way, so they keep their values."""
    if presenting_a_lesson():
        return st.expander(title, icon=":material/tune:")
    if heading:  # (False: a row of settings with no heading of its own, named when folded)
        st.subheader(title)
    return st.container()


# our own fixed HTML (only catalogue strings are formatted in: {label}, {done}, {manual}; its
# other braces doubled), in an iframe so that its script runs
COPY_LINK_HTML = (Path(__file__).resolve().parent / "copy_link.html").read_text(encoding="utf-8")


def page_frame() -> str:
    """The sidebar every view shares: language, presenter mode, copy link. Returns the language."""
    with st.sidebar:
        lang = choice(
            st.selectbox,
            # (no icon: Streamlit puts a label's text in the box's aria-label as it is, and a
            # screen reader read out ":material/translate:")
            "Language · 语言",
            list(LANGUAGES),
            "lang",
            language(),
            format_func=LANGUAGES.get,
            keep=True,
        )
        st.toggle(
            t("presenter", lang),
            False,
            key="presenter",
            help=t("presenter_help", lang),
            bind="query-params",
        )
        # our own fixed HTML (only catalogue strings go in), in an iframe so its script runs
        st.iframe(
            COPY_LINK_HTML.format(
                label=t("copy_link", lang), done=t("copied", lang), manual=t("copy_manual", lang)
            ),
            height=80,
        )
        st.caption(t("copy_link_help", lang))
    projector_layout(lang)
    return lang


# always: a formula in the narrow sidebar (a schedule's rule) at the text's size, and scrolling
# sideways rather than cut off where it is still too wide
def projector_layout(lang: str) -> None:
    """Presenter mode: the secondary controls hidden, larger text that wraps rather than
    overflows, and the sidebar folded away when the mode is turned on (its ›› brings it back)
    and opened again when it is turned off."""
    now, was = presenting(), st.session_state.get("_presenting")
    if now != bool(was) or (was is None and now):  # switched on or off, or a link opened in it
        st.set_page_config(initial_sidebar_state="collapsed" if now else "expanded")
    st.session_state["_presenting"] = now
    st.html(f"<style>{FRAME_CSS}</style>")
    if now:
        hidden = ", ".join(f".st-key-{k}" for k in PRESENTER_HIDDEN)
        st.html(
            f"<style>{hidden}, [class*='st-key-exp_'] {{display: none !important;}}"
            f"{PRESENTER_CSS}</style>"
        )


LINK_OPENED = "_link_opened"  # the link as opened, kept across a run started again (below)


def link_snapshot() -> dict[str, list[str]]:
    """The query parameters as they are now (call before the view runs), or the link as it
    was opened when the run was started again without some of them (``restart``: the first
    run may have replaced others too, ``lang=xx`` by the language in use)."""
    opened = st.session_state.pop(LINK_OPENED, None)
    if opened is None:
        opened = {k: st.query_params.get_all(k) for k in st.query_params}
    st.session_state["_link_this_run"] = opened  # (for restart_without, later in the run)
    return opened


def restart(opened: dict[str, list[str]]) -> None:
    """Start the run again as the view opened by the link ``opened`` (its notice names what in
    it could not be used), after the caller took some of it out of the URL."""
    st.session_state[LINK_OPENED] = opened
    st.session_state["_arriving"] = True  # (router: the next run opens the view, as a link)
    st.rerun()


def restart_without(name: str) -> None:
    """Take the link's ``name`` out of the URL and start the run again without it, the rest of
    the link as it was opened kept for link_snapshot: its notice then names every other setting
    the view could not use, not only those still in the URL (the view's widgets had set the
    others right). The view says itself why ``name`` could not be used."""
    with suppress(KeyError, StreamlitAPIException):
        del st.query_params[name]
    opened = st.session_state.get("_link_this_run", {})
    restart({k: v for k, v in opened.items() if k != name})


def drop_non_finite(link: dict[str, list[str]]) -> None:
    """Take numbers that are not finite (``steps=inf``, ``race_seed=1e309``) out of the URL
    before any widget reads it: a whole-number widget given one fails outright (Streamlit
    raises OverflowError), so the view would show an error instead of its default.

    The widgets read the URL as the run started, so the run starts again without them (the
    link as opened is kept for link_snapshot, whose notice names what could not be used).
    """
    dropped = False
    for name in links.non_finite(link):
        with suppress(KeyError, StreamlitAPIException):  # (bound to a widget: it has its value)
            del st.query_params[name]
            dropped = True
    if dropped:
        restart(dict(link))


def restore_settings(page: str, link: dict[str, list[str]]) -> None:
    """Coming back to a view from another one: give it back the settings it had when left.

    Streamlit forgets the state of widgets that were not drawn in the last run, so a student who
    looked at another view would find this one reset (and a race without its contestants).
    The settings are already a link; the view's last one is kept and put back in the URL, where
    the widgets read it. A link that gives settings of its own, or a rerun, is left alone.
    """
    saved = st.session_state.setdefault("_settings", {})  # page → its query parameters
    came_from = st.session_state.get("_page")
    st.session_state["_page"] = page
    if came_from == page or any(k not in links.FRAME_PARAMS for k in link):
        save_settings(page)  # a rerun, or a link: the URL holds the view's settings now
        return
    for key, values in saved.get(page, {}).items():
        with suppress(StreamlitAPIException):  # still bound: its widget kept its value
            st.query_params[key] = values


def save_settings(page: str, ran: bool = False) -> None:
    """Keep the view's settings (its URL) for when the student comes back to it.

    Called at the start of a run and again after the view ran (where a pending rerun or stop
    may cut it short: Streamlit ends a run at its next call). After a run that ``ran`` to its
    end, the URL and the saved settings keep only the settings whose widgets it drew: a run
    taken out of the race, controls an error left out, or a setting the view does not have
    are not in the view, and a link that carried them would warn that they could not be used.
    (Streamlit drops its own bound widgets' parameters after the run itself; their values, and
    a ``choice``'s, stay in the session for when they are drawn again.)
    """
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    params = {k: v for k, v in params.items() if k not in links.FRAME_PARAMS}
    drawn = drawn_keys() if ran else None
    hidden = [] if drawn is None else [k for k in params if k not in drawn]
    st.session_state.setdefault("_settings", {})[page] = {
        k: v for k, v in params.items() if k not in hidden
    }
    for key in hidden:
        with suppress(StreamlitAPIException):  # bound to a widget: Streamlit drops it
            del st.query_params[key]


def drawn_keys() -> Container[str] | None:
    """The keys of the widgets this run drew: Streamlit's own record (kept to refuse a key used
    twice), or None where this Streamlit does not keep one."""
    ctx = get_script_run_ctx()
    return getattr(getattr(ctx, "shared", None), "widget_user_keys_this_run", None)


PLAIN = re.compile(r"[\w\s.,:;=+\-/%·×–—'’“”()]*")  # no Markdown, HTML or LaTeX can start here


def inert(text: str) -> str:
    """``text`` as it is when nothing in it can render (words, numbers, plain punctuation),
    otherwise as a code span (:func:`code_span`): for what users typed inside a message."""
    plain = PLAIN.fullmatch(text) and "://" not in text and "www." not in text  # (autolinks)
    return text if plain else code_span(text)


def code_span(text: str) -> str:
    """``text`` as one Markdown code span, shown exactly as typed: never a link, an image, a
    heading, HTML or LaTeX, whatever a crafted link puts in it.

    The fence is one backtick longer than the longest run of backticks inside (CommonMark's
    rule), and whitespace (newlines included, which could end the paragraph) becomes spaces.
    """
    text = " ".join(text.split()) or " "
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    return f"{fence} {text} {fence}"

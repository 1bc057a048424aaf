"""Uploaded files: the uploader (its size limit, a refused file taken out with its reason),
what the main column says while there is no usable file, and the boxes that pick a file's
columns. A session keeps its file while it goes to other views."""

from __future__ import annotations

from dataclasses import dataclass

import frame
import streamlit as st
from frame import code_span

from playground import data, links
from playground.i18n import UserError, t


@dataclass(frozen=True)
class KeptFile:
    """An upload this session made earlier in a view, kept while the session lives: Streamlit
    forgets an uploader's file when the student opens another view."""

    name: str
    raw: bytes
    file_id: str = ""  # the upload it was kept from

    def getvalue(self) -> bytes:
        return self.raw


def csv_upload(key: str, help_text: str, lang: str, check=None):
    """A CSV uploader whose label says the size limit (Streamlit refuses a bigger file with
    only a red mark); ``upload_awaited`` says in the main column what to upload. Returns the
    uploaded file, the one this session uploaded here before it went to another view (a
    :class:`KeptFile`), or None.

    ``check(raw)`` reads a new file (raises UserError if it cannot be used): a refused file is
    taken out of the uploader (a new uploader: Streamlit's keeps its file otherwise), and the
    message, with the file's name, stays over it until the next upload. The rest of the
    sidebar stays as it was, and so does the view: on the last file that could be used (a
    refused file blanked every figure).

    A file the student removes (the uploader's ✕) is forgotten; so is a kept one, by its
    "Forget" button.
    """
    mb = data.MAX_UPLOAD_BYTES // 2**20
    kept_key, refused_key, fresh_key = f"_kept_{key}", f"_refused_{key}", f"_fresh_{key}"
    good_key = f"_good_{key}"  # (the last file that could be used: a refused one goes back to it)
    fresh = st.session_state.get(fresh_key, 0)  # (how many refused files this uploader had)
    widget = key if not fresh else f"{key}_{fresh}"

    def changed() -> None:  # (the student added, replaced or removed the file)
        st.session_state.pop(kept_key, None)
        st.session_state.pop(refused_key, None)

    if refused_key in st.session_state:
        st.error(st.session_state[refused_key], icon=":material/error:")
    upload = st.file_uploader(
        t("upload_label", lang, mb=mb),
        type=["csv", "txt"],
        key=widget,
        help=help_text,
        max_upload_size=mb,
        on_change=changed,
    )
    if upload is not None:
        kept = st.session_state.get(kept_key)
        if kept is None or kept.file_id != upload.file_id:  # (not a copy of the bytes per rerun)
            _refuse_unusable(upload, check, lang, refused_key, fresh_key, good_key, kept_key)
            kept = KeptFile(upload.name, upload.getvalue(), upload.file_id)
            st.session_state[kept_key] = st.session_state[good_key] = kept
        return upload
    kept = st.session_state.get(kept_key)
    if kept is not None:
        said, forget = st.columns([2, 1], vertical_alignment="center")  # ("Forget" whole)
        said.info(t("upload_kept", lang, name=code_span(kept.name)), icon=":material/draft:")
        if forget.button(t("upload_forget", lang), key=f"{key}_forget"):
            st.session_state.pop(kept_key, None)
            st.session_state.pop(good_key, None)  # (forgotten: not the one to go back to)
            st.rerun()
        return kept
    return None  # (what to upload is said where the figures go: upload_awaited)


def upload_awaited(key: str, prompt: str, lang: str) -> None:
    """In the main column, where the figures will be: why there are none yet (the uploader of
    ``key`` and its messages are in the sidebar, which presenter mode folds away): the refused
    file's message, or what to upload."""
    refused = st.session_state.get(f"_refused_{key}")
    if refused is not None:
        st.error(refused, icon=":material/error:")
    else:
        mb = data.MAX_UPLOAD_BYTES // 2**20
        st.info(
            t(prompt, lang) + " " + t("upload_why_empty", lang, mb=mb),
            icon=":material/upload_file:",
        )


LEFT_OUT_SHOWN = 5  # names of left-out columns a caption lists (then "…")


def say_left_out(table, lang: str, where=None) -> None:
    """Under a file's column boxes: the columns it has that hold no number (a "label" or
    "=1+i" column the student looks for in the boxes), each shown exactly as it is named."""
    names = data.left_out(table)
    if not names:
        return
    shown = [code_span(links.shortened(name)) for name in names[:LEFT_OUT_SHOWN]]
    more = " …" if len(names) > LEFT_OUT_SHOWN else ""
    names = t("list_sep", lang).join(shown) + more  # (Chinese lists with "、")
    (where or st).caption(t("upload_left_out", lang, names=names))


def column_choice(key: str, upload, columns: list[str], first: str | list[str]) -> None:
    """The state of the box (``key``) that picks a column of an uploaded file, set before the
    box is drawn (which is then given no default): ``first`` for a new file (not the last
    file's columns: a second file's box was empty, and the view said to pick a column), the
    student's choice while it is one of the file's columns.

    Set every run: a box the run before did not draw (no file yet, another view) shows its
    default in the browser, whatever Streamlit kept of its value on the server.
    """
    name = getattr(upload, "file_id", None) or getattr(upload, "name", "")
    seen = f"_columns_of_{key}"
    kept = st.session_state.get(key)
    valid = (
        kept in columns
        if isinstance(first, str)
        else (isinstance(kept, list) and set(kept) <= set(columns))
    )
    if st.session_state.get(seen) != name or not valid:
        kept = first
    st.session_state[seen] = name
    st.session_state[key] = kept


def _refuse_unusable(
    upload, check, lang: str, refused_key: str, fresh_key: str, good_key: str, kept_key: str
) -> None:
    """A new upload that ``check`` refuses: its message kept, a new uploader, a new run, on
    the last file that could be used (``good_key``), if any, as if kept (``kept_key``)."""
    if check is None:
        return
    try:
        check(upload.getvalue())
    except UserError as err:
        name = code_span(upload.name)
        said = t("upload_refused", lang, name=name) + " " + err.message(lang, frame.inert)
        st.session_state[refused_key] = said
        st.session_state[fresh_key] = st.session_state.get(fresh_key, 0) + 1
        if good_key in st.session_state:  # (replacing a file, Streamlit removed the last first)
            st.session_state[kept_key] = st.session_state[good_key]
        st.rerun()

"""One catalogue for every user-facing string.

Strings live in ``playground/locales/<lang>.json``, one flat mapping per language.
Pages call :func:`t`; the library raises :class:`UserError` carrying a catalogue key,
so messages are translated where they are shown.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES: dict[str, str] = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Return the catalogue of ``lang`` (a flat key → template mapping)."""
    with (LOCALES_DIR / f"{lang}.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """Translate ``key`` into ``lang`` and fill ``{name}`` placeholders from ``params``.

    Falls back to English, then to the key itself, so a missing string never crashes a page
    (a test makes sure no key is missing).
    """
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    template = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    if not params:
        return template
    # a value that is said differently in each language (a duration: "3 min", "3 分钟") has
    # an ``in_language(lang)`` method
    said = {k: v.in_language(lang) if hasattr(v, "in_language") else v for k, v in params.items()}
    return template.format(**said)


class UserError(ValueError):
    """An error caused by user input, with a catalogue key instead of an English sentence.

    Parameters
    ----------
    key : str
        Catalogue key of the message.
    **params
        Values for the message's placeholders.
    """

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(t(key, DEFAULT_LANGUAGE, **params))

    def __reduce__(self):  # raised in a worker process, it crosses back with its key and params
        return (functools.partial(type(self), self.key, **self.params), ())

    def message(
        self, lang: str = DEFAULT_LANGUAGE, quote: Callable[[str], str] | None = None
    ) -> str:
        """The message in ``lang``; ``quote`` is applied to every text parameter (a page makes
        text a user typed inert before the message is rendered as Markdown)."""
        params = self.params
        if quote is not None:
            params = {k: quote(v) if isinstance(v, str) else v for k, v in params.items()}
        return t(self.key, lang, **params)

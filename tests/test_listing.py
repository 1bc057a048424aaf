"""Code listings keep their indentation (#31 item 3, presenter mode): a long line scrolls
inside its listing rather than wrap to the left edge. (In the browser:
tests/e2e/test_presenter.py.)"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pages"))
import frame  # (from pages/)
import widgets


def test_a_listing_keeps_its_indentation_and_scrolls_instead_of_wrapping():
    # "Show the code" on a projector: long lines wrapped to the left edge, indentation lost
    source = "def f(x):\n    return " + " + ".join(["x"] * 60) + "\n"
    shown = widgets.coloured(source)
    pre = re.search(r'<pre[^>]*style="([^"]*)"', shown).group(1)
    assert re.search(r"white-space:\s*pre;", pre), pre
    assert "overflow-x: auto" in shown
    assert "pre-wrap" not in frame.PRESENTER_CSS

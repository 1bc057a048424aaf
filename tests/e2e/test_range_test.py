"""The learning-rate range test in the lab, in a browser: it draws the loss against η with its
marks, and "Use η" puts the suggestion into the lab's learning rate."""

from __future__ import annotations

import pytest

from playground.i18n import t
from tests.e2e.test_browser import assert_clean, settle

pytestmark = pytest.mark.browser

LOG_X = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(gd => gd.layout && gd.layout.xaxis && gd.layout.xaxis.type === 'log'
          && gd.data.some(tr => tr.marker && tr.marker.symbol === 'diamond'))
  .map(gd => gd.data.filter(tr => tr.marker && tr.marker.symbol === 'diamond')
                   .map(tr => tr.x[0]))"""


def test_the_range_test_marks_its_suggestion_and_use_sets_the_learning_rate(view):
    open_view, page, _ = view
    open_view("/overfit?task=moons")
    settle(page)
    page.get_by_text(t("rt_expander", "en")).click()
    page.get_by_role("button", name=t("rt_run", "en")).click()
    page.wait_for_function(f"({LOG_X})().length === 1", timeout=90_000)
    suggestion, minimum = page.evaluate(LOG_X)[0]
    assert suggestion == pytest.approx(minimum / 10)  # a tenth of the lowest loss's η
    use = page.get_by_role("button", name=t("rt_use", "en", lr=f"{float(f'{suggestion:.2g}'):g}"))
    use.click()
    settle(page)
    field = page.get_by_role("spinbutton", name=t("lr", "en")).first
    shown = float(f"{suggestion:.2g}")
    assert float(field.input_value()) == pytest.approx(shown)
    # and the class sees it happen: the test's chart stays, with a word of what changed (the
    # chart vanished on "Use η", as if the click had failed)
    page.get_by_text(t("rt_used", "en", lr=f"{shown:g}")).wait_for(timeout=10_000)
    assert len(page.evaluate(LOG_X)) == 1
    assert_clean(page)

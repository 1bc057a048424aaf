"""Every view's figures in a browser, in both languages: a legend never sits on an axis title
(the fresh-eyes teacher found "x" and "step" on the legends' first row, and zh titles touching
them), no legend runs out of its figure, and on a 1280-px laptop with its sidebar open no
label is cut ("Fit window t…"), and the browser's tab names the view."""

from __future__ import annotations

import pytest
from views import VIEWS

from playground.i18n import t
from tests.e2e.test_browser import settle, wait_for_figures
from tests.e2e.test_picture import CUT_OFF

pytestmark = pytest.mark.browser

# each figure's legends and axis titles, as boxes [left, top, right, bottom] in px from the
# figure's top left corner, and its height
PARTS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => {
  const f = gd.getBoundingClientRect();
  const box = e => { const b = e.getBoundingClientRect();
    return [b.left - f.left, b.top - f.top, b.right - f.left, b.bottom - f.top]; };
  const all = s => [...gd.querySelectorAll(s)].map(box).filter(b => b[2] > b[0]);
  return {height: f.height, legend: all('.legend .scrollbox'),
          titles: all('text[class^=xtitle], text[class^=ytitle], text[class^=x2title]')};
})"""
CHARTED = [v for v in VIEWS if v.url_path not in ("", "home")]


def _apart(a, b) -> bool:
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("view_", CHARTED, ids=[v.key for v in CHARTED])
def test_no_legend_sits_on_an_axis_title(view, view_, lang):
    open_view, page, _ = view
    open_view(f"/{view_.url_path}?lang={lang}")
    settle(page)
    wait_for_figures(page, 1)  # (every view draws a figure before Train)
    page.wait_for_timeout(2000)  # (the others draw in the meantime)
    wait_for_figures(page, page.locator(".js-plotly-plot").count())
    figures = page.evaluate(PARTS)
    for k, fig in enumerate(figures):
        for legend in fig["legend"]:
            for title in fig["titles"]:
                assert _apart(legend, title), (view_.key, k, legend, title)
            assert legend[3] <= fig["height"] + 1, (view_.key, k, legend, fig["height"])
    assert page.evaluate(CUT_OFF) == [], view_.key  # (the view fixture's 1280 px, sidebar open)
    # the browser's tab names the view (a teacher opens several before a class)
    assert page.title() == f"{t(f'nav_{view_.key}', lang)} · {t('home_title', lang)}"

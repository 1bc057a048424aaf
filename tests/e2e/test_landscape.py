"""The landscape view in a browser: it trains live, the sharpness chart carries each gradient
descent run's 2/η line, and the paths grow over a slice whose maps stay through ▶."""

from __future__ import annotations

import pytest

from playground.i18n import t
from tests.e2e.test_browser import assert_clean, slider_step, wait_for_figures
from tests.e2e.test_picture import map_share, pixels, play_to_the_end, share_of

pytestmark = pytest.mark.browser

BOUNDS = """gd => gd.data.filter(tr => tr.line && tr.line.dash === 'dash')
                     .map(tr => [tr.y[0], tr.line.color])"""
CURVES = """gd => gd.data.filter(tr => !(tr.line && tr.line.dash) && tr.x
                                    && (tr.x.length || tr.x.bdata)).length"""  # (bdata: base64)


def test_the_view_trains_live_and_draws_the_paths_over_a_slice_that_stays(view):
    open_view, page, _ = view
    open_view("/landscape?ll_epochs=150")
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=60_000)
    # before Train, the question: each SGD run's 2/η over the whole run, in the legend, and
    # no curve yet (the view was empty until Train)
    wait_for_figures(page, 1)
    question = page.locator(".js-plotly-plot").first
    assert sorted(round(b[0], 6) for b in question.evaluate(BOUNDS)) == [8.0, 8.0, 80.0]
    assert question.evaluate(CURVES) == 0
    assert question.evaluate("gd => gd.layout.xaxis2.range[1]") == 150
    legend = question.locator(".legendtext").evaluate_all("els => els.map(e => e.textContent)")
    assert len(legend) == 3 and all(text.startswith("2/η of ") for text in legend), legend
    page.get_by_role("button", name=t("lab_train", "en")).first.click()
    # live: the loss and sharpness curves are drawn while the runs train, before the slice
    page.wait_for_function(
        f"() => {{ const gd = document.querySelector('.js-plotly-plot');"
        f" return gd && ({CURVES})(gd) > 0; }}",
        timeout=60_000,
    )
    page.get_by_role("heading", name=t("ll_slice_header", "en")).wait_for(timeout=120_000)
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=60_000)
    wait_for_figures(page, 3)
    curves = page.locator(".js-plotly-plot").first
    bounds = curves.evaluate(BOUNDS)
    # the three SGD runs have a dashed 2/η line (8, 80, 8), Adam none
    assert sorted(round(b[0], 6) for b in bounds) == [8.0, 8.0, 80.0]
    plane = page.locator(".js-plotly-plot").nth(1)
    assert slider_step(plane) == 0
    before = [pixels(page, plane, k) for k in (0, 1)]
    assert all(map_share(p) > 0.9 for p in before)  # both maps fill their panels
    play_to_the_end(page, plane)
    after = [pixels(page, plane, k) for k in (0, 1)]
    assert all(map_share(p) > 0.9 for p in after), "a map vanished on ▶"
    for colour in ("#1f77b4", "#2ca02c"):  # the paths are drawn by the end, not before
        assert share_of(after[0], colour) > 1.5 * share_of(before[0], colour) + 1e-4, colour
    assert_clean(page)

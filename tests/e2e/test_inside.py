"""Inside the network in a browser: clicks put points on the canvas, Train changes every node's
map, and a clicked edge's weight can be set by hand."""

from __future__ import annotations

import numpy as np
import pytest

from playground.i18n import t
from tests.e2e.test_browser import assert_clean, settle, wait_for_figures

pytestmark = pytest.mark.browser

IMAGES = "gd => (gd.layout.images || []).map(im => im.source)"
# where the first edge's marker (layer 1, to neuron 1 from input 1) is on the screen
FIRST_EDGE = """gd => { const tr = gd.data.find(t => t.customdata);
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
  return [box.left + xa.l2p(tr.x[0]), box.top + ya.l2p(tr.y[0])]; }"""
POINTS = """gd => gd.data.filter(tr => tr.mode === 'markers' && tr.meta && tr.meta.run)
                     .reduce((n, tr) => n + tr.x.length, 0)"""


def test_clicked_points_join_the_data_and_training_changes_every_nodes_map(view):
    open_view, page, _ = view
    open_view("/inside?in_epochs=60")
    settle(page)
    wait_for_figures(page, 2)
    data, net = page.locator(".js-plotly-plot").nth(0), page.locator(".js-plotly-plot").nth(1)
    before_points = data.evaluate(POINTS)
    box = data.locator(".nsewdrag").first.bounding_box()
    for fx, fy in ((0.15, 0.15), (0.85, 0.2)):  # two clicks on the canvas
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        settle(page)
    data = page.locator(".js-plotly-plot").nth(0)
    assert data.evaluate(POINTS) == before_points + 2
    maps_before = net.evaluate(IMAGES)
    assert len(maps_before) == 2 + 4 + 2 + 2  # inputs, 4 and 2 hidden neurons, 2 outputs
    page.locator("[data-testid=stMain] button", has_text=t("lab_train", "en")).first.click()
    page.get_by_text(t("in_epoch_now", "en", epoch=60)).wait_for(timeout=60_000)
    settle(page)
    net = page.locator(".js-plotly-plot").nth(1)
    maps_after = net.evaluate(IMAGES)
    hidden = slice(2, 8)  # every hidden neuron's map is redrawn from the trained weights
    assert all(a != b for a, b in zip(maps_before[hidden], maps_after[hidden], strict=True))
    # an edge's marker selects its weight; a new value moves the picture at once
    x, y = net.evaluate(FIRST_EDGE)
    page.mouse.click(x, y)
    settle(page)
    label = t("in_edit_named", "en", to="layer 1", i=1, src="inputs", j=1)
    field = page.get_by_label(label).last
    # right under the picture where the edge was clicked (it opened 500 px lower, off screen)
    below = field.bounding_box()["y"] - (net.bounding_box()["y"] + net.bounding_box()["height"])
    assert 0 <= below < 150, below  # (under its Export menu)
    field.fill("7.5")
    field.press("Enter")
    settle(page)
    net = page.locator(".js-plotly-plot").nth(1)
    weights = net.evaluate("gd => gd.data.filter(tr => tr.customdata).map(tr => tr.customdata)[0]")
    assert np.isclose(float(weights[0]), 7.5, atol=1e-3)
    assert net.evaluate(IMAGES)[hidden] != maps_after[hidden]
    assert_clean(page)


def test_presets_clear_and_drawn_points_live_in_the_link(view):
    # the fresh-eyes teacher: every preset broke the view, Clear took two clicks, and drawn
    # points were not in the link
    open_view, page, _ = view
    open_view("/inside")
    settle(page)
    wait_for_figures(page, 2)
    page.locator("[data-testid=stMain] button", has_text=t("in_clear", "en")).first.click()
    settle(page)
    assert page.locator(".js-plotly-plot").nth(0).evaluate(POINTS) == 0  # one click
    page.locator(".js-plotly-plot").nth(0).scroll_into_view_if_needed()  # (all of it on screen)
    box = page.locator(".js-plotly-plot").nth(0).locator(".nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.6)
    settle(page)
    assert "in_pts=" in page.url
    link = page.url
    picker = page.get_by_role("combobox", name=t("in_preset", "en"))
    picker.click()
    page.get_by_role("option", name=t("in_preset_spirals", "en")).click()
    settle(page)
    assert page.locator(".js-plotly-plot").nth(0).evaluate(POINTS) == 120
    assert_clean(page)
    page.goto(link)  # a fresh session from the link: the one drawn point
    settle(page)
    wait_for_figures(page, 2)
    assert page.locator(".js-plotly-plot").nth(0).evaluate(POINTS) == 1
    assert_clean(page)


NET_TOP = """() => { const plots = document.querySelectorAll('.js-plotly-plot');
  return plots.length > 1 ? plots[1].getBoundingClientRect().top + window.scrollY : null; }"""


def test_the_page_keeps_its_layout_while_the_network_trains(view):
    # (a live redraw that left out the tools above the maps made the page jump on Train)
    open_view, page, _ = view
    open_view("/inside?in_epochs=400&in_slow=true")
    settle(page)
    wait_for_figures(page, 2)
    before = page.evaluate(NET_TOP)
    page.locator("[data-testid=stMain] button", has_text=t("lab_train", "en")).first.click()
    page.get_by_text(t("in_epoch_now", "en", epoch=1), exact=False).first.wait_for(timeout=60_000)
    page.wait_for_function("() => document.querySelector('[data-testid=stMain] button[disabled]')")
    during = page.evaluate(NET_TOP)  # a mid-training redraw: the tools drawn, disabled
    clear = page.locator("[data-testid=stMain] button", has_text=t("in_clear", "en")).first
    assert clear.is_disabled()
    page.get_by_text(t("in_epoch_now", "en", epoch=400)).wait_for(timeout=120_000)
    settle(page)
    after = page.evaluate(NET_TOP)
    assert abs(during - before) <= 2 and abs(after - before) <= 2, (before, during, after)
    assert not clear.is_disabled()
    assert_clean(page)

"""Switching the language keeps every choice: the browser holds a choice as its label, which a
new language changes (the fresh-eyes teacher trained on the sine after switching from moons)."""

from __future__ import annotations

import pytest

from playground.i18n import t
from tests.e2e.test_browser import assert_clean, settle

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("/overfit?task=moons&lab_seed=3", ("task=moons", "lab_seed=3")),
        (
            "/landscape?ll_task=circles&ll_loss=cross_entropy",
            ("ll_task=circles", "ll_loss=cross_entropy"),
        ),
    ],
)
def test_a_change_of_language_keeps_the_views_choices_through_the_next_click(view, path, kept):
    open_view, page, _ = view
    open_view(path)
    settle(page)
    page.get_by_role("combobox").first.click()  # the sidebar's language
    page.get_by_role("option", name="简体中文").click()
    settle(page)
    page.locator("[data-testid=stMain] button", has_text=t("lab_train", "zh")).first.click()
    settle(page)
    for part in kept:
        assert part in page.url, (part, page.url)
    assert_clean(page)


def test_plotlys_tool_bar_speaks_the_pages_language(view):
    # the tool bar's buttons said "Zoom", "Pan", "Download plot as a PNG" on a Chinese page
    open_view, page, _ = view
    open_view("/loss-surface?lang=zh")
    settle(page)
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(timeout=60_000)
    chart.hover()
    titles = chart.locator(".modebar-btn").evaluate_all(
        "buttons => buttons.map(b => b.getAttribute('data-title'))"
    )
    assert t("plotly_png", "zh") in titles and t("plotly_reset_axes", "zh") in titles, titles
    assert not {"Zoom", "Pan", "Download plot as a PNG", "Reset axes"} & set(titles), titles
    assert_clean(page)

"""The race's exports as a teacher downloads them from the Export menu: a CSV with each run's
path once, as the run computed it, and a PNG in the figure's own shape for a slide."""

from __future__ import annotations

import io
import struct

import numpy as np
import pandas as pd
import pytest

from tests.e2e.test_browser import assert_clean, close_menu, open_menu, wait_for_figures

pytestmark = pytest.mark.browser


def download(page, button: str, menu=None) -> bytes:
    """Click a download button (in ``menu``, opened first) and return the file it gives."""
    if menu is not None:
        open_menu(page, menu, button)
    with page.expect_download(timeout=90_000) as info:
        page.get_by_role("button", name=button).last.click()
    with open(info.value.path(), "rb") as fh:
        data = fh.read()
    if menu is not None:
        close_menu(page)
    return data


def test_the_race_exports_each_path_once_and_a_png_in_the_figures_shape(view):
    open_view, page, _ = view
    open_view("/race")
    wait_for_figures(page, 2)
    runs = pd.read_csv(io.BytesIO(download(page, "Download the path as CSV")))  # in full
    menu = page.locator(".st-key-exp_race_fig")
    table = pd.read_csv(io.BytesIO(download(page, "Data (CSV)", menu)))
    assert list(table.columns) == ["series", "step", "x", "y"]
    names = list(dict.fromkeys(table["series"]))
    assert "click" not in names and "scatter" not in names
    lines = [name for name in names if name[0].isdigit()]  # "1. SGD lr=0.01", …
    assert len(lines) == runs["run"].nunique()
    for run, name in enumerate(lines, start=1):
        drawn = table[table["series"] == name][["step", "x", "y"]].to_numpy()
        computed = runs[runs["run"] == run][["step", "x", "y"]].to_numpy()
        np.testing.assert_allclose(drawn, computed, rtol=1e-4, atol=1e-9)  # (each by its step)
    png = download(page, "Picture (PNG", menu)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert height > 1080 and width < height  # the race's own tall shape, not 1920 × 1080
    # the PNG is the picture on screen: at the start before ▶ (not every path whole, which
    # gave a lesson's answer away), then the step where the animation stopped
    page.locator(".st-key-race_fig .playground-chart").scroll_into_view_if_needed()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # a step on (pages/chart.js)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.playground-chart')].some(gd => gd.__told"
        " && gd.__told.name !== gd.__frameNames[0])",
        timeout=30_000,
    )
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=60_000)
    later = download(page, "Picture (PNG", menu)
    assert later != png and struct.unpack(">II", later[16:24]) == (width, height)
    assert_clean(page)


def test_downloads_and_opening_every_runs_settings_never_change_the_race(view):
    # Seen by a fresh-eyes teacher: after a PNG download, opening and closing each run's
    # Settings (then in popovers) and another Export menu set every momentum and beta to 0 —
    # Momentum gave SGD's result, and the link no longer matched the race.
    open_view, page, _ = view
    open_view("/race")
    wait_for_figures(page, 2)

    def results() -> str:
        return page.locator("[data-testid=stMain] table").first.inner_text()

    before = results()
    download(page, "Picture (PNG", page.locator(".st-key-exp_race_fig"))
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]")
    settings = page.locator("[data-testid=stExpander] summary").filter(has_text="Settings")
    assert settings.count() == 5
    for i in range(5):
        settings.nth(i).scroll_into_view_if_needed()
        settings.nth(i).click()
        page.locator("[data-testid=stExpanderDetails] input").first.focus()
        page.keyboard.press("Escape")
        settings.nth(i).click()
    download(page, "Data (CSV)", page.locator(".st-key-exp_race_loss"))
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]")
    page.wait_for_timeout(500)
    assert results() == before
    assert "momentum=0" not in page.inner_text("[data-testid=stMain]")
    assert_clean(page)

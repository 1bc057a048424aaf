"""What the class sees in the overfitting lab and the ConvNet (#31), checked in the browser: the
loss axis has ticks to read, a variant that coincides with another does not hide it, a stopped
run shows and replays the epochs it trained, a lesson trains slowly enough to watch, and the
ConvNet plots the validation loss its lesson asks about."""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from playground import training
from playground.figures.race import colour as race_colour
from playground.i18n import t
from playground.lessons import LESSONS
from playground.training import VARIANT_NAMES
from tests.e2e.test_browser import assert_clean, assert_laid_out_once, wait_for_figures

pytestmark = pytest.mark.browser
BLUE = race_colour(VARIANT_NAMES.index("baseline"))  # (each variant's own colour, whichever
EARLY = race_colour(VARIANT_NAMES.index("early_stopping"))  # others are on: training.slots)


def lesson_link(key: str, **override: str) -> str:
    lesson = LESSONS[key]
    return f"/{lesson.page}?" + urlencode(lesson.query | override, doseq=True)


def figure_info(page, index: int) -> dict:
    """Title, tick labels drawn on each y axis, and the plot area of figure ``index``."""
    return page.evaluate(
        """(i) => {
          const gd = document.querySelectorAll('.js-plotly-plot')[i];
          const fl = gd._fullLayout, box = gd.getBoundingClientRect();
          const ticks = (ax) => Array.from(gd.querySelectorAll(`.${ax}tick text`))
            .map(e => e.textContent).filter(Boolean);
          return {
            title: fl.title.text, yticks: ticks('y'), y2ticks: ticks('y2'),
            y2title: fl.yaxis2 ? fl.yaxis2.title.text : null,
            left: box.left + fl.xaxis._offset, top: box.top + fl.yaxis._offset,
            height: fl.yaxis._length,
          };
        }""",
        index,
    )


def epoch_px(page, index: int, epoch: float) -> float:
    """The page's x coordinate of ``epoch`` on figure ``index``'s x axis."""
    return page.evaluate(
        """([i, e]) => {
          const gd = document.querySelectorAll('.js-plotly-plot')[i];
          const xa = gd._fullLayout.xaxis;
          return gd.getBoundingClientRect().left + xa._offset + xa.l2p(xa.d2l(e));
        }""",
        [index, epoch],
    )


def share_of(rgb: np.ndarray, colour: str) -> int:
    """Pixels within a few levels of ``colour`` ("#rrggbb")."""
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(rgb - target).sum(axis=2) < 40).sum())


def progress_epoch(page) -> int:
    text = page.locator("[data-testid=stProgress]").first.inner_text()
    return int(re.search(r"Epoch (\d+)", text).group(1))


def fit_epoch(page) -> int:
    title = figure_info(page, 1)["title"]
    return int(re.search(r"epoch (\d+)", title).group(1))


def train_and_wait_for_results(page) -> None:
    page.get_by_role("button", name=t("lab_train", "en"), exact=True).click()
    expect(page.get_by_text(t("lab_results", "en"), exact=True)).to_be_visible(timeout=180_000)
    wait_for_figures(page, 2)


def test_the_lab_curves_have_ticks_to_read_and_show_both_coinciding_variants(view):
    # The early-stopping lesson: the baseline and early stopping train alike until early
    # stopping ends (epoch 26); its lines, drawn over the baseline's, hid them, and the log axis
    # labelled only 0.1. (200 epochs, not 1,000, so that stretch is wide enough to look at.)
    open_view, page, _ = view
    open_view(lesson_link("early_stopping", epochs="200", slow="false"))
    page.wait_for_selector("text=Press Train", timeout=90_000)
    train_and_wait_for_results(page)
    curves = figure_info(page, 0)
    assert len(curves["yticks"]) >= 3, curves["yticks"]
    stop = page.evaluate(
        """() => document.querySelector('.js-plotly-plot').data
          .find(tr => tr.marker && tr.marker.symbol === 'square').x[0]"""
    )
    assert 10 < stop < 100
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    left, right = epoch_px(page, 0, 2), epoch_px(page, 0, stop - 1)
    curves = figure_info(page, 0)
    clip = {"x": left, "y": curves["top"], "width": right - left, "height": curves["height"]}
    rgb = np.asarray(Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("RGB")).astype(int)
    # where the two coincide, both colours are on screen: the baseline over a wider band
    assert share_of(rgb, BLUE) > 30, "the baseline is hidden"
    assert share_of(rgb, EARLY) > 30, "early stopping is hidden"
    legend = page.locator(".js-plotly-plot").first.locator(".legendtext").all_text_contents()
    names = {k: t(f"lab_variant_{k}", "en") for k in ("baseline", "early_stopping")}
    same = t(
        "lab_same_until",
        "en",
        name=names["early_stopping"],
        other=names["baseline"],
        epoch=int(stop),
    )
    keys = [t("lab_key_best", "en"), t("lab_key_stopped", "en")]  # (what ◆ and ■ are)
    assert legend == [names["baseline"], same, *keys]  # which is which, and until when
    assert_clean(page)


def test_a_stopped_run_shows_and_replays_the_epochs_it_trained(view):
    # #31: after Stop the fit's replay held the few epochs of a grid made for the planned run
    # (epochs 1, 33, 66, … of 2,000), not the epochs trained; the fit must show the curves' and
    # the results' last epoch, and the replay step back through the epochs before it.
    open_view, page, _ = view
    open_view("/overfit?epochs=2000&slow=true")  # 2,000 epochs over 20 s
    page.wait_for_selector("text=Press Train", timeout=90_000)
    page.get_by_role("button", name=t("lab_train", "en"), exact=True).click()
    page.wait_for_selector("[data-testid=stProgress]", timeout=60_000)
    page.wait_for_timeout(5000)
    page.get_by_role("button", name=t("lab_stop", "en")).click()
    expect(page.get_by_text(t("lab_results", "en"), exact=True)).to_be_visible(timeout=30_000)
    wait_for_figures(page, 2)
    epoch = progress_epoch(page)
    assert 40 <= epoch < 2000, "stopped while training"
    assert fit_epoch(page) == epoch  # the fit at the curves' and the results' epoch
    kept = [e for e in range(1, epoch) if training.snapshot_due(e, 60)] + [epoch]
    replay = page.get_by_role("slider")
    assert int(replay.get_attribute("max")) + 1 == len(kept) >= 30  # (an input over indices)
    assert int(replay.input_value()) == len(kept) - 1  # at the last epoch
    assert replay.get_attribute("aria-valuetext") == str(epoch)
    replay.focus()
    page.keyboard.press("ArrowLeft")  # one fit back
    page.wait_for_function(
        f"() => /epoch {kept[-2]}$/.test(document.querySelector('.st-key-lab_fit .js-plotly-plot')"
        "._fullLayout.title.text.replace(/<[^>]+>/g, ''))",
        timeout=30_000,
    )
    assert_clean(page)


def test_a_training_lesson_trains_slowly_enough_to_watch_and_stops_at_once(view):
    open_view, page, _ = view
    open_view(LESSONS["early_stopping"].url())
    page.wait_for_selector("text=Press Train", timeout=90_000)
    toggle = page.get_by_role("switch", name=t("lab_slow", "en"))
    expect(toggle).to_be_checked()  # the lesson turns "watch slowly" on
    page.get_by_role("button", name=t("lab_train", "en"), exact=True).click()
    page.wait_for_selector("[data-testid=stProgress]", timeout=60_000)
    page.wait_for_timeout(3000)
    early = progress_epoch(page)
    epochs = int(LESSONS["early_stopping"].setting("epochs"))
    assert early < epochs / 2, f"{epochs} epochs are spread over about 20 s"
    page.get_by_role("button", name=t("lab_stop", "en")).click()
    expect(page.get_by_text(t("lab_results", "en"), exact=True)).to_be_visible(timeout=8_000)
    wait_for_figures(page, 2)
    assert progress_epoch(page) < 0.7 * epochs and fit_epoch(page) == progress_epoch(page)
    assert_clean(page)


def test_the_few_digits_lesson_plots_the_validation_loss_it_asks_about(view):
    open_view, page, _ = view
    open_view(lesson_link("few_digits", net_epochs="4", net_slow="false"))
    page.wait_for_selector("text=Press Train", timeout=90_000)
    page.get_by_role("button", name=t("lab_train", "en"), exact=True).click()
    expect(page.get_by_text(t("lab_results", "en"), exact=True)).to_be_visible(timeout=180_000)
    wait_for_figures(page, 2)
    curves = figure_info(page, 1)  # (the sample digits come first)
    assert curves["y2title"] == t("digits_loss_axis", "en")
    assert len(curves["y2ticks"]) >= 3, curves["y2ticks"]
    assert all(tick.endswith("%") for tick in curves["yticks"])  # the error rates
    names = page.evaluate(
        "() => document.querySelectorAll('.js-plotly-plot')[1].data"
        ".filter(tr => tr.yaxis === 'y2' && tr.name).map(tr => tr.name)"
    )
    assert t("lab_variant_baseline", "en") in names  # the baseline's loss, on the loss panel
    assert_clean(page)


# the longest time (ms) the main column had no figure, measured between animation frames
BLANK_WATCH = """() => {
  window.__blank = 0; window.__ticks = 0;
  let since = null;
  const tick = (now) => {
    window.__ticks++;
    if (!document.querySelector('[data-testid=stMain] .js-plotly-plot')) {
      if (since === null) since = now;
      window.__blank = Math.max(window.__blank, now - since);
    } else since = null;
    if (window.__ticks < 1e6) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


@pytest.mark.parametrize(
    "path", ["/overfit?slow=true", "/landscape?ll_slow=true", "/inside?in_slow=true"]
)
def test_train_keeps_the_picture_on_screen_until_the_first_epoch_is_drawn(view, path):
    # a fresh-eyes teacher: after Train every figure vanished for about a second (only
    # "Starting…" left) and the page jumped up, then back down
    open_view, page, _ = view
    open_view(path)
    wait_for_figures(page, 1)
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=60_000)
    page.evaluate(BLANK_WATCH)
    page.get_by_role("button", name=t("lab_train", "en"), exact=True).click()
    page.get_by_text(re.compile(r"Epoch \d+")).first.wait_for(timeout=90_000)
    page.wait_for_function("window.__ticks > 30", timeout=10_000)  # (a few frames drawn since)
    blank = page.evaluate("window.__blank")
    page.get_by_role("button", name=t("lab_stop", "en"), exact=True).click()  # (frees it)
    # (a chart that moves into the live panel is drawn again: a frame or two, not a second)
    assert blank < 300, f"no figure on screen for {blank:.0f} ms after Train"
    assert_clean(page)


def test_left_arrow_on_the_kernels_steps_back_from_the_epoch_they_open_at(view):
    # a fresh-eyes teacher: the kernels open at their last epoch, and ← went to epoch 1
    open_view, page, _ = view
    open_view("/convnet?net_epochs=4&net_slow=false")
    wait_for_figures(page, 1)
    page.get_by_role("button", name=t("lab_train", "en"), exact=True).click()
    expect(page.get_by_text(t("lab_results", "en"), exact=True)).to_be_visible(timeout=180_000)
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=60_000)
    kernels = page.locator(".st-key-net_kernels .js-plotly-plot")
    kernels.wait_for(timeout=30_000)
    kernels.scroll_into_view_if_needed()  # (the animation in view is the one the keys move)
    page.locator("h1").first.click(position={"x": 1, "y": 1})  # (focus on the page)
    kernels.scroll_into_view_if_needed()
    said = "gd => gd.querySelector('.slider-group text')?.textContent"
    assert re.search(r"\b4$", kernels.evaluate(said)), kernels.evaluate(said)
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "gd => /\\b3$/.test(gd.querySelector('.slider-group text')?.textContent)",
        arg=kernels.element_handle(),
        timeout=10_000,
    )


BLANK_UNDER = """(key) => {
  const gd = document.querySelector('.st-key-' + key + ' .js-plotly-plot');
  const box = gd.getBoundingClientRect();
  const lowest = Math.max(...[...gd.querySelectorAll('.legend, .xtitle, .xtick')]
    .map(e => e.getBoundingClientRect().bottom - box.top));
  const legend = gd.querySelector('.legend').getBoundingClientRect();
  return [box.height - lowest, legend.bottom - box.top, box.height,
          gd.closest('.playground-chart').getBoundingClientRect().height];
}"""


def test_a_legend_under_a_chart_leaves_no_blank_band_on_a_wide_screen(view):
    # a fresh-eyes teacher at 1440 × 900: 170 px of white between the lab fit's legend and its
    # Export button (the room was kept for the legend's rows in the narrowest column)
    open_view, page, _ = view
    page.set_viewport_size({"width": 1440, "height": 900})
    open_view("/overfit?epochs=60")
    page.wait_for_selector("text=Press Train", timeout=90_000)
    train_and_wait_for_results(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].every(gd => gd.__drawn)"
    )
    for key in ("lab_curves", "lab_fit"):
        blank, legend_bottom, height, slot = page.evaluate(BLANK_UNDER, key)
        assert blank <= 30, (key, blank)  # (before: 44 and 166 px)
        assert legend_bottom <= height, (key, legend_bottom, height)  # (the legend whole)
        assert abs(slot - height) <= 2, (key, slot, height)  # (the page keeps no more room)
    assert_laid_out_once(page)  # (plotly.js did not have to grow a margin it was given)
    assert_clean(page)

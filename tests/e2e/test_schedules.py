"""Schedules and the fair race in the race view, in a browser: a run's η plot follows its
schedule, and the fair race draws its success curves and its table."""

from __future__ import annotations

import math
import re

import pytest

from playground.i18n import t
from tests.e2e.test_browser import assert_clean, settle

pytestmark = pytest.mark.browser

SCHEDULE_Y = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(gd => gd.layout && gd.layout.yaxis && gd.layout.yaxis.title
          && gd.layout.yaxis.title.text === 'η')
  .map(gd => gd.data[0].y)"""


def test_a_runs_schedule_is_drawn_and_the_fair_race_answers(view):
    open_view, page, _ = view
    open_view("/race?surface=himmelblau&n_runs=2&steps=100&r0_sched=step&r0_sched_step_size=40")
    settle(page)
    page.wait_for_function(f"({SCHEDULE_Y})().length === 1", timeout=60_000)
    rates = page.evaluate(SCHEDULE_Y)[0]
    assert len(rates) == 100 and rates[0] == rates[39] and rates[40] == pytest.approx(rates[0] / 10)
    fair = page.get_by_text(t("fair_run", "en"))
    fair.scroll_into_view_if_needed()
    fair.click()
    settle(page)
    page.get_by_text(t("fair_fig_title", "en")).wait_for(timeout=60_000)
    header = page.locator("table").last.locator("th").all_inner_texts()
    assert t("fair_col_best_lr", "en") in header and t("fair_col_success", "en") in header
    assert_clean(page)


def test_the_fair_race_on_a_surface_without_a_minimum_offers_one_that_has(view):
    # the default saddle surface was a dead end: "this surface lists no minimum", nothing to do
    open_view, page, _ = view
    open_view("/race")
    settle(page)
    switch = page.get_by_role("button", name=t("surface_beale", "en"))
    switch.scroll_into_view_if_needed()
    switch.click()  # the surface changes and its fair race runs
    page.wait_for_url(re.compile(r"surface=beale"), timeout=60_000)
    page.get_by_text(t("fair_fig_title", "en")).wait_for(timeout=60_000)
    settle(page)
    assert_clean(page)


FAIR_STARS = """(title) => {
  const gd = Array.from(document.querySelectorAll('.js-plotly-plot'))
    .find(g => g.layout && g.layout.title && String(g.layout.title.text).includes(title));
  if (!gd) return null;
  const range = gd._fullLayout.xaxis.range;  // log axis: log10 of η
  const stars = gd.data.filter(d => d.marker && d.marker.symbol === 'star' && d.x[0] !== null);
  return {range, stars: stars.map(d => [d.x[0], d.y[0]])};
}"""


def test_the_range_vs_fair_lesson_draws_each_range_tests_star_on_the_sweep(view):
    from playground.lessons import LESSONS

    open_view, page, _ = view
    open_view(LESSONS["range_vs_fair"].url("en"))
    settle(page)
    # the answer waits in a closed expander until the class has predicted: open it
    page.get_by_text(t("lesson_outcome_fair", "en")).click()
    title = t("fair_fig_title", "en")
    page.wait_for_function(f"({FAIR_STARS})({title!r}) !== null", timeout=120_000)
    got = page.evaluate(f"({FAIR_STARS})({title!r})")
    assert len(got["stars"]) == 5  # one per optimizer, each inside the drawn axis
    low, high = got["range"]
    for eta, share in got["stars"]:
        assert low <= math.log10(eta) <= high and 0 <= share <= 1
    header = page.locator("table").last.locator("th").all_inner_texts()
    assert t("fair_col_range_test_lr", "en") in header
    assert t("fair_col_success_at_range_test_lr", "en") in header
    assert_clean(page)


@pytest.mark.parametrize(
    ("path", "count", "ratio"),
    [
        # (the view, its steps or epochs, η at step k over η at step 0 for every k)
        (
            "/overfit?lab_sched=step&lab_sched_step_size=50&epochs=200",
            200,
            lambda k: 0.1 ** (k // 50),
        ),
        ("/convnet?net_sched=exponential&net_sched_gamma=0.8&net_epochs=12", 12, lambda k: 0.8**k),
        (
            "/loss-surface?gd_sched=step&gd_sched_step_size=20&steps=60",
            60,
            lambda k: 0.1 ** (k // 20),
        ),
    ],
)
def test_a_views_schedule_picker_plots_the_rates_torch_will_use(view, path, count, ratio):
    open_view, page, _ = view
    open_view(path)
    settle(page)
    settings = page.get_by_text(t("sched_settings", "en")).first
    settings.scroll_into_view_if_needed()
    settings.click()
    page.wait_for_function(f"({SCHEDULE_Y})().length === 1", timeout=60_000)
    rates = page.evaluate(SCHEDULE_Y)[0]
    assert len(rates) == count
    assert rates == pytest.approx([rates[0] * ratio(k) for k in range(count)], rel=1e-3)
    plot = page.locator(".js-plotly-plot", has=page.locator("text=η")).last
    box = plot.bounding_box()
    assert box and box["width"] > 150 and box["height"] > 150  # drawn, not squeezed away
    assert_clean(page)


def test_the_labs_progress_line_says_the_scheduled_rate_while_it_trains(view):
    open_view, page, _ = view
    open_view("/overfit?lab_sched=step&lab_sched_step_size=100&epochs=300&slow=true")
    settle(page)
    page.get_by_role("button", name=t("lab_train", "en")).click()
    page.get_by_text("η 0.01").first.wait_for(timeout=90_000)  # epochs 1–100: η₀
    page.get_by_text("η 0.001").first.wait_for(timeout=90_000)  # after 100 epochs: η₀/10
    assert_clean(page)

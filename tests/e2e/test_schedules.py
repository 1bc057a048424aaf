"""Schedules and the fair race in the race view, in a browser: a run's η plot follows its
schedule, and the fair race draws its success curves and its table."""

from __future__ import annotations

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

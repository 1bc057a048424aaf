"""What the class sees, checked on the picture: the map stays through an animation, paths are
drawn as they run (nothing of the outcome before ▶), and a lesson keeps its answer closed."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect
from views import VIEWS

from playground.i18n import t
from playground.lessons import LESSONS
from tests.e2e.test_browser import assert_clean, slider_step, wait_for_figures

pytestmark = pytest.mark.browser


def pixels(page, figure, subplot: int = 0) -> np.ndarray:
    """The plot area of one subplot of a figure as it is on screen, (h, w, 3)."""
    figure.scroll_into_view_if_needed()
    box = figure.locator(".nsewdrag").nth(subplot).bounding_box()
    shot = page.screenshot(clip=box)
    return np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")).astype(int)


def map_share(rgb: np.ndarray) -> float:
    """Share of the area in colour (a map's Viridis), not white or grey."""
    spread = rgb.max(axis=2) - rgb.min(axis=2)
    return float((spread > 40).mean())


def share_of(rgb: np.ndarray, colour: str) -> float:
    """Share of the area in ``colour`` ("#rrggbb"), within a few levels of each channel."""
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return float((np.abs(rgb - target).sum(axis=2) < 24).mean())


def play_to_the_end(page, figure) -> None:
    """Play at 4× and wait until the scrubber shows the last step."""
    figure.scroll_into_view_if_needed()
    last = figure.locator(".slider-group .slider-label, .slider-group text").all_text_contents()
    steps = [int(s) for s in last if s.strip().isdigit()]
    figure.get_by_text("4×").click()
    page.wait_for_function(
        "([gd, last]) => (gd.querySelector('.slider-group text')?.textContent || '')"
        ".endsWith(' ' + last)",
        arg=[figure.element_handle(), max(steps)],
        timeout=60_000,
    )
    page.wait_for_timeout(300)


def test_the_descent_map_stays_and_the_path_grows_as_it_plays(view):
    open_view, page, _ = view
    open_view("/loss-surface?three_d=false")
    wait_for_figures(page, 4)
    animation = page.locator(".js-plotly-plot").last
    before = pixels(page, animation)
    assert map_share(before) > 0.9  # the map fills the panel
    red_before = share_of(before, "#d62728")  # only the start point
    play_to_the_end(page, animation)
    after = pixels(page, animation)
    assert map_share(after) > 0.9, "the contour map vanished on ▶"
    assert share_of(after, "#d62728") > 1.5 * red_before  # the whole path is drawn at the end
    assert_clean(page)


# The loss curve drawn so far (pieces shown, and the tip) and the loss axis' range, of the
# descent's "Loss against step" panel, in decades
DRAWN_LOSS = """(gd) => {
  const name = gd.data.find(tr => tr.name === 'loss' && tr.mode === 'lines').yaxis || 'y';
  const axis = gd._fullLayout['yaxis' + name.slice(1)];
  // (plotly.js's decoded traces: a piece's y comes as a base64 typed array, which gd.data
  // keeps as sent, so only the tip was counted, and a tip of one point at a piece's end)
  const ys = gd._fullData.filter(tr => (tr.yaxis || 'y') === name && tr.mode === 'lines'
      && tr.opacity !== 0).flatMap(tr => Array.from(tr.y || []))
    .filter(v => v !== null && Number.isFinite(+v) && +v > 0).map(v => Math.log10(+v));
  return {type: axis.type, range: axis.range.map(Number), low: Math.min(...ys),
          high: Math.max(...ys), n: ys.length};
}"""


def test_the_descents_loss_curve_stays_on_its_chart_as_it_plays(view):
    # a fresh-eyes teacher: the loss axis kept its step-0 range (1-10) while ▶ played the
    # mini-batch lesson, the curve ran off its bottom at step 5 and came back at the last frame
    # (plotly.js undid each frame's new range as the next frame began)
    open_view, page, _ = view
    # (a curve falling more than the three decades the axis holds from step 0, LOSS_ROOM: it
    # passes 1e-3 at step 55, 1e-4 at step 81)
    open_view("/loss-surface?three_d=false&source=noisy&true_w=2&true_b=1&sigma=0.001&n=200"
              "&batch=sgd&lr=0.3&steps=300")  # fmt: skip
    wait_for_figures(page, 4)
    animation = page.locator(".js-plotly-plot").last
    gd = animation.element_handle()
    start = page.evaluate(DRAWN_LOSS, gd)
    animation.scroll_into_view_if_needed()
    animation.get_by_text("Play").click()
    seen = []  # (sampled while it plays: a range put right only at a pause is not enough)
    for at in (80, 120, 160):
        page.wait_for_function(
            "([gd, at]) => +((gd.querySelector('.slider-group text')?.textContent || '')"
            ".match(/\\d+/) || [0])[0] >= at", arg=[gd, at], timeout=60_000,
        )  # fmt: skip
        seen.append(page.evaluate(DRAWN_LOSS, gd))
    animation.get_by_text("Pause").click()
    assert all(now["type"] == "log" and now["n"] > start["n"] for now in seen)
    assert seen[0]["low"] < start["range"][0], "the curve went below the first range: a test of it"
    for now in seen:
        low, high = now["range"]
        assert low <= now["low"] and now["high"] <= high, now  # the whole curve so far on it
    assert_clean(page)


def test_a_lesson_shows_nothing_of_the_outcome_before_play(view):
    open_view, page, _ = view
    open_view(LESSONS["saddle_escape"].url())
    wait_for_figures(page, 1)
    race = page.locator(".js-plotly-plot").first
    assert slider_step(race) == 0
    before = pixels(page, race)
    # the answer ("escaped the saddle at step …") is in a closed expander
    expect(page.get_by_text(t("col_escaped_at", "en"))).to_be_hidden()
    outcome = page.get_by_text(t("lesson_outcome_label", "en"))
    expect(outcome).to_be_visible()
    play_to_the_end(page, race)
    after = pixels(page, race)
    assert map_share(after) > 0.8
    for colour in ("#1f77b4", "#ff7f0e"):  # each run's path is drawn by the end, not before
        assert share_of(after, colour) > 2 * share_of(before, colour), colour
    outcome.click()
    expect(page.get_by_text(t("col_escaped_at", "en"))).to_be_visible()
    assert_clean(page)


# What does not fit on a projector: the main column wider than the screen, a label cut to "…",
# a formula or a table wider than its column (each scrolls rather than show all of itself).
CUT_OFF = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const out = [];
  if (main.scrollWidth > main.clientWidth + 1) out.push('main column ' + main.scrollWidth);
  for (const el of main.querySelectorAll('.stMarkdownEllipsis, label p, label div')) {
    if (el.scrollWidth > el.clientWidth + 1 && el.offsetParent) out.push('label: ' + el.innerText);
  }
  for (const el of main.querySelectorAll('.katex-display, .stMarkdown table')) {
    // (KaTeX's display box is 2 px wider than its column whatever the formula: nothing is cut)
    if (el.scrollWidth > el.clientWidth + 2 && el.offsetParent)
      out.push(el.tagName + ' ' + el.scrollWidth + '>' + el.clientWidth + ': '
        + (el.querySelector('annotation')?.textContent || el.innerText).slice(0, 60));
  }
  return out;
}"""


# The text's size and the smallest formula's, in px: a formula must be read from as far away
# as the sentence around it (a fresh-eyes teacher measured 25 px of text beside 20 px formulas).
SIZES = """() => {
  const px = el => parseFloat(getComputedStyle(el).fontSize);
  const shown = css => [...document.querySelectorAll('[data-testid=stMain] ' + css)]
    .filter(el => el.offsetParent);
  const text = shown('.stMarkdown p'), maths = shown('.katex-display > .katex');
  return [Math.max(0, ...text.map(px)), maths.length ? Math.min(...maths.map(px)) : null];
}"""


@pytest.mark.parametrize("v", [v for v in VIEWS if v.card], ids=lambda v: v.key)
def test_presenter_mode_fits_a_projector_with_nothing_cut_off(chromium, server, v):
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    zh = "&lang=zh" if v.key == "overfit" else ""  # (one view in Chinese: longer labels)
    page.goto(f"{server}/{v.url_path}?presenter=true{zh}")
    page.wait_for_selector("[data-testid=stMainBlockContainer] h1", timeout=60_000)
    page.wait_for_selector(  # the view has run to its end (Streamlit's own marker)
        ".stApp[data-test-script-state=notRunning]", timeout=60_000
    )
    page.wait_for_timeout(1000)  # (figures draw after the run)
    sidebar = page.locator("[data-testid=stSidebar]")
    page.wait_for_function(  # folded away: the view has the projector's whole width
        "sb => !sb || sb.getBoundingClientRect().width < 5"
        " || sb.getAttribute('aria-expanded') === 'false'",
        arg=sidebar.element_handle() if sidebar.count() else None,
        timeout=10_000,
    )
    assert page.evaluate(CUT_OFF) == []
    text, formula = page.evaluate(SIZES)
    assert formula is None or formula >= 0.98 * text, (text, formula)
    assert_clean(page)
    context.close()


def test_an_upload_far_from_the_origin_gets_a_learning_rate_that_suits_it(view, tmp_path):
    """The default rate would diverge at once on x in the thousands: the view sets one below
    the data's stability bound and says so; the axes carry the table's column names."""
    open_view, page, _ = view
    table = tmp_path / "hours.csv"
    table.write_text("hours,score\n" + "\n".join(f"{1000 + 10 * i},{3 * i + 1}" for i in range(60)))
    too_big = tmp_path / "big.csv"
    too_big.write_bytes(b"x,y\n" + b"1,2\n" * (6 * 2**20))  # 24 MB
    open_view("/loss-surface?source=csv")
    uploader = page.locator("[data-testid=stFileUploaderDropzoneInput]")
    expect(page.get_by_text("CSV file (up to 20 MB)")).to_be_visible(timeout=30_000)
    uploader.set_input_files(str(too_big))  # refused by Streamlit: the prompt says why
    expect(page.get_by_text("A file over 20 MB is refused")).to_be_visible()
    uploader.set_input_files(str(table))
    expect(page.get_by_text("Learning rate set to")).to_be_visible(timeout=30_000)
    wait_for_figures(page, 6)
    expect(page.get_by_text("After 100 steps")).to_be_visible()  # the descent ran through
    assert page.get_by_text(re.compile("Diverged at step")).count() == 0
    data_figure = page.locator(".js-plotly-plot").first
    assert data_figure.locator(".xtitle").text_content() == "hours"
    assert_clean(page)


def test_clicking_the_chosen_panel_again_keeps_it(view):
    open_view, page, _ = view
    open_view("/race?panel=saddle")
    wait_for_figures(page, 2)
    segment = page.get_by_role("radio", name="Saddle-point lesson")
    expect(segment).to_have_attribute("aria-checked", "true")
    segment.click()
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=30_000)
    page.wait_for_timeout(500)
    expect(segment).to_have_attribute("aria-checked", "true")
    assert "panel=saddle" in page.url


def _three_steps_on(page, animation) -> None:
    """Press → three times and wait until the animation's scrubber says step 3."""
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "gd => /step 3$/.test(gd.querySelector('.slider-group text')?.textContent)",
        arg=animation.element_handle(),
        timeout=10_000,
    )


def test_the_keyboard_plays_pauses_and_steps_the_animation_in_view(view):
    """Space plays and pauses the animation on screen, ← and → step it; the map stays."""
    open_view, page, _ = view
    open_view("/loss-surface?three_d=false&steps=100")
    wait_for_figures(page, 4)
    page.locator("h1").first.click()  # (focus on the page, not on a control)
    animation = page.locator(".js-plotly-plot").last
    animation.scroll_into_view_if_needed()  # the animation in view is the one the keys move
    _three_steps_on(page, animation)
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "gd => /step 2$/.test(gd.querySelector('.slider-group text')?.textContent)",
        arg=animation.element_handle(),
        timeout=10_000,
    )
    page.keyboard.press(" ")  # play
    page.wait_for_function(
        "gd => +(gd.querySelector('.slider-group text')?.textContent.match(/\\d+$/) || [0])[0]"
        " > 10",
        arg=animation.element_handle(),
        timeout=30_000,
    )
    page.keyboard.press(" ")  # pause
    paused = slider_step(animation)
    page.wait_for_timeout(1500)
    assert slider_step(animation) == paused < 100
    assert map_share(pixels(page, animation)) > 0.9
    assert_clean(page)


def test_a_new_setting_during_an_animation_leaves_no_error_in_the_console(view):
    """Changing the surface while the race plays replaces the figure mid-animation: plotly.js
    rejects the interrupted animation's promise, which must not reach the console."""
    open_view, page, errors = view
    messages = []
    page.on("console", lambda m: messages.append(m.text) if m.type == "error" else None)
    open_view("/race")
    wait_for_figures(page, 2)
    race = page.locator(".js-plotly-plot").first
    race.scroll_into_view_if_needed()
    race.get_by_text("Play").click()
    page.wait_for_function(
        "gd => /step [1-9]/.test(gd.querySelector('.slider-group text')?.textContent)",
        arg=race.element_handle(),
    )
    page.goto(page.url.split("?")[0] + "?surface=himmelblau")  # (as a new link would)
    wait_for_figures(page, 2)
    page.locator(".js-plotly-plot").first.get_by_text("Play").click()
    page.wait_for_timeout(500)
    page.locator(".js-plotly-plot").first.get_by_text("Pause").click()
    page.wait_for_timeout(500)
    assert not [m for m in messages if "undefined" in m], messages
    assert not errors, errors


def test_the_ewa_lesson_draws_its_averages_as_they_play(view):
    open_view, page, _ = view
    open_view(LESSONS["ewa_lag"].url())
    wait_for_figures(page, 2)
    averages = page.locator(".js-plotly-plot").first
    assert slider_step(averages) == 1  # sample 1: nothing of the answer yet
    before = pixels(page, averages)
    expect(page.get_by_text(t("ewa_bias", "en"), exact=True)).to_be_hidden()  # (the dip)
    play_to_the_end(page, averages)
    after = pixels(page, averages)
    for i in range(3):  # each average's colour is on screen by the end, not before
        colour = ("#1f77b4", "#ff7f0e", "#2ca02c")[i]
        assert share_of(after, colour) > 3 * share_of(before, colour) + 1e-4, colour
    assert_clean(page)


LAST_LABEL = """gd => {
  const c = gd.querySelector('.slider-container');
  const labels = [...c.querySelectorAll('.slider-label-group')];
  const ticks = [...c.querySelectorAll('.slider-tick-rect')];
  const x = el => el.getBoundingClientRect().left + el.getBoundingClientRect().width / 2;
  const last = labels[labels.length - 1];
  return {text: last.textContent, dx: Math.abs(x(last) - x(ticks[ticks.length - 1])),
    apart: labels.length < 2 ? 1e9 : x(last) - x(labels[labels.length - 2])};
}"""


@pytest.mark.parametrize(
    ("path", "key", "end"),
    [("/race?steps=100", "race_fig", "100"), ("/loss-surface?steps=150", "descent_fig", "150")],
)
def test_a_scrubber_labels_its_last_step(view, path, key, end):
    # fresh-eyes teachers: the labels under 100 steps ended at 96 or 99, under 400 epochs at 384
    # (plotly.js labels every k-th stop; pages/chart.js's labelLastStop puts one at the end)
    open_view, page, _ = view
    open_view(path)
    chart = page.locator(f".st-key-{key} .js-plotly-plot")
    chart.wait_for(timeout=60_000)
    page.wait_for_function(
        f"gd => ({LAST_LABEL})(gd).text === '{end}'", arg=chart.element_handle(), timeout=30_000
    )
    said = chart.evaluate(LAST_LABEL)
    assert said["dx"] < 2 and said["apart"] > 12, said  # under the last tick, clear of the next


def test_the_keys_move_the_animation_after_a_control_was_clicked_with_the_mouse(view):
    # a fresh-eyes teacher pressed Train (or a toggle), then Space: nothing happened until she
    # clicked the figure (the clicked control kept the focus, and with it the keys)
    open_view, page, _ = view
    open_view("/loss-surface?three_d=false&steps=100")
    wait_for_figures(page, 4)
    page.locator(".st-key-log_colour label").first.click()  # (with the mouse, as she did)
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=60_000)
    wait_for_figures(page, 4)
    animation = page.locator(".js-plotly-plot").last
    animation.scroll_into_view_if_needed()
    assert page.evaluate("() => document.activeElement.getAttribute('role')") == "switch"
    _three_steps_on(page, animation)
    assert page.get_by_role("switch", name=t("log_colour", "en")).is_checked()  # (still on)
    assert_clean(page)

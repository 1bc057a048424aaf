"""Presenter mode at 1280 × 720 (#31 item 3), measured in the browser: a legend under its axis
titles, subplot titles apart and inside their figure, a long title inside its narrow column,
a dropdown that shows its whole value, and code listings that keep their indentation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from views import VIEWS

from playground.i18n import t
from tests.e2e.test_browser import assert_clean, wait_for_figures

pytestmark = pytest.mark.browser

# each part of one figure (by its chart's key), as boxes [left, top, right, bottom] in px from
# the figure's top left corner
AXIS_TITLES = "text[class^=x][class$=title], text[class^=y][class$=title]"
PARTS = """(key) => {
  const gd = document.querySelector('.st-key-' + key + ' .js-plotly-plot');
  const f = gd.getBoundingClientRect();
  const box = e => { const b = e.getBoundingClientRect();
    return [b.left - f.left, b.top - f.top, b.right - f.left, b.bottom - f.top]; };
  const all = s => [...gd.querySelectorAll(s)].map(box);
  return {width: f.width, height: f.height, plots: all('.nsewdrag'), legend: all('.legend'),
    xtitles: all('text[class^=x][class$=title]'), title: all('.gtitle'), notes: all('.annotation')};
}"""

# the px from the top of Train's row to the bottom of the charts under it
TRAIN_TO_CHARTS = """(keys) => {
  const train = document.querySelector('.st-key-' + keys[0]);
  const row = train.closest('[data-testid=stHorizontalBlock]');
  const top = row.getBoundingClientRect().top;
  const bottoms = keys.slice(1).map(k =>
    document.querySelector('.st-key-' + k + ' .js-plotly-plot').getBoundingClientRect().bottom);
  return Math.max(...bottoms) - top;
}"""


@pytest.fixture
def projector(view):
    """Open a view in a 1280 × 720 window and wait until it has run (conftest's ``view``)."""
    open_view, page, _ = view
    page.set_viewport_size({"width": 1280, "height": 720})

    def open_projected(path: str):
        open_view(path)
        page.wait_for_selector("[data-testid=stMainBlockContainer] h1", timeout=60_000)
        page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=60_000)
        return page

    return open_projected


def _apart(a, b) -> bool:
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def _main_fits(page) -> None:
    main = page.locator("[data-testid=stMain]")
    assert main.evaluate("m => m.scrollWidth <= m.clientWidth + 1")


def _trained(page, figures: int):
    """Press Train on the view open in ``page`` and wait for its results and ``figures``."""
    page.get_by_role("button", name=t("lab_train", "en"), exact=True).click()
    expect(page.get_by_text(t("lab_results", "en"), exact=True)).to_be_visible(timeout=180_000)
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=60_000)
    wait_for_figures(page, figures)
    return page


def test_convnet_legend_clears_the_epoch_titles_and_the_confusion_title_fits(projector):
    page = _trained(projector("/convnet?presenter=true&net_epochs=3"), figures=6)
    assert page.evaluate(TRAIN_TO_CHARTS, ["net_train_btn", "net_curves"]) <= 700  # (790)
    curves = page.evaluate(PARTS, "net_curves")
    assert curves["legend"] and len(curves["xtitles"]) == 2
    legend = curves["legend"][0]
    for title in curves["xtitles"]:
        assert _apart(legend, title), (legend, title)
        assert legend[1] >= title[3]  # under the axis titles
    assert legend[3] <= curves["height"]
    for key in ("net_confusion", "net_wrong"):  # titles in narrow columns: whole, not cut
        parts = page.evaluate(PARTS, key)
        (title,) = parts["title"]
        assert title[0] >= 0 and title[2] <= parts["width"], (key, title, parts["width"])
        assert title[1] >= 20  # under the modebar's row
        assert all(title[3] <= plot[1] for plot in parts["plots"]), key
    # the matrix's ten columns of numbers read from the back of a room: its plot was 280 px
    (plot,) = page.evaluate(PARTS, "net_confusion")["plots"]
    assert plot[2] - plot[0] >= 400 and plot[3] - plot[1] >= 400, plot
    _main_fits(page)
    assert_clean(page)


def test_ewa_in_chinese_subplot_titles_apart_and_the_surface_dropdown_whole(projector):
    page = projector("/ewa?presenter=true&lang=zh")
    wait_for_figures(page, 5)
    page.locator(".st-key-ewa_states").scroll_into_view_if_needed()
    states = page.evaluate(PARTS, "ewa_states")
    notes = states["notes"]
    assert len(notes) == 4
    for i, a in enumerate(notes):
        assert a[0] >= 0 and a[2] <= states["width"] and a[1] >= 0, a
        assert all(a[3] <= plot[1] + 2 for plot in states["plots"])  # over the panels
        for b in notes[i + 1 :]:
            assert _apart(a, b), (a, b)
    legend = states["legend"][0]
    assert all(_apart(legend, title) for title in states["xtitles"])
    # the selectbox of the surface shows its whole value ("Rosenbrock 山谷")
    selects = "[data-testid=stMain] [data-testid=stSelectbox] input"
    cut = page.locator(selects).evaluate_all(
        "inputs => inputs.filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1)"
        ".map(e => e.value)"
    )
    assert cut == []
    _main_fits(page)
    assert_clean(page)


def test_loss_surface_subplot_titles_as_large_as_its_axis_titles(projector):
    page = projector("/loss-surface?presenter=true")
    wait_for_figures(page, 4)
    sizes = page.evaluate(
        """(axes) => {
          const gd = document.querySelector('.st-key-descent_fig .js-plotly-plot');
          const px = s => [...gd.querySelectorAll(s)]
            .map(e => parseFloat(getComputedStyle(e).fontSize));
          return {notes: px('.annotation-text'), axes: px(axes)}; }""",
        AXIS_TITLES,
    )
    assert sizes["notes"] and sizes["axes"]
    # (the presenter's text size: headings of their panels, over 18-px axis titles)
    assert min(sizes["notes"]) >= max(max(sizes["axes"]), 20), sizes


def test_the_descent_controls_on_a_projector_use_the_whole_row(projector):
    # a fresh-eyes teacher: k's and the seed's columns, hidden on a projector, stayed empty at
    # the right and squeezed the others ("Learning rate η" on two lines, its bound on four)
    page = projector("/loss-surface?presenter=true")
    wait_for_figures(page, 4)
    page.get_by_text(t("ls_descent_settings", "en")).click()  # (folded under the descent)
    expect(page.locator(".st-key-lr")).to_be_visible()
    row = page.evaluate(
        """() => {
          const lr = document.querySelector('.st-key-lr');
          const row = lr.closest('[data-testid=stHorizontalBlock]');
          const r = row.getBoundingClientRect();
          const shown = [...row.children].filter(c => c.getBoundingClientRect().width > 0);
          const last = shown[shown.length - 1].querySelector('[data-testid=stRadio]');
          const label = lr.querySelector('label p');
          return {right: r.right, radioRight: last ? last.getBoundingClientRect().right : 0,
            labelLines: Math.round(label.getBoundingClientRect().height
              / parseFloat(getComputedStyle(label).lineHeight))}; }"""
    )
    assert row["labelLines"] == 1, row
    assert row["radioRight"] >= row["right"] - 200, row  # (Batch in the last column, at the right)
    # a later one: "3-D surfaces" on two lines, its ? apart (the hidden window's and
    # resolution's columns were empty beside it)
    lines = page.evaluate(
        """() => ['log_colour', 'three_d'].map(k => {
          const p = document.querySelector('.st-key-' + k + ' label p');
          return Math.round(p.getBoundingClientRect().height
            / parseFloat(getComputedStyle(p).lineHeight)); })"""
    )
    assert lines == [1, 1], lines
    _main_fits(page)


def test_from_scratch_problems_on_a_projector_each_on_one_line_and_alerts_as_large_as_text(
    projector,
):
    # a fresh-eyes teacher: each problem wrapped onto three lines in a narrow column, and the
    # success box's text was smaller than the sentences around it
    page = projector("/from-scratch?presenter=true")
    wait_for_figures(page, 2)
    said = page.evaluate(
        """() => {
          const rows = p => p.getBoundingClientRect().height
            / parseFloat(getComputedStyle(p).lineHeight);
          const lines = [...document.querySelectorAll('.st-key-fs_problem label p')]
            .map(p => Math.round(rows(p)));
          const px = e => parseFloat(getComputedStyle(e).fontSize);
          const alert = document.querySelector('[data-testid=stMain] [data-testid=stAlert] p');
          const text = document.querySelector('[data-testid=stMain] .stMarkdown p');
          return {lines, alert: px(alert), text: px(text)}; }"""
    )
    assert len(said["lines"]) == 3 and said["lines"][1:] == [1, 1], said  # (its label, options)
    assert said["alert"] >= said["text"], said
    _main_fits(page)


def _listings(page) -> list[dict]:
    """From scratch's four listings, one tab after another: lines, rows drawn, and whether
    each is cut at its box's right edge."""
    listings = []
    for tab in page.get_by_role("tab").all()[-4:]:  # (one tab a way)
        tab.click()
        page.wait_for_timeout(300)
        listings += page.evaluate(
            """() => [...document.querySelectorAll('.listing pre')]
            .filter(pre => pre.getBoundingClientRect().height > 0).map(pre => {
              const lines = pre.textContent.replace(/\\n$/, '').split('\\n').length;
              const high = parseFloat(getComputedStyle(pre).lineHeight);
              const box = pre.closest('.listing');
              return {rows: pre.getBoundingClientRect().height / high, lines,
                      scrolls: getComputedStyle(box).overflowX,
                      cut: box.scrollWidth > box.clientWidth + 1,
                      inside: box.getBoundingClientRect().right <= document
                        .querySelector('[data-testid=stMain]').getBoundingClientRect().right};
            })"""
        )
    return listings


def test_from_scratch_listings_are_whole_on_a_laptop(view):
    # a fresh-eyes teacher at 1440 × 900: in two columns each listing's long lines were cut at
    # its box's edge, to be scrolled sideways
    open_view, page, _ = view
    page.set_viewport_size({"width": 1440, "height": 900})
    open_view("/from-scratch")
    page.wait_for_function(
        "() => document.querySelectorAll('.listing pre').length === 4", timeout=90_000
    )
    listings = _listings(page)
    assert len(listings) == 4 and not any(listing["cut"] for listing in listings), listings


def test_code_listings_keep_their_indentation_and_fit_the_projector(projector):
    page = projector("/from-scratch?presenter=true")
    # all four ways' listings (the torch ones join once the background parts have trained)
    page.wait_for_function(
        "() => document.querySelectorAll('.listing pre').length === 4", timeout=90_000
    )
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=60_000)
    listings = _listings(page)
    assert len(listings) == 4
    for listing in listings:  # one row a line: nothing wrapped onto a second row
        assert listing["rows"] == pytest.approx(listing["lines"], abs=0.5), listing
        assert listing["scrolls"] == "auto" and listing["inside"], listing
        # one under another, each line whole: the class need not scroll (two columns cut them)
        assert not listing["cut"], listing
    _main_fits(page)
    # "Show the code" (Streamlit's code block): also one row a line, scrolling inside
    page.goto(page.url.replace("/from-scratch", "/race"))
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=60_000)
    page.get_by_text(t("show_code", "en"), exact=True).last.click()
    page.wait_for_selector("[data-testid=stCode] pre", timeout=60_000)
    code = page.evaluate(
        """() => { const pre = document.querySelector('[data-testid=stCode] pre');
          return getComputedStyle(pre).whiteSpace + ' ' + getComputedStyle(pre).overflowX; }"""
    )
    assert code.split()[0] == "pre" and code.split()[1] in ("auto", "scroll"), code
    _main_fits(page)
    assert_clean(page)


def test_the_race_map_on_a_projector_has_its_legend_beside_it_not_above(projector):
    # the legend's two rows over the map left it about 325 px of 720 (a fresh-eyes teacher:
    # "the race map is small on the projector"); beside it, the map takes their height too
    page = projector("/race?presenter=true")
    wait_for_figures(page, 1)
    race = page.evaluate(PARTS, "race_fig")
    (legend,), (plot, *_) = race["legend"], race["plots"]
    assert _apart(legend, plot) and legend[2] <= plot[0]  # left of the map, clear of it
    assert plot[3] - plot[1] >= 380, plot  # px of map height
    assert race["height"] <= 720  # the map and its ▶ on one screen
    _main_fits(page)
    assert_clean(page)


def test_the_labs_long_legend_entries_wrap_inside_their_figures(projector):
    # a fresh-eyes teacher read "Early stopping (the wide line: same as Baseline until it
    # stopped at e": plotly.js cuts a legend entry at the figure's edge
    page = _trained(projector("/overfit?presenter=true&epochs=60"), figures=2)
    entries = """(key) => {
      const gd = document.querySelector('.st-key-' + key + ' .js-plotly-plot');
      const f = gd.getBoundingClientRect();
      return [...gd.querySelectorAll('.legendtext')].map(e => {
        const b = e.getBoundingClientRect();
        return [e.textContent, b.left - f.left, b.top - f.top, b.right - f.left, b.bottom - f.top,
                f.width]; });
    }"""
    shown = {key: page.evaluate(entries, key) for key in ("lab_curves", "lab_fit")}
    assert any("until epoch" in text for text, *_ in shown["lab_curves"])  # (the long one)
    for key, texts in shown.items():
        for text, left, _, right, _, width in texts:
            assert left >= 0 and right <= width + 1, (key, text, right, width)
        for i, a in enumerate(texts):  # (in columns: none runs into its neighbour)
            for b in texts[:i]:
                assert _apart(a[1:5], b[1:5]), (key, a, b)
    # a fresh-eyes teacher pressed Train and had to scroll to see the curves: Train's row
    # and both charts fit the 720 px of a projector (they took 1,000 px)
    assert page.evaluate(TRAIN_TO_CHARTS, ["train_btn", "lab_curves", "lab_fit"]) <= 700
    _main_fits(page)


def test_the_landscape_slice_on_a_projector_keeps_its_play_controls_off_its_legend(projector):
    # a fresh-eyes teacher: on a projector, ▶, the speeds and the scrubber covered the slice's
    # legend (the run names), in English (a legend in columns took more rows over the plot)
    page = _trained(projector("/landscape?presenter=true&ll_epochs=40"), figures=3)
    page.wait_for_selector(".st-key-ll_plane_fig .js-plotly-plot .legend", timeout=60_000)
    boxes = page.evaluate(
        """() => { const gd = document.querySelector('.st-key-ll_plane_fig .js-plotly-plot');
        const f = gd.getBoundingClientRect();
        const box = e => { const b = e.getBoundingClientRect();
          return [b.left - f.left, b.top - f.top, b.right - f.left, b.bottom - f.top]; };
        return {legend: [...gd.querySelectorAll('.legend')].map(box),
                controls: [...gd.querySelectorAll('.updatemenu-container, .slider-container')]
                  .map(box)}; }"""
    )
    (legend,) = boxes["legend"]
    assert len(boxes["controls"]) >= 2
    for control in boxes["controls"]:
        assert _apart(legend, control), (legend, control)
    # a later one: "Random plane" cut at its column's right edge, the slices on two rows (the
    # hidden resolution's empty column took their room)
    options = page.evaluate(
        """() => { const c = document.querySelector('.st-key-ll_plane');
        const col = c.closest('[data-testid=stColumn]').getBoundingClientRect();
        return [...c.querySelectorAll('button')].filter(b => b.textContent.trim())
          .map(b => { const r = b.getBoundingClientRect();
          return [Math.round(r.top), r.right <= col.right + 1]; }); }"""
    )
    assert len(options) == 3 and all(inside for _, inside in options), options
    assert len({top for top, _ in options}) == 1, options  # (one row)
    _main_fits(page)


def test_inside_on_a_projector_has_train_and_the_data_map_on_one_screen(projector):
    # a fresh-eyes teacher: with Train at the top of the screen, a third of the data map showed
    page = projector("/inside?presenter=true&in_epochs=20")
    page.get_by_role("button", name=t("lab_train", "en"), exact=True).click()
    expect(page.get_by_text("Trained with these settings")).to_be_visible(timeout=120_000)
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=60_000)
    wait_for_figures(page, 2)
    assert page.evaluate(TRAIN_TO_CHARTS, ["in_train_btn", "in_data"]) <= 700  # (1,100)
    (plot, *_) = page.evaluate(PARTS, "in_data")["plots"]
    # px: a map the room can read (a fresh-eyes teacher: 230 px in a 540-px column was small;
    # the epoch's line went over the network to give the map its 45 px)
    assert plot[3] - plot[1] >= 260
    _main_fits(page)


@pytest.mark.parametrize(
    ("path", "keys"),
    [
        ("/from-scratch?presenter=true", ["fs_fits", "fs_loss"]),
        ("/race?presenter=true", ["race_loss"]),
    ],
)
def test_a_projectors_plots_are_at_least_250_px_high_and_the_figure_fits(projector, path, keys):
    # a fresh-eyes teacher: the larger text's margins left From scratch's data 133 px high and
    # the race's loss curves 145 px, small at the back of a room
    page = projector(path)
    wait_for_figures(page, len(keys))
    for key in keys:
        parts = page.evaluate(PARTS, key)
        (plot,) = parts["plots"]
        assert plot[3] - plot[1] >= 250, (key, plot)  # (300 laid out; plotly's own margins)
        assert parts["height"] <= 660, key  # (with its heading, on a 720-px screen)
        for legend in parts["legend"]:  # (moved with the taller plot: still under it, inside)
            assert legend[1] >= plot[3] and legend[3] <= parts["height"] + 1, (key, legend)
    _main_fits(page)
    assert_clean(page)


def test_the_labs_curves_on_a_2d_task_on_a_projector_are_page_wide_with_a_whole_legend(projector):
    # a fresh-eyes teacher (moons, presenter): the curves in the left half of the row, the right
    # half empty, a plot 100 px high and a legend in one column with a scroll bar, "stopped"
    # cut off (6 px of automargin for "0.001" had made plotly.js's two columns one)
    page = _trained(projector("/overfit?presenter=true&epochs=300&task=moons"), figures=2)
    curves = page.evaluate(PARTS, "lab_curves")
    (plot,) = curves["plots"]
    assert curves["width"] >= 1000  # (the main column: 1080 px)
    assert plot[3] - plot[1] >= 200, plot
    legend = page.evaluate(
        """() => { const gd = document.querySelector('.st-key-lab_curves .js-plotly-plot');
          const l = gd._fullLayout.legend; return [l._height, l._effHeight]; }"""
    )
    assert legend[0] == legend[1], legend  # (all of it drawn: no scroll bar)
    (box,) = curves["legend"]
    assert box[3] <= curves["height"] + 1
    assert page.evaluate(TRAIN_TO_CHARTS, ["train_btn", "lab_curves"]) <= 700
    _main_fits(page)
    assert_clean(page)


def test_the_home_cards_titles_on_a_projector_are_larger_than_their_text(projector):
    # a fresh-eyes teacher: "Loss surfaces" at 16 px over the card's 24-px text
    page = projector("/?presenter=true")
    page.wait_for_selector("[data-testid=stMain] [data-testid=stPageLink] p", timeout=60_000)
    title, text = page.evaluate(
        """() => { const px = e => parseFloat(getComputedStyle(e).fontSize);
        const link = document.querySelector('[data-testid=stMain] [data-testid=stPageLink] p');
        let card = link.parentElement;  // (up to the card that holds the link and its text)
        while (card && !card.querySelector('.stMarkdown p')) card = card.parentElement;
        return [px(link), px(card.querySelector('.stMarkdown p'))]; }"""
    )
    assert title > text, (title, text)
    _main_fits(page)


@pytest.mark.parametrize("path", [v.url_path for v in VIEWS if v.slow])
def test_a_training_views_train_is_on_a_projectors_first_screen(projector, path):
    # fresh-eyes teachers: on a projector the introduction, the lab's note on the combination
    # and the landscape's table of runs filled the first screen, Train below it
    page = projector(f"/{path}?presenter=true")
    train = page.get_by_role("button", name=t("lab_train", "en"), exact=True)
    box = train.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 720, box
    _main_fits(page)


@pytest.mark.parametrize("path, key, top", [("race", "race_fig", 300), ("ewa", "ewa_fig", 560)])
def test_an_animated_views_figure_starts_high_on_a_projectors_first_screen(
    projector, path, key, top
):
    # fresh-eyes teachers: on a projector the race's map began at 555 px of 720 (its title,
    # introduction, formula and a heading above it), the averages' figure below 700 px (two
    # paragraphs of notes under its formulas); the introduction now waits beside the title
    page = projector(f"/{path}?presenter=true")
    figure = page.locator(f".st-key-{key}")
    expect(figure).to_be_visible(timeout=60_000)
    box = figure.bounding_box()
    assert box is not None and box["y"] <= top, box
    title = page.locator("[data-testid=stMainBlockContainer] h1").bounding_box()
    about = page.get_by_text(t("intro_label", "en")).bounding_box()
    assert title and about and about["y"] < title["y"] + title["height"]  # (on the title's row)
    _main_fits(page)


def test_the_descents_play_is_on_a_projectors_first_screen(projector):
    # fresh-eyes teachers: on a projector the view's animation, the descent, was 4,000 px down,
    # under the data, the formulas and the surfaces, and then under a row of its settings
    page = projector("/loss-surface?presenter=true")
    wait_for_figures(page, 4)
    play = page.locator(".st-key-descent_fig g.updatemenu-button").first
    box = play.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 720, box
    whole = page.locator(".st-key-descent_fig .js-plotly-plot").bounding_box()  # (its slider
    assert whole and whole["y"] + whole["height"] <= 720, whole  # was cut at 720: teacher D)
    surfaces = page.get_by_text(t("ls_surfaces", "en"), exact=True).bounding_box()
    assert surfaces and surfaces["y"] > box["y"]  # (the surfaces under it)
    settings = page.get_by_text(t("ls_descent_settings", "en")).bounding_box()
    assert settings and settings["y"] > box["y"]  # (its settings folded under it)
    _main_fits(page)


def test_a_lessons_why_and_the_views_about_share_a_row_on_a_projector(view):
    # a projector's lesson box titles the view: the view's "About this view" took a row of its
    # own under the box, pushing the figure and its ▶ down 70 px
    open_view, page, _ = view
    page.set_viewport_size({"width": 1280, "height": 720})
    open_view("/loss-surface?presenter=true&lesson=lr_too_large")
    why, about = (page.get_by_text(t(k, "en")) for k in ("lesson_why_label", "intro_label"))
    expect(about).to_be_visible(timeout=60_000)  # (drawn by the view, after the lesson's box)
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=60_000)
    wait_for_figures(page, 4)
    at, beside = why.bounding_box(), about.bounding_box()
    assert at and beside and abs(at["y"] - beside["y"]) < 4, (at, beside)
    # (the animation comes first there: nothing to go down to)
    expect(page.get_by_text(t("lesson_then_play", "en").split("▶")[0].strip())).to_be_visible()
    _main_fits(page)

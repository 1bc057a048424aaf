"""The charts (pages/chart.js) in a real browser: which plotly.js bundle a view loads, what a
student sees when it cannot load, and full screen."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.e2e.test_browser import assert_clean, wait_for_figures

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "pages"))
import charts  # (the chart component's Python side, from pages/)

pytestmark = pytest.mark.browser


def bundles_requested(page) -> list[str]:
    """The plotly.js bundles that the page asked the server for, in order."""
    names = []
    page.on(
        "request",
        lambda r: names.append(r.url.rsplit("/", 1)[-1]) if "/app/static/" in r.url else None,
    )
    return names


def test_a_view_loads_only_the_bundle_its_figures_need(view):
    open_view, page, errors = view
    names = bundles_requested(page)
    open_view("/race")  # 2-D figures only
    wait_for_figures(page, 2)
    assert names == ["plotly-2d.min.js"]
    # moving to a view with 3-D surfaces loads the 3-D bundle, once, and every figure draws
    page.locator("[data-testid=stSidebarNav] a").filter(has_text="Loss surfaces").click()
    wait_for_figures(page, 6)
    assert names == ["plotly-2d.min.js", "plotly-3d.min.js"]
    assert page.locator(".js-plotly-plot .gl-container canvas").count() >= 2  # the 3-D scenes
    assert_clean(page)
    assert not errors


def test_a_view_with_3d_figures_loads_the_3d_bundle_alone(view):
    open_view, page, _ = view
    names = bundles_requested(page)
    open_view("/loss-surface")
    wait_for_figures(page, 6)
    assert names == ["plotly-3d.min.js"]  # not the 2-D one first: the charts agree on one


@pytest.fixture
def stub_page(chromium):
    """A blank page with pages/chart.js as a module and stub builds of plotly.js: the loader's
    choices, alone, in any order of mounting. Returns the page and the builds it asked for."""
    bodies = {
        "index.html": "<!doctype html><div id=a></div>",
        "chart.js": charts.chart_module(),  # as the component gets it
        "app/static/plotly-2d.min.js": "window.Plotly = {build: '2d'};",
        "app/static/plotly-3d.min.js": "window.Plotly = {build: '3d'};",
    }
    context = chromium.new_context()
    page = context.new_page()
    names = bundles_requested(page)
    page.route(
        "http://playground.test/**",
        lambda route: route.fulfill(
            body=bodies[route.request.url.split("/", 3)[3]],
            content_type="text/javascript" if route.request.url.endswith(".js") else "text/html",
        ),
    )
    page.goto("http://playground.test/index.html")
    page.evaluate("async () => { window.mount = (await import('/chart.js')).default; }")
    yield page, names
    context.close()


def test_a_chart_that_mounts_before_the_preload_waits_for_the_build_on_its_way(stub_page):
    """Streamlit may mount a view's first 2-D chart before the sidebar's preload of the 3-D build
    (seen in CI): the chart then uses the 3-D build instead of fetching the 2-D one as well."""
    page, names = stub_page
    page.evaluate(
        """() => {
            const chart = {layout: {}, data: [{type: "scatter", x: [0], y: [0]}]};
            const element = document.getElementById("a");
            mount({parentElement: element, setTriggerValue() {},
                   data: {spec: JSON.stringify(chart), needs3d: false}});
            mount({parentElement: element, data: {preload: "3d", idle: false}});
        }"""
    )
    page.wait_for_function("window.Plotly !== undefined")
    page.wait_for_timeout(300)  # time for a second bundle to be asked for, if it were
    assert names == ["plotly-3d.min.js"]


def test_the_home_views_idle_preload_gives_way_to_a_view_opened_before_it_ran(stub_page):
    """A student who leaves the home view before the page was idle gets the 2-D build alone."""
    page, names = stub_page
    page.evaluate(
        """async () => {
            const element = document.getElementById("a");
            mount({parentElement: element, data: {preload: "3d", idle: true}});  // home
            mount({parentElement: element, data: {preload: "2d", idle: false}});  // the race
            // idle callbacks run in turn: once this one runs, the home view's has run
            await new Promise((done) => requestIdleCallback(done, {timeout: 5000}));
        }"""
    )
    page.wait_for_function("window.Plotly !== undefined")
    assert names == ["plotly-2d.min.js"]


def test_the_home_view_loads_plotly_while_idle_for_the_view_opened_from_it(view):
    open_view, page, errors = view
    names = bundles_requested(page)
    open_view("/")
    page.wait_for_function("typeof window.Plotly === 'object'", timeout=30_000)
    assert names == ["plotly-3d.min.js"]  # the build that draws every view
    page.locator("[data-testid=stSidebarNav] a").filter(has_text="Optimizer race").click()
    wait_for_figures(page, 2)
    page.locator("[data-testid=stSidebarNav] a").filter(has_text="Loss surfaces").click()
    wait_for_figures(page, 6)
    assert names == ["plotly-3d.min.js"]  # nothing more to load
    # the preload shows nothing and leaves no gap: one gap between its neighbours in the sidebar
    spacing = page.evaluate(
        """() => { const slot = document.querySelector('.st-key-preload_charts');
            const gap = parseFloat(getComputedStyle(slot.parentElement).rowGap);
            const before = slot.previousElementSibling.getBoundingClientRect().bottom;
            return [slot.nextElementSibling.getBoundingClientRect().top - before, gap]; }"""
    )
    assert spacing[0] == pytest.approx(spacing[1], abs=1)
    assert_clean(page)
    assert not errors


def test_a_chart_that_cannot_load_plotly_says_so(view):
    open_view, page, errors = view
    page.route("**/app/static/*.js", lambda route: route.abort())
    open_view("/ewa")
    notice = page.get_by_text("This chart could not be drawn").first
    notice.wait_for(timeout=30_000)
    assert "Reload the page" in notice.inner_text()
    assert_clean(page)  # a message in place of the chart, not a traceback
    # the console says which loads were refused (this test refused them), and nothing else
    refused = [e for e in errors if "Failed to load resource" in e and "/app/static/" in e]
    assert refused and refused == errors, errors
    errors.clear()


def test_full_screen_gives_the_chart_the_screen_and_then_its_height_back(view):
    open_view, page, _ = view
    open_view("/ewa")
    wait_for_figures(page, 5)
    chart = page.locator(".js-plotly-plot").first
    chart.scroll_into_view_if_needed()
    height = chart.evaluate("gd => gd._fullLayout.height")
    chart.hover()
    chart.locator("[data-title='Full screen']").click()
    page.wait_for_function(
        "() => document.fullscreenElement && document.fullscreenElement._fullLayout"
        " && document.fullscreenElement._fullLayout.height === window.innerHeight",
        timeout=10_000,
    )
    assert page.evaluate("innerHeight") != height
    page.evaluate("document.exitFullscreen()")
    page.wait_for_function(
        f"gd => !document.fullscreenElement && gd._fullLayout.height === {height}",
        arg=chart.element_handle(),
        timeout=10_000,
    )
    assert_clean(page)


# What a student sees of the race's map: its lines, the slider's labels and grip, the images.
# What is on screen: the drawn paths of the visible traces (a piece of a path that the
# animation has not reached yet is there with opacity 0), the slider and the images.
DRAWN = """gd => [...gd.querySelectorAll(
  '.scatterlayer path, .slider-group .slider-grip, .slider-group text, .layer-above image'
)].filter(n => !n.closest('.trace') || getComputedStyle(n.closest('.trace')).opacity !== '0')
 .map(n => (n.getAttribute('d') || '') + n.textContent + (n.getAttribute('transform') || ''))"""

VISIBLE_PATHS = """gd => [...gd.querySelectorAll('.scatterlayer path')]
  .filter(n => getComputedStyle(n.closest('.trace')).opacity !== '0')
  .map(n => n.getAttribute('d'))"""


def new_setting(page, race, label: str, value: str) -> None:
    """Type ``value`` into the setting ``label`` and wait until the race shows the new figure."""
    shown = race.evaluate("gd => gd.__drawn")
    box = page.get_by_role("spinbutton", name=label).first
    box.fill(value)
    box.press("Enter")
    page.wait_for_function(
        "([gd, shown]) => gd.__drawn !== shown && gd.__drawn === gd.__spec",
        arg=[race.element_handle(), shown],
        timeout=30_000,
    )


# The figure on screen drawn again whole, by Plotly.react from the JSON it was sent
REDRAW_WHOLE = """gd => { const f = JSON.parse(gd.__spec);
  Object.assign(f.layout, {template: gd.layout.template, title: gd.layout.title});
  return gd.__plotly.react(gd, {data: f.data, layout: f.layout, frames: f.frames,
                                config: gd.__config}); }"""


def test_a_new_number_of_steps_moves_the_race_in_place_as_a_whole_redraw_would(view):
    open_view, page, errors = view
    open_view("/race")
    wait_for_figures(page, 2)
    race = page.locator(".js-plotly-plot").first
    for label, value in (("Steps", "37"), ("Start x", "0.5"), ("Steps", "250")):
        new_setting(page, race, label, value)
        # only the paths moved: updated in place, with the new frames and slider
        assert race.evaluate("gd => gd.__how") == "in place"
        frames, sent = race.evaluate(
            "gd => [gd._transitionData._frames.map(f => f.name),"
            " JSON.parse(gd.__spec).frames.map(f => f.name)]"
        )
        assert frames == sent
        in_place = race.evaluate(DRAWN)
        race.evaluate(REDRAW_WHOLE)  # the same figure drawn whole looks exactly the same
        assert race.evaluate(DRAWN) == in_place
    # and played to its end, the figure moved in place draws the paths a whole redraw draws
    new_setting(page, race, "Steps", "60")
    assert race.evaluate("gd => gd.__how") == "in place"
    last = "gd => gd.__plotly.animate(gd, [JSON.parse(gd.__spec).frames.at(-1).name],"
    last += " {mode: 'immediate', frame: {duration: 0, redraw: false}, transition: {duration: 0}})"
    at_end = "gd => /step 60$/.test(gd.querySelector('.slider-group text')?.textContent)"
    race.evaluate(last)
    page.wait_for_function(at_end, arg=race.element_handle(), timeout=10_000)
    in_place_paths = race.evaluate(VISIBLE_PATHS)
    race.evaluate(REDRAW_WHOLE)
    race.evaluate(last)
    page.wait_for_timeout(500)  # (the slider's label is not what this compares)
    assert race.evaluate(VISIBLE_PATHS) == in_place_paths
    assert not errors


@pytest.mark.parametrize("last_epoch", [50, 300, 2000])
def test_the_lab_curves_margin_holds_an_epoch_label_on_the_axis_end(chromium, last_epoch):
    """While training runs the curves' axis ends at the newest epoch; when that is a tick
    ("50", "300", "2000"), its label sits on the edge, and a margin too small for it makes
    plotly.js lay the figure out twice (the browser test of the lab caught it in CI)."""
    import json

    import numpy as np

    from playground.figures import export, lab

    epochs = np.arange(1, last_epoch + 1)
    val = np.stack([1 / epochs, 2 / epochs], axis=1)  # (E, 2)
    fig = lab.curves_figure(epochs, val, val, ["a", "b"], np.array([0, 0]), np.array([0, 0]))
    static = Path(charts.__file__).parent / "static" / "plotly-2d.min.js"
    theme = export.THEME_FILE.read_text(encoding="utf-8")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_content("<!doctype html><div id=a style='width:402px'></div>")
    page.add_script_tag(path=str(static))
    spec = json.loads(fig.to_json())
    size = page.evaluate(
        """async ([spec, theme]) => {
             const layout = {...spec.layout, template: theme};
             await Plotly.newPlot('a', spec.data, layout);
             const s = document.getElementById('a')._fullLayout._size;
             return {r: s.r, wanted: layout.margin.r};
           }""",
        [spec, json.loads(theme)],
    )
    context.close()
    assert round(size["r"]) <= size["wanted"], size


def test_no_chart_offers_to_share_its_data_with_a_cloud(view):
    # A fresh-eyes teacher found "Share chart…" (plotly's upload to Plotly Cloud) on every
    # chart's toolbar, beside a class's data, and in the exported pages too.
    open_view, page, _ = view
    open_view("/ewa")
    wait_for_figures(page, 3)
    titles: list[str] = []
    for frame in page.frames:
        titles += frame.evaluate(
            "() => Array.from(document.querySelectorAll('.modebar-btn'))"
            ".map(e => e.getAttribute('data-title') || '')"
        )
    assert "Zoom" in titles  # (the toolbar is there)
    assert not [t for t in titles if "share" in t.lower() or "cloud" in t.lower()], titles

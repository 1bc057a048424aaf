"""Every view in a real browser: it loads without error, every figure draws, the main controls
change the figure, and animations advance when played. Screenshots go to docs/screenshots
when PLAYGROUND_SCREENSHOTS=1 (``make screenshots``)."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect
from views import VIEWS

from playground.i18n import t
from tests.e2e.conftest import SHOTS

pytestmark = pytest.mark.browser
# How many plotly figures on the page have drawn: each one's first SVG layer exists.
FIGURES_DRAWN = (
    "Array.from(document.querySelectorAll('.js-plotly-plot'))"
    ".filter(gd => gd.querySelector('.main-svg')).length"
)


def wait_for_figures(page, count: int, timeout: float = 60_000) -> None:
    """Wait until ``count`` plotly figures have drawn (a figure draws several SVG layers)."""
    page.wait_for_function(f"{FIGURES_DRAWN} >= {count}", timeout=timeout)
    page.wait_for_timeout(500)


def settle(page, timeout: float = 90_000) -> None:
    """Wait until the app has finished the run an action started (a short pause first: the
    run may not have begun when the action returns)."""
    page.wait_for_timeout(300)
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=timeout)


def open_menu(page, menu, button: str) -> None:
    """Open an export menu (its buttons exist once the rerun that opening starts is done) until
    ``button`` shows: under a loaded CI the reopening could race the rerun of its closing."""
    for _ in range(3):
        menu.click()
        settle(page)
        wanted = page.get_by_role("button", name=button).last
        try:
            wanted.wait_for(state="visible", timeout=20_000)
            return
        except Exception:  # (closed again by the rerun in between: click it open once more)
            continue
    raise AssertionError(f"the menu never showed {button!r}")


def close_menu(page) -> None:
    page.keyboard.press("Escape")
    settle(page)


def assert_clean(page) -> None:
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.locator("[data-testid=stAlertContentError]").count() == 0, page.locator(
        "[data-testid=stAlertContentError]"
    ).all_inner_texts()


def assert_laid_out_once(page) -> None:
    """Every 2-D figure's margins already hold its labels: plotly.js did not have to grow them
    (and lay the figure out a second time, 40-50 % of its drawing time; figures/common.py)."""
    grown = page.evaluate(
        """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
          .filter(gd => gd._fullLayout && !gd._fullLayout._has('gl3d'))
          .map(gd => {
            const m = gd.layout.margin || {}, z = gd._fullLayout._size;
            const grew = ['l', 'r', 't', 'b'].filter(k => Math.round(z[k]) > (m[k] ?? 80));
            return grew.length ? (gd.layout.title?.text || 'untitled') + ': ' + grew : '';
          })
          .filter(Boolean)"""
    )
    assert grown == [], grown


def shot(page, name: str) -> None:
    if os.environ.get("PLAYGROUND_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.jpg"), type="jpeg", quality=70)


def slider_step(figure) -> int:
    """The step shown by a plotly animation's slider label ("step 12")."""
    text = figure.locator(".slider-group text").first.text_content() or ""
    found = re.search(r"(\d+)", text)
    return int(found.group(1)) if found else -1


def play(page, figure, seconds: float = 2.0) -> tuple[int, int]:
    figure.scroll_into_view_if_needed()
    before = slider_step(figure)
    figure.get_by_text("Play").click()
    page.wait_for_timeout(seconds * 1000)
    figure.get_by_text("Pause").click()
    return before, slider_step(figure)


def test_home_lists_every_view(view):
    open_view, page, _ = view
    open_view("/")
    page.wait_for_selector("text=Optimizer & loss playground")
    for v in VIEWS:  # every view of the registry: in the menu, and a card unless it is home
        name = t(f"nav_{v.key}", "en")
        links = page.get_by_role("link", name=name)
        expect(links.nth(1 if v.card else 0)).to_be_visible()  # waits for the cards to draw
    assert_clean(page)
    shot(page, "home")


def test_loss_surface_draws_reacts_and_animates(view):
    open_view, page, _ = view
    open_view("/loss-surface")
    wait_for_figures(page, 6)
    assert_clean(page)
    shot(page, "loss-surface")
    assert_laid_out_once(page)
    animation = page.locator(".js-plotly-plot").last
    before, after = play(page, animation)
    assert after > before >= 0
    lr = page.get_by_role("spinbutton", name="Learning rate η")
    lr.fill("0.5")
    lr.press("Enter")
    page.wait_for_selector("text=Diverged at step", timeout=30_000)


def test_race_draws_click_sets_start_and_animates(view):
    open_view, page, _ = view
    open_view("/race")
    wait_for_figures(page, 2)
    assert_clean(page)
    shot(page, "race")
    assert_laid_out_once(page)
    race = page.locator(".js-plotly-plot").first
    race.scroll_into_view_if_needed()
    area = race.locator(".nsewdrag").first.bounding_box()
    shown = race.evaluate("gd => gd.__drawn")  # the figure on screen (pages/chart.js)
    page.mouse.click(area["x"] + 0.25 * area["width"], area["y"] + 0.3 * area["height"])
    page.wait_for_function("new URL(location).searchParams.get('start_x') !== null", timeout=30_000)
    start_x = page.get_by_role("spinbutton", name="Start x")
    page.wait_for_function(
        "el => parseFloat(el.value) < 0", arg=start_x.element_handle(), timeout=30_000
    )
    page.wait_for_function(  # the map from the new start is drawn
        "([gd, shown]) => gd.__drawn !== shown && gd.__drawn === gd.__spec",
        arg=[race.element_handle(), shown],
        timeout=30_000,
    )
    before, after = play(page, page.locator(".js-plotly-plot").first)
    assert after > before >= 0
    page.goto(page.url.split("?")[0] + "?surface=himmelblau")
    wait_for_figures(page, 2)
    surface = page.locator(".st-key-surface input")
    assert surface.input_value() == "Himmelblau (four minima)"
    assert_clean(page)
    page.get_by_text("Draw the basin map").click()  # its legend names the four minima
    wait_for_figures(page, 3)
    assert_clean(page)
    assert_laid_out_once(page)


def test_ewa_draws_both_conventions_agree_and_animates(view):
    open_view, page, _ = view
    open_view("/ewa")
    wait_for_figures(page, 5)
    assert_clean(page)
    shot(page, "ewa")
    assert_laid_out_once(page)
    page.get_by_text("Swapped convention").click()
    page.wait_for_selector("text=Both conventions give the same curves", timeout=30_000)
    animation = page.locator(".js-plotly-plot").nth(3)
    before, after = play(page, animation)
    assert after > before >= 0


def test_overfit_lab_trains_live_and_stops(view):
    open_view, page, _ = view
    open_view("/overfit?epochs=400")
    page.wait_for_selector("text=Press Train", timeout=60_000)
    page.get_by_role("button", name="Train").click()
    page.wait_for_selector("text=Results", timeout=120_000)
    wait_for_figures(page, 2)
    assert_clean(page)
    shot(page, "overfit")
    assert_laid_out_once(page)
    page.get_by_role("button", name="Train").click()
    page.wait_for_selector("[data-testid=stProgress]", timeout=60_000)
    page.get_by_role("button", name="Stop").click()
    page.wait_for_selector("text=Results", timeout=60_000)
    progress = page.locator("[data-testid=stProgress]").first.inner_text()
    assert "Epoch" in progress
    assert_clean(page)


def test_convnet_trains_live_then_shows_kernels_maps_and_mistakes(view):
    open_view, page, _ = view
    open_view("/convnet?net_epochs=8")
    page.wait_for_selector("text=Press Train", timeout=60_000)
    wait_for_figures(page, 1)  # the sample digits
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_selector("[data-testid=stProgress]", timeout=60_000)
    page.wait_for_selector("text=Misclassified test digits", timeout=180_000)
    # samples, curves, kernels, probabilities, feature maps, confusion matrix, mistakes
    wait_for_figures(page, 7)
    assert_clean(page)
    # the results table gives error rates in % (as the curves and the progress line do)
    errors_shown = page.locator(".stMarkdown table").filter(has_text="test error").first
    assert re.search(r"\d+\.\d%", errors_shown.inner_text())
    kernels = page.locator(".js-plotly-plot").nth(2)
    kernels.evaluate("e => e.scrollIntoView({block: 'start'})")  # kernels, then one digit
    page.wait_for_timeout(500)
    shot(page, "convnet")
    before, after = play(page, kernels, 1.0)  # the replay starts over from epoch 1
    assert after >= 1 and (after != before or after == 8)
    maps = page.locator(".js-plotly-plot").nth(4)
    drawn = maps.inner_html()
    rotate = page.get_by_role("slider", name="Rotate (°)")
    rotate.focus()
    for _ in range(6):
        page.keyboard.press("ArrowRight")  # 30°, in steps of 5°
    expect(rotate).to_have_value("30")
    page.wait_for_function(
        "(old) => document.querySelectorAll('.js-plotly-plot')[4].innerHTML !== old",
        arg=drawn,
        timeout=30_000,
    )  # the feature maps of the rotated digit
    assert_clean(page)


def test_csv_uploads_in_the_loss_surface_view_and_the_lab(view, tmp_path):
    open_view, page, _ = view
    good = tmp_path / "line.csv"
    good.write_text(
        "hours,score,label\n" + "\n".join(f"{i},{3 * i + 1},{i % 2}" for i in range(40))
    )
    bad = tmp_path / "text.csv"
    bad.write_text("name,city\nann,paris\nbob,rome\n")
    open_view("/loss-surface?source=csv")
    page.wait_for_selector("text=Upload a CSV file", timeout=30_000)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(bad))
    page.wait_for_selector("text=text.csv could not be used", timeout=30_000)  # (and why:)
    # said in the sidebar and where the figures go (presenter mode folds the sidebar away)
    assert page.get_by_text("A table with at least two numeric columns").count() == 2
    main = page.locator("[data-testid=stMain]")
    assert main.get_by_text("A table with at least two numeric columns").count() == 1
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=30_000)
    assert page.locator("[data-testid=stException]").count() == 0
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(good))
    page.wait_for_selector("text=40 points.", timeout=30_000)
    wait_for_figures(page, 6)
    assert_clean(page)
    open_view("/overfit?task=csv&epochs=50")
    page.wait_for_selector("text=Upload a CSV file", timeout=60_000)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(good))
    page.wait_for_selector("text=Press Train", timeout=30_000)
    page.get_by_role("button", name="Train").click()
    page.wait_for_selector("text=Results", timeout=120_000)
    assert_clean(page)


def test_csv_far_from_the_origin_and_constant_x_draw_their_surfaces(view, tmp_path):
    # Unix timestamps put b* near −1.7e6, beyond the window inputs' old ±1e4 bounds (an error
    # box); constant x has a whole line of minima, which the view must say.
    open_view, page, _ = view
    times = tmp_path / "times.csv"
    times.write_text(
        "time,temp\n" + "\n".join(f"{1.7e9 + 60 * i:.0f},{20 + 0.06 * i}" for i in range(60))
    )
    flat = tmp_path / "flat.csv"
    flat.write_text("x,y\n2,1\n2,2\n2,3\n2,4\n2,10\n")
    open_view("/loss-surface?source=csv")
    page.wait_for_selector("text=Upload a CSV file", timeout=30_000)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(times))
    page.wait_for_selector("text=60 points.", timeout=30_000)
    wait_for_figures(page, 6)
    assert_clean(page)
    assert page.get_by_text("The MSE is lowest at w = 0.001, b = -1.7e+06").count() == 1
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(flat))
    page.wait_for_selector("text=All x are equal (x = 2)", timeout=30_000)
    wait_for_figures(page, 6)
    assert_clean(page)


def test_every_box_a_screen_reader_meets_has_a_name_of_words_not_markup(view):
    # the language box was read out as ":material/translate: Language · 语言"
    open_view, page, _ = view
    open_view("/landscape")
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=60_000)
    expect(page.get_by_role("spinbutton", name="Run 5: Learning rate η")).to_be_visible(
        timeout=60_000
    )
    boxes = page.locator("input, [role=combobox], [role=switch], [role=slider]")
    names = boxes.evaluate_all(
        """es => es.filter(e => e.type !== 'hidden' && e.getClientRects().length)
                   .map(e => e.getAttribute('aria-label')
                             || (e.labels && e.labels[0] && e.labels[0].innerText) || '')"""
    )
    assert len(names) > 20
    assert all(name.strip() for name in names), names
    assert not [name for name in names if ":material/" in name]
    assert len([n for n in names if "Optimizer" in n]) == len(
        set(n for n in names if "Optimizer" in n)
    )


def test_the_lab_refuses_a_file_without_losing_its_settings_and_guesses_a_class_column(
    view, tmp_path
):
    # a fresh-eyes teacher: after a refused file the lab's other settings vanished from the
    # sidebar and the file stayed listed; a table of x1, x2 and a 0/1 label was offered as a
    # regression of the label on x1
    open_view, page, _ = view
    bad = tmp_path / "words.csv"
    bad.write_text("name,city\nann,paris\nbob,rome\n")
    rng = __import__("numpy").random.default_rng(0)
    rows = [(a, b, int(a * b > 0)) for a, b in rng.normal(size=(80, 2))]
    good = tmp_path / "classes.csv"
    good.write_text("x1,x2,label\n" + "".join(f"{a:.3f},{b:.3f},{c}\n" for a, b, c in rows))
    open_view("/overfit?task=csv&epochs=30")
    uploader = page.locator("[data-testid=stFileUploaderDropzoneInput]")
    expect(page.get_by_text("Upload a CSV file")).to_be_visible(timeout=60_000)
    uploader.set_input_files(str(bad))
    said = page.get_by_text("words.csv could not be used")
    expect(said).to_have_count(2, timeout=30_000)  # in the sidebar, and where the figures go
    main = page.locator("[data-testid=stMain]")
    expect(main.get_by_text("words.csv could not be used")).to_be_visible()
    expect(main.get_by_text("at least two numeric columns")).to_be_visible()
    sidebar = page.locator("[data-testid=stSidebar]")
    expect(sidebar.get_by_text("Hidden layers")).to_be_visible()  # (the model's settings)
    expect(page.locator("[data-testid=stFileUploaderFile]")).to_have_count(0)  # not listed
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(good))
    expect(page.get_by_text("Press Train")).to_be_visible(timeout=30_000)
    expect(said).to_have_count(0)  # (a new file: the old message goes)
    features = sidebar.locator(".st-key-lab_features")
    expect(features).to_contain_text("x1")
    expect(features).to_contain_text("x2")
    expect(sidebar.locator(".st-key-lab_target input")).to_have_value("label")
    # a second file, of other columns: its own first guess (the box of features was empty)
    other = tmp_path / "hours.csv"
    other.write_text("hours,score\n" + "".join(f"{h},{3 * h + 1}\n" for h in range(40)))
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(other))
    expect(features).to_contain_text("hours", timeout=30_000)
    expect(sidebar.locator(".st-key-lab_target input")).to_have_value("score")
    expect(page.get_by_text("Press Train")).to_be_visible()
    assert page.locator("[data-testid=stAlert]").filter(has_text="Pick one feature").count() == 0
    assert_clean(page)


def test_the_learning_rate_box_keeps_its_value_when_an_upload_brings_it_back(view, tmp_path):
    # a fresh-eyes teacher: after Upload a CSV (the descent's boxes gone while no file is
    # there) and a file, the box showed 1e-12, its minimum, while the descent used 0.05; the
    # next change sent 1e-12 and the path never moved
    open_view, page, _ = view
    table = tmp_path / "line.csv"
    table.write_text("x,y\n" + "".join(f"{x / 10},{3 * x / 10 - 1}\n" for x in range(50)))
    open_view("/loss-surface")
    lr = page.get_by_role("spinbutton", name="Learning rate η")
    expect(lr).to_have_value("0.05", timeout=60_000)
    page.locator("[data-testid=stSidebar] label").filter(has_text="Upload a CSV").click()
    expect(page.get_by_text("Upload a CSV file")).to_be_visible(timeout=30_000)
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=30_000)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(table))
    expect(page.get_by_text("50 points.")).to_be_visible(timeout=30_000)
    expect(lr).to_have_value("0.05", timeout=30_000)  # (a loaded machine: drawn after the file)
    page.get_by_role("spinbutton", name="Steps").fill("120")
    page.get_by_role("spinbutton", name="Steps").press("Enter")
    expect(page.get_by_text("After 120 steps")).to_be_visible(timeout=30_000)
    expect(lr).to_have_value("0.05", timeout=30_000)  # (and the descent used it: it moved)
    assert page.get_by_text("w = 0, b = 0").count() == 0
    assert_clean(page)


def test_a_refused_file_leaves_the_view_on_the_last_file_that_could_be_used(view, tmp_path):
    # a fresh-eyes teacher: a broken file after a good one blanked every figure of the view
    open_view, page, _ = view
    good = tmp_path / "hours.csv"
    good.write_text("hours,score\n" + "".join(f"{h},{3 * h + 1}\n" for h in range(40)))
    bad = tmp_path / "words.csv"
    bad.write_text("name,city\nann,paris\nbob,rome\n")
    open_view("/loss-surface?source=csv")
    uploader = page.locator("[data-testid=stFileUploaderDropzoneInput]")
    expect(page.get_by_text("CSV file (up to 20 MB)")).to_be_visible(timeout=60_000)
    uploader.set_input_files(str(good))
    legend = page.get_by_text("data (40 of 40 points shown)").first
    expect(legend).to_be_visible(timeout=60_000)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(bad))
    expect(page.get_by_text("words.csv could not be used").first).to_be_visible(timeout=30_000)
    settle(page)
    expect(legend).to_be_visible()  # the figures stay, on hours.csv
    expect(page.get_by_text("hours.csv").first).to_be_visible()  # (said to be in use)
    wait_for_figures(page, 3)
    assert page.locator("[data-testid=stException]").count() == 0  # (the refusal: its message)

"""AppTest: every view runs without an exception, its widgets are there, changes rerun cleanly."""

import html
import inspect
import json
import os
import re
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "pages" / "app.py")
sys.path.insert(0, str(Path(APP).parent))
import charts  # noqa: E402  (the pages' helpers)
import views  # noqa: E402
import widgets  # noqa: E402

from playground import scratch  # noqa: E402
from playground.i18n import t  # noqa: E402
from playground.training import DEFAULT_VARIANTS  # noqa: E402

VIEWS = [v.script for v in views.VIEWS]  # the router's list


def open_view(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page != "home.py":
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def read_table(markdown: str) -> pd.DataFrame:
    """A Markdown table read back as a reader sees it (an independent reading of the syntax)."""
    rows = [
        [re.sub(r"\\(.)", r"\1", cell).strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        for line in markdown.strip().splitlines()
    ]
    assert all(set(c) <= set("-:") for c in rows[1]), "the second line is the rule"
    return pd.DataFrame(rows[2:], columns=rows[0])


def tables(at: AppTest) -> list[pd.DataFrame]:
    """The tables a view shows (widgets.table: Markdown), top to bottom."""
    return [read_table(m.value) for m in at.markdown if m.value.startswith("| ")]


def train_lab(at: AppTest, epochs: int) -> None:
    """Train the lab's run for ``epochs`` and wait until its results table is there."""
    at.number_input(key="epochs").set_value(epochs).run()
    at.button(key="train_btn").click().run()
    deadline = time.time() + 90
    while not tables(at) and time.time() < deadline:
        time.sleep(1)
        at.run()


def test_a_table_shows_every_cell_as_its_text_and_numbers_aligned_right():
    frame = pd.DataFrame(
        {"run": ["1. Adam | lr=0.1", "a*b $x$ _c_ <b>`d`</b> \\ ~e~"], "loss": ["1.2e-05", "—"]},
        index=pd.Index(["p", "q"], name="way"),
    )
    markdown = widgets.markdown_table(frame)
    assert read_table(markdown).equals(frame.reset_index(drop=True))
    assert markdown.splitlines()[1] == "| --- | ---: |"
    with_index = read_table(widgets.markdown_table(frame, index=True))
    assert with_index.columns.tolist() == ["way", "run", "loss"]
    assert with_index["way"].tolist() == ["p", "q"]
    assert "\n" not in widgets.markdown_table(pd.DataFrame({"a": ["two\nlines"]})).split("\n", 2)[2]


def test_a_views_first_run_leaves_what_the_server_loaded_out_of_the_collectors_walks():
    # a full collection over the server's million objects stalled every session for 0.3-1 s
    import gc

    from playground import heap

    open_view("race.py")
    assert gc.get_freeze_count() > 100_000  # streamlit, torch, plotly, the view's first figures
    assert heap.walked() < gc.get_freeze_count() / 4


def stored_downloads(at: AppTest) -> list[str]:
    """The download buttons whose file the server stored in this run (a file given to the
    button, not a function called when it is clicked): the browser fetches each one whole to
    check it, and a rerun that replaces it before the fetch left a 404 in the console."""
    return [b.proto.label for b in at.get("download_button") if b.proto.url]


@pytest.mark.parametrize("page", VIEWS)
def test_view_runs_without_exception_or_error(page):
    at = open_view(page)
    assert not at.error
    assert at.title
    assert stored_downloads(at) == []  # (a download is written when clicked)


def test_loss_surface_widgets_are_present_and_keyed():
    at = open_view("loss_surface.py")
    keys = {w.key for kind in (at.number_input, at.radio, at.slider, at.toggle) for w in kind}
    assert {
        "source",
        "res",
        "auto_window",
        "log_colour",
        "loss",
        "lr",
        "steps",
        "w0",
        "b0",
        "batch",
        "k",
        "gd_seed",
    } <= keys
    assert at.latex, "the formulas are shown"


def test_changing_widgets_reruns_cleanly():
    at = open_view("loss_surface.py")
    at.radio(key="loss").set_value("mae").run()
    at.slider(key="res").set_value(51).run()
    at.toggle(key="log_colour").set_value(True).run()
    at.radio(key="batch").set_value("mini").run()
    at.number_input(key="k").set_value(2).run()
    at.radio(key="source").set_value("noisy").run()
    at.number_input(key="n").set_value(5000).run()
    at.toggle(key="auto_window").set_value(False).run()
    at.number_input(key="w_min").set_value(-3.0).run()
    assert not at.exception and not at.error
    assert any("After" in s.value for s in at.success)


def test_too_large_learning_rate_says_diverged_without_exception():
    at = open_view("loss_surface.py")
    at.number_input(key="lr").set_value(0.5).run()
    assert not at.exception
    assert any("Diverged at step" in w.value for w in at.warning)


def test_inverted_window_gets_a_message_not_a_traceback():
    at = open_view("loss_surface.py")
    at.toggle(key="auto_window").set_value(False).run()
    at.number_input(key="w_min").set_value(9.0).run()
    assert not at.exception
    assert any("minimum below its maximum" in e.value for e in at.error)


def test_csv_source_without_upload_prompts():
    at = open_view("loss_surface.py")
    at.radio(key="source").set_value("csv").run()
    assert not at.exception
    assert any("Upload a CSV" in i.value for i in at.info)


def test_race_view_shows_runs_formulas_results_and_reacts():
    at = open_view("race.py")
    assert {f"r{i}" for i in range(5)} <= {s.key for s in at.selectbox}
    assert len(at.latex) >= 6  # the surface and each optimizer's update rule
    assert len(tables(at)[0]) == 5  # the results, a row a run
    at.selectbox(key="surface").set_value("rosenbrock").run()
    assert at.number_input(key="steps").value == 2000  # the surface's defaults were loaded
    at.selectbox(key="r0").set_value("lbfgs").run()
    at.number_input(key="r1_lr").set_value(10.0).run()
    assert not at.exception
    assert any("diverged at step" in w.value for w in at.warning)


def test_race_custom_formula_rejects_code_with_a_message():
    at = open_view("race.py")
    at.selectbox(key="surface").set_value("custom").run()
    at.text_input(key="formula").set_value("__import__('os').system('ls')").run()
    assert not at.exception
    assert any("allowed" in e.value for e in at.error)
    at.text_input(key="formula").set_value("x**2 + 3*y**2").run()
    assert not at.exception and not at.error


@pytest.mark.parametrize(
    ("surface", "tab", "intro"),
    [
        ("saddle", "Saddle-point lesson", "race_saddle_intro"),
        ("bowl", "Gradient and curvature", "race_curvature_intro"),
        ("custom", "Gradient and curvature", "race_curvature_intro"),  # (no saddle it knows of)
    ],
)
def test_the_saddle_point_lesson_is_offered_only_on_a_surface_with_a_saddle(surface, tab, intro):

    at = open_view("race.py")
    at.selectbox(key="surface").set_value(surface).run()
    panel = at.get("button_group")[0]
    assert panel.options[2] == tab
    at.session_state["panel"] = "saddle"
    at.run()
    assert not at.exception
    assert any(m.value == t(intro, "en") for m in at.markdown)


def test_race_basin_map_draws_on_request():
    at = open_view("race.py")
    at.selectbox(key="surface").set_value("himmelblau").run()
    at.slider(key="basin_n").set_value(20).run()
    at.toggle(key="basin_on").set_value(True).run()
    assert not at.exception and not at.error


@pytest.mark.parametrize("presenting", [False, True], ids=["laptop", "projector"])
def test_the_averages_formulas_each_have_their_note_under_them_or_as_their_help(presenting):
    # a fresh-eyes teacher: on a projector the two notes pushed the figure below the screen
    at = open_view("ewa.py")
    if presenting:
        at.toggle(key="presenter").set_value(True).run()
    notes = [t("ewa_convention", "en"), t("ewa_closed_form", "en")]
    shown = [c.value for c in at.main.caption if c.value in notes]
    helps = [f.proto.help for f in at.latex[:2]]
    assert (shown, helps) == (([], notes) if presenting else (notes, ["", ""]))


def test_ewa_view_series_conventions_and_optimizer_states():
    at = open_view("ewa.py")
    assert at.latex and len(at.multiselect) == 1
    at.toggle(key="swap").set_value(True).run()
    assert any("same curves" in s.value for s in at.success)
    assert any("Every state equals" in s.value for s in at.success)
    for source in ("walk", "step", "race", "csv"):
        at.radio(key="series").set_value(source).run()
        assert not at.exception and not at.error, source
    at.radio(key="series").set_value("temperature").run()
    at.multiselect(key="betas").set_value([]).run()
    assert not at.exception and any("at least one" in i.value for i in at.info)


def test_overfit_lab_trains_a_short_run_and_shows_results():
    at = open_view("overfit.py")
    assert any("Press Train" in i.value for i in at.info)
    train_lab(at, epochs=60)
    assert not at.exception and not at.error
    assert tables(at), "the results table appears when training ends"
    table = tables(at)[0]
    assert len(table) == 4 and "best epoch (validation)" in table.columns
    assert "Results table (CSV)" in [b.proto.label for b in at.get("download_button")]
    # the replay of an earlier fit says which epoch it is, with that epoch's losses (the
    # progress line above stayed at the last epoch and the curves had no mark)
    replay = at.select_slider(key="replay")
    assert not any("Replaying" in c.value for c in at.caption)
    replay.set_value(replay.options[1]).run()
    (said,) = [c.value for c in at.caption if "Replaying" in c.value]
    assert f"epoch {replay.options[1]}" in said
    assert not any("nn.Sequential" in c.value for c in at.code)  # drawn only when opened
    at.session_state["code_lab_open"] = True
    at.run()
    assert any("nn.Sequential" in c.value for c in at.code), "show the code: the baseline's script"
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"Results table (CSV)", t("show_code_download", "en")} <= set(labels)
    assert stored_downloads(at) == []  # the table and the script are written when clicked
    # each variant's own script (only the baseline's was offered): weight decay with its λ
    picker = at.selectbox(key="code_lab_run")
    assert picker.options == [t(f"lab_variant_{v.name}", "en") for v in DEFAULT_VARIANTS]
    picker.select("weight_decay").run()
    (script,) = [c.value for c in at.code if "nn.Sequential" in c.value]
    decay = at.number_input(key="wd").value
    assert f"'weight_decay': {decay!r}" in script and 'variant "weight_decay"' in script
    picker.select("dropout").run()  # (its masks differ in a plain model: no script, and why)
    assert not any("nn.Sequential" in c.value for c in at.code)
    assert any("dropout" in i.value for i in at.info)


def chart_spec(at: AppTest, key: str) -> dict:
    """The plotly specification chart ``key`` sent to the browser (pages/charts.py)."""
    (sent,) = [e for e in at.get("bidi_component") if e.proto.id.endswith(f"-{key}")]
    return json.loads(json.loads(sent.proto.json)["spec"])


def test_the_fit_after_early_stopping_says_its_line_is_of_the_kept_weights():
    # a fresh-eyes teacher read "The fitted functions at epoch 1000" over an early-stopping line
    # drawn from the weights it kept, hundreds of epochs earlier
    at = open_view("overfit.py")
    train_lab(at, epochs=60)
    results = tables(at)[0].set_index("variant")
    stopped = results.loc["Early stopping", "early stopping stopped at"]
    assert stopped != "—", "the test needs a run that early stopping ends"
    best = results.loc["Early stopping", "best epoch (validation)"]
    names = [trace.get("name") for trace in chart_spec(at, "lab_fit")["data"]]
    assert f"Early stopping (best: epoch {best})" in names
    assert "Baseline" in names  # (the others are at the title's epoch)


def test_convnet_view_shows_its_layers_trains_a_short_run_and_looks_inside():
    at = open_view("convnet.py")
    assert any("Press Train" in i.value for i in at.info)
    layers = tables(at)[0]
    assert layers.iloc[:, 0].tolist()[:2] == ["input", "conv1"]
    # each layer also says what it does, in the reader's language (its name is the code's)
    assert layers["what it does"].tolist()[:3] == [
        t("layer_kind_input", "en"),
        t("layer_kind_conv", "en"),
        t("layer_kind_relu", "en"),
    ]
    assert not any(kind.startswith("layer_kind_") for kind in layers["what it does"])
    at.number_input(key="net_epochs").set_value(3).run()
    at.button(key="net_train_btn").click().run()
    deadline = time.time() + 120
    while len(tables(at)) < 2 and time.time() < deadline:
        time.sleep(1)
        at.run()
    assert not at.exception and not at.error
    results = tables(at)[1]
    assert len(results) == 4 and "test error" in results.columns
    # the epoch its networks are at (a stopped run's caption said "Final networks")
    assert any(t("digits_results_note", "en", epoch=3) in c.value for c in at.caption)
    assert "Results table (CSV)" in [b.proto.label for b in at.get("download_button")]
    at.slider(key="net_dx").set_value(2).run()  # the robustness sliders rerun cleanly
    at.slider(key="net_angle").set_value(-20).run()
    assert not at.exception and not at.error
    # "Show the code": the baseline's training loop, runnable (tests/test_scripts.py runs it)
    assert not any("LeNet" in c.value for c in at.code)  # drawn only when opened
    at.session_state["code_net_open"] = True
    at.run()
    (script,) = [c.value for c in at.code if "class LeNet" in c.value]
    compile(script, "convnet.py", "exec")
    assert "epochs, batch_size, patience = 3," in script


def test_the_run_estimate_says_that_watching_slowly_takes_longer_on_screen():
    # a fresh-eyes teacher read "about 4 s" for a run watched slowly over tens of seconds
    at = open_view("overfit.py")
    (line,) = [c.value for c in at.caption if c.value.startswith("This run: about")]
    assert "slowly" not in line
    at.toggle(key="slow").set_value(True).run()
    (line,) = [c.value for c in at.caption if c.value.startswith("This run: about")]
    assert "Watched slowly, it is drawn over at least" in line


def test_overfit_lab_csv_source_prompts_for_a_file():
    at = open_view("overfit.py")
    at.selectbox(key="task").set_value("csv").run()
    assert not at.exception and not at.error
    assert any("Upload a CSV" in i.value for i in at.info)


def test_overfit_lab_combination_variant_is_configurable():
    at = open_view("overfit.py")
    at.toggle(key="use_combined").set_value(True).run()
    at.checkbox(key="combo_wd").set_value(False).run()
    train_lab(at, epochs=30)
    assert not at.exception and not at.error
    assert len(tables(at)[0]) == 5
    assert "Combination" in tables(at)[0].iloc[:, 0].tolist()


@pytest.mark.parametrize(
    ("page", "filename", "key"),
    [
        ("loss_surface.py", "descent.py", "code_gd"),
        ("race.py", "race.py", "code_race"),
        ("ewa.py", "ewa.py", "code_ewa"),
    ],
)
def test_each_view_shows_a_runnable_script_of_its_run_once_opened(page, filename, key):
    def shown():
        marker = "Generated by the optimizer-and-loss playground"
        return [c.value for c in at.code if marker in c.value]

    at = open_view(page)
    assert shown() == []  # drawn only when asked for: a page open does not pay for it
    at.session_state[key + "_open"] = True  # what opening "Show the code" sets
    at.run()
    scripts = shown()
    assert len(scripts) == 1
    compile(scripts[0], filename, "exec")  # valid Python (tests/test_scripts.py runs them)


def listings(at: AppTest) -> list[str]:
    """The text of the code listings a view shows (widgets.listing: coloured HTML), as read."""
    return [
        html.unescape(re.sub(r"<[^>]+>", "", h.proto.body)).strip()
        for h in at.get("html")
        if 'class="listing"' in h.proto.body
    ]


def training(at: AppTest) -> bool:
    """Whether the from-scratch view still waits for its torch ways."""
    return any("Still training" in i.value for i in at.info)


def settled(at: AppTest, timeout: float = 60) -> AppTest:
    """Rerun until the from-scratch view has every way (a browser's fragment polls for them)."""
    deadline = time.time() + timeout
    while training(at):
        assert time.time() < deadline, "the torch ways never arrived"
        time.sleep(0.2)
        at.run()
    assert not at.exception, at.exception
    return at


def test_from_scratch_view_runs_both_problems_and_rmsprop():
    at = settled(open_view("scratch.py"))
    assert any("same coefficients" in s.value for s in at.success)
    settled(at.radio(key="fs_problem").set_value("line").run())
    settled(at.radio(key="fs_opt").set_value("rmsprop").run())
    assert not at.exception and not at.error
    assert any("RMSprop ends" in i.value for i in at.info)
    shown = sorted(listings(at))  # (two columns: the tree holds them column by column)
    assert shown == sorted(inspect.getsource(way).strip() for way in scratch.WAYS.values())
    settled(at.number_input(key="fs_lr_line").set_value(0.9).run())
    (said,) = [w.value for w in at.warning if "diverged" in w.value]
    # "1. Gradients by hand…" at its start: a numbered list in Markdown (a fresh-eyes teacher)
    assert said.startswith("1\\. ") and ", 2. " in said  # (only the first would start a list)


def test_from_scratch_change_shows_numpys_way_at_once_and_the_torch_ways_when_done():
    at = settled(open_view("scratch.py"))
    at.number_input(key="fs_lr_sine").set_value(1.37e-6).run()  # new: nobody computed it yet
    assert training(at), "the rerun did not wait for the torch ways"
    assert not at.success, "no agreement is claimed before the torch ways are there"
    table = tables(at)[0]
    assert [r.startswith("1.") for r in table.iloc[:, 0]] == [True, False]  # numpy's way, exact
    settled(at)
    assert any("same coefficients" in s.value for s in at.success)
    assert len(tables(at)[0]) == 5  # the four ways and the exact solution


def test_from_scratch_work_nobody_waits_for_any_more_is_dropped_before_it_starts():
    at = settled(open_view("scratch.py"))
    clicks = [1e-6 + k * 1e-9 for k in range(1, 9)]  # a student pressing + eight times
    submitted = []  # the futures of the torch parts, one click after another
    for lr in clicks:
        at.number_input(key="fs_lr_sine").set_value(lr).run()
        waiting = at.session_state["_fs_waiting"]
        assert {args[1] for _, args in waiting} == {lr}, "this tab waits for its last η only"
        submitted += waiting.values()
    settled(at)
    # Two workers (and a queue of three) cannot have started all 16: the rest were dropped.
    assert sum(f.cancelled() for f in submitted) >= 1
    assert all(f.done() for f in submitted)
    assert any("same coefficients" in s.value for s in at.success)


def test_from_scratch_steps_moved_down_are_cut_from_the_tabs_longer_run():
    at = settled(open_view("scratch.py"))
    settled(at.number_input(key="fs_steps_sine").set_value(2600).run())  # to the 3,000 bucket
    assert at.session_state["_fs_last_plain"] == (("sine", 1e-6), 3000)
    at.number_input(key="fs_steps_sine").set_value(700).run()  # its bucket would be 1,000
    assert not training(at), "a cut of a run that is there computes nothing"
    assert at.session_state["_fs_last_plain"] == (("sine", 1e-6), 3000)  # numpy's and torch's
    assert any("same coefficients" in s.value for s in at.success)
    settled(at.radio(key="fs_opt").set_value("rmsprop").run())  # only the fourth: 700 → 1,000
    assert at.session_state["_fs_last_plain"] == (("sine", 1e-6), 3000)
    assert at.session_state["_fs_last_optim"] == (("sine", 1e-3, "rmsprop"), 1000)
    settled(at.number_input(key="fs_lr_sine").set_value(2e-6).run())  # its own bucket
    assert at.session_state["_fs_last_plain"] == (("sine", 2e-6), 1000)


def test_from_scratch_torch_ways_arrive_even_when_their_worker_is_killed():
    at = settled(open_view("scratch.py"))
    at.number_input(key="fs_lr_sine").set_value(1.19e-6).run()
    assert training(at)
    workers = sys.modules["workers"]  # the app's module: its pools are shared and cached
    long = workers.compute_pool("long")
    for pid in list(long._processes):  # as the out-of-memory killer would
        os.kill(pid, signal.SIGKILL)
    settled(at)
    assert not at.error
    assert any("same coefficients" in s.value for s in at.success)
    assert workers.compute_pool("long") is not long, "the broken lane was not restarted"
    healthy, quick = workers.compute_pool("long"), workers.compute_pool("quick")
    for pid in list(quick._processes):  # numpy's way runs in the quick lane
        os.kill(pid, signal.SIGKILL)
    settled(at.number_input(key="fs_lr_sine").set_value(1.21e-6).run())
    assert any("same coefficients" in s.value for s in at.success)
    assert workers.compute_pool("quick") is not quick and not workers.compute_pool("quick")._broken
    assert workers.compute_pool("long") is healthy, "a healthy lane's workers were dropped"


def test_a_click_reported_by_the_page_is_a_point_only_if_it_holds_two_finite_numbers():
    # the race map's click arrives from the browser: a tampered page may send anything
    assert charts.point_from({"x": -1.25, "y": "0.5"}) == (-1.25, 0.5)
    for sent in (
        None,
        "1,2",
        [1, 2],
        {"x": 1},
        {"x": "a", "y": 1},
        {"x": float("nan"), "y": 0},
        {"x": 1e400, "y": 0},
        {"x": None, "y": 2},
        {"x": {}, "y": 2},
    ):
        assert charts.point_from(sent) is None, sent


def test_the_lab_draws_a_finished_run_from_its_own_settings_not_the_current_widgets():
    # Toggling a variant after training used to relabel the curves and the results table with
    # the current widgets' variants (or fail: four results, three names).
    at = open_view("overfit.py")
    train_lab(at, epochs=40)
    before = tables(at)[0].iloc[:, 0].tolist()
    assert len(before) == 4
    at.toggle(key="use_dropout").set_value(False).run()  # a setting changed after training
    assert not at.exception and not at.error
    assert tables(at)[0].iloc[:, 0].tolist() == before  # still the trained run's variants
    assert any("changed" in w.value for w in at.warning)  # and the panel says so


@pytest.mark.parametrize(
    "formula", ["x**x**x**x**x**x", "exp(exp(exp(exp(x))))", "10**10**10", "x**99999999**9"]
)
def test_a_formula_that_overflows_shows_one_message_and_nothing_broken(formula):
    # The map's first frame was empty (IndexError: "Something went wrong"), and the basin map
    # below the race then failed on the same surface. A fresh-eyes teacher's x**99999999**9
    # then hid the whole race behind a note in the sidebar, and was named the last formula
    # that worked: it is said under the box, and the race stays on the one before.
    at = open_view("race.py")
    at.selectbox(key="surface").set_value("custom").run()
    at.text_input(key="formula").set_value("x**2 + 3*y**2").run()
    at.text_input(key="formula").set_value(formula).run()
    assert not at.exception
    assert len(at.error) == 1 and "finite" in at.error[0].value, [e.value for e in at.error]
    assert len(at.sidebar.error) == 1  # (under the box)
    assert at.latex[0].value.strip("$\n") == "f=x^{2} + 3 \\, y^{2}"  # the last that worked
    assert len(tables(at)[0]) == 5  # the race, a row a run
    at.text_input(key="formula").set_value("x**3 + y**2").run()
    assert not any("99999999" in c.value for c in at.sidebar.caption)  # never "worked"


@pytest.mark.parametrize("presenting", [False, True], ids=["laptop", "projector"])
@pytest.mark.parametrize("typo", ["x**2 +* y", "x**2 + 3*y**2)", "sinn(x)", "", "x*** 2"])
def test_a_formula_that_cannot_be_used_is_said_under_its_box_and_the_race_stays(typo, presenting):
    """One typo hid the whole race behind one message; the race now stays on the last formula
    that worked, and the message stands under the box where it was typed."""
    at = open_view("race.py")
    if presenting:
        at.toggle(key="presenter").set_value(True).run()
    at.selectbox(key="surface").set_value("custom").run()
    at.text_input(key="formula").set_value("x**2 + 3*y**2").run()
    at.text_input(key="formula").set_value(typo).run()
    assert not at.exception
    assert len(at.sidebar.error) == 1 and len(at.error) == 1, [e.value for e in at.error]
    assert any("x ** 2 + 3 * y ** 2" in w.value for w in at.main.warning)  # said by the race too
    (why,) = [e.value for e in at.sidebar.error]  # and why, where the class looks on a
    # projector (its sidebar folded away); not twice beside the sidebar (a fresh-eyes teacher)
    assert any(w.value.startswith(why) for w in at.main.warning) == presenting
    assert at.latex[0].value.strip("$\n") == "f=x^{2} + 3 \\, y^{2}"  # the last that worked
    assert len(tables(at)[0]) == 5  # the results, a row a run
    assert any("x ** 2 + 3 * y ** 2" in c.value for c in at.sidebar.caption)
    at.text_input(key="formula").set_value("x**2 + y**2").run()  # fixed: raced at once
    assert not at.error and at.latex[0].value.strip("$\n") == "f=x^{2} + y^{2}"


def test_a_comment_in_a_formula_is_said_to_be_left_out():
    # a fresh-eyes teacher typed "x**2 # comment": the race ran on x² and said nothing
    at = open_view("race.py")
    at.selectbox(key="surface").set_value("custom").run()
    at.text_input(key="formula").set_value("x**2 + y**2  # a bowl").run()
    assert not at.exception and not at.error
    assert at.latex[0].value.strip("$\n") == "f=x^{2} + y^{2}"
    said = [c.value for c in at.sidebar.caption if "comment" in c.value]
    assert len(said) == 1 and "x ** 2 + y ** 2" in said[0] and "a bowl" not in said[0]
    at.text_input(key="formula").set_value("x**2 + y**2").run()
    assert not any("comment" in c.value for c in at.sidebar.caption)


def test_the_fitted_window_inputs_follow_the_data():
    # With "fit the window to the data" on, the greyed-out inputs kept the first data's
    # window after the data changed (the plots were right, the numbers beside them were not).
    at = open_view("loss_surface.py")
    first = at.number_input(key="w_max").value
    at.radio(key="source").set_value("noisy").run()
    assert not at.exception and not at.error
    from playground import data, surfaces

    fit = surfaces.fit_window(*(lambda d: (d.x, d.y))(data.DataConfig("noisy").build()))
    assert at.number_input(key="w_max").value == pytest.approx(fit.w_max) != first


def test_a_learning_rate_suited_to_an_upload_is_not_also_given_a_default(monkeypatch):
    """An upload on which the learning rate diverges sets a suited one before the widget is
    drawn (suit_learning_rate); a widget also given a default makes Streamlit write a
    warning with a stack into the server's log."""
    import io

    import loss_surface_controls
    from streamlit.elements.lib import policies

    rows = "x,y\n" + "".join(f"{x},{3 * x + 1}\n" for x in range(0, 2000, 50))
    monkeypatch.setattr(
        loss_surface_controls.uploads, "csv_upload", lambda *a, **k: io.BytesIO(rows.encode())
    )
    warned: list[str] = []
    monkeypatch.setattr(policies, "_shown_default_value_warning", False)
    monkeypatch.setattr(policies.runtime, "exists", lambda: True)  # (AppTest runs without one)
    monkeypatch.setattr(policies._LOGGER, "warning", lambda msg, *a, **k: warned.append(a[0]))
    at = open_view("loss_surface.py")
    at.radio(key="source").set_value("csv").run()
    assert not at.exception, at.exception
    lr = at.number_input(key="lr").value
    x = np.arange(0, 2000, 50.0)
    hessian = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])  # MSE in (w, b)
    assert 0 < lr < 2 / np.linalg.eigvalsh(hessian).max(), "suited: below the stability bound"
    assert not warned, f"widgets given both a default and a state: {warned}"


def test_a_learning_rate_chosen_for_one_upload_is_chosen_again_for_the_next(monkeypatch):
    # a fresh-eyes teacher: after a file with large x (η lowered to suit it), a file with small
    # x kept the tiny η and its descent barely moved; a rate the student typed is theirs
    import io

    import loss_surface_controls

    wide = "x,y\n" + "".join(f"{x},{3 * x + 1}\n" for x in range(0, 2000, 50))
    small = "x,y\n1,2\n2,4\n3,6\n4,8\n"
    file = {"rows": wide}
    monkeypatch.setattr(
        loss_surface_controls.uploads,
        "csv_upload",
        lambda *a, **k: io.BytesIO(file["rows"].encode()),
    )
    at = open_view("loss_surface.py")
    at.radio(key="source").set_value("csv").run()
    lowered = at.number_input(key="lr").value
    assert lowered < 1e-3
    file["rows"] = small  # x in 1…4: the MSE Hessian λmax ≈ 16.7, bound 2/λ ≈ 0.12
    at.run()
    assert not at.exception, at.exception
    assert at.number_input(key="lr").value == loss_surface_controls.DEFAULT_LR
    file["rows"] = wide
    at.run()
    assert at.number_input(key="lr").value == lowered  # (chosen again for the wide file)
    at.number_input(key="lr").set_value(lowered / 2).run()  # the student's own
    file["rows"] = small
    at.run()
    assert at.number_input(key="lr").value == lowered / 2


def test_the_race_table_leaves_out_columns_with_no_value_and_says_which():
    # nine columns wrapped "escaped the saddle at step" onto four lines on a projector, beside
    # four columns of "—" on the saddle; on Rosenbrock the saddle's column was all "—"
    at = open_view("race.py")  # (the saddle x² − y²: no minimum, and no run diverges on it)
    shown = tables(at)[0]
    (said,) = [c.value for c in at.caption if c.value.startswith("The columns")]
    for column in ("diverged_at", "steps_to_tol", "distance", "nearest_minimum"):
        name = t(f"col_{column}", "en")
        assert name not in shown.columns and f"“{name}”" in said, name  # (quoted: a name)
    assert t("col_escaped_at", "en") in shown.columns  # (the saddle's lesson: its answer)
    assert len(shown.columns) == 5
    at.selectbox(key="surface").set_value("rosenbrock").run()
    shown = tables(at)[0]
    assert t("col_escaped_at", "en") not in shown.columns
    assert t("col_distance", "en") in shown.columns  # (a minimum, so a distance to it)


def test_each_box_of_a_landscape_run_says_which_run_it_is_of_to_a_screen_reader():
    # a fresh-eyes teacher's screen reader heard "Optimizer" five times, one per run
    at = open_view("landscape.py")
    labels = [at.selectbox(key=f"ll_r{i}_opt").label for i in range(5)]
    assert labels == [f"Run {i + 1}: Optimizer" for i in range(5)]
    assert at.number_input(key="ll_r2_lr").label == "Run 3: Learning rate η"


def test_the_basin_map_names_its_run_by_number_and_says_its_settings_as_they_are():
    # a fresh-eyes teacher: after run 1's η changed, the basin map's box still read
    # "1. SGD lr=0.01" while the race said "1. SGD lr=0.004"
    at = open_view("race.py")
    at.selectbox(key="surface").set_value("himmelblau").run()
    at.toggle(key="basin_on").set_value(True).run()
    assert not at.exception and not at.error
    box = at.selectbox(key="basin_run")
    assert box.options[0] == "Run 1"
    at.number_input(key="r0_lr").set_value(0.004).run()
    assert at.selectbox(key="basin_run").options[0] == "Run 1"
    (said,) = [c.value for c in at.caption if c.value.startswith("Drawn for")]
    assert "lr=0.004" in said


def test_a_lesson_on_a_surface_without_a_minimum_leaves_out_the_fair_race():
    # a fresh-eyes teacher: the saddle lesson ended on the fair race's "this surface has no
    # minimum" box, which is no part of its story
    from playground.lessons import LESSONS
    from tests.test_links import open_link

    lesson = LESSONS["saddle_escape"]
    at = open_link("race", {"lesson": "saddle_escape", **dict(lesson.params)})
    assert not at.exception
    assert not [h for h in at.subheader if h.value == t("fair_title", "en")]
    plain = open_view("race.py")  # (the view itself, on the saddle: the fair race says why)
    assert [h for h in plain.subheader if h.value == t("fair_title", "en")]


def test_the_rerun_that_train_starts_draws_the_first_epoch(monkeypatch):
    # under a class's load, the first epoch came a poll (0.5 s) and one more rerun after
    # Train (bench_load.py's Train → first epoch, up to 5.4 s): the Train rerun waits for it
    import training_panel

    monkeypatch.setattr(training_panel, "FIRST", 60.0, raising=False)  # (on a loaded machine)
    at = open_view("overfit.py")
    at.number_input(key="epochs").set_value(300).run()
    at.button(key="train_btn").click().run()
    assert not any("Starting" in i.value for i in at.info)
    (progress,) = at.get("progress")
    assert progress.proto.text.startswith("Epoch ")


def test_a_png_of_an_animation_nobody_played_is_of_the_frame_on_screen():
    # a fresh-eyes teacher: the ConvNet's kernels opened at epoch 10 (the last) and their PNG
    # was of epoch 1; a descent opens at its start
    import plotly.graph_objects as go

    from playground.figures import digits as df
    from playground.figures import export

    kernels = np.random.default_rng(0).normal(size=(3, 6, 5, 5))  # (E, K, k, k)
    fig = df.kernels_figure(kernels, [1, 5, 10], "Baseline")
    assert charts.opening_frame(fig, ["1", "5", "10"]) == "10"
    assert export.still(fig, frame="10").figure.layout.title.text.endswith("epoch 10")
    plain = go.Figure(go.Scatter(x=[0], y=[0]), frames=[go.Frame(name="a"), go.Frame(name="b")])
    assert charts.opening_frame(plain, ["a", "b"]) == "a"  # (no scrubber: its first)


def test_the_results_note_speaks_of_restored_weights_only_where_a_variant_stops_early():
    # a fresh-eyes teacher read "(early stopping: the restored best weights)" under the dropout
    # lesson's table, where nothing stopped early
    at = open_view("overfit.py")
    at.toggle(key="use_early_stopping").set_value(False).run()
    train_lab(at, epochs=30)
    said = t("lab_results_note", "en", epoch=30)  # (the epoch the models are of: a stopped
    notes = [c.value for c in at.caption if c.value.startswith(said)]  # run's is not "final")
    assert notes and not any("restored" in note for note in notes)
    at.toggle(key="use_early_stopping").set_value(True).run()
    train_lab(at, epochs=30)
    notes = [c.value for c in at.caption if c.value.startswith(said)]
    assert notes and all("restored" in note for note in notes)


@pytest.mark.parametrize("button", ["in_reset", "in_step"])
def test_inside_after_reset_or_step_the_line_beside_train_no_longer_speaks_of_the_last_run(
    button,
):
    # a fresh-eyes teacher: after Stop and Reset, the status read "Epoch 0" while the box
    # beside Train still said "Stopped at epoch 1075"
    at = open_view("inside.py")
    at.number_input(key="in_epochs").set_value(20).run()
    at.button(key="in_train_btn").click().run()
    deadline = time.time() + 90
    while not any("Trained with these settings" in i.value for i in at.info):
        assert time.time() < deadline, [i.value for i in at.info]
        time.sleep(0.5)
        at.run()
    at.button(key=button).click().run()
    said = [i.value for i in at.info]
    assert not any("Trained with these settings" in s or "Stopped at" in s for s in said), said
    assert any(s.startswith("Press **Train**") for s in said), said


def test_home_names_the_view_of_each_lesson_above_its_cards():
    # a fresh-eyes teacher: the lesson cards did not say which view they open, and lessons of
    # different views were mixed across the columns
    from playground.lessons import LESSONS

    at = open_view("home.py")
    heads = [h.value for h in at.subheader]
    used = {lesson.page for lesson in LESSONS.values()}
    pages = [v for v in views.VIEWS if v.url_path in used]
    assert heads == [t(f"nav_{v.key}", "en") for v in pages]


def test_reset_this_view_writes_no_widget_warning_into_the_servers_log(monkeypatch):
    # two fresh-eyes teachers read "widget with key 'lr' was created with a default value but
    # also had its value set via the Session State API" in the log after Reset this view: the
    # reset sets a widget's value on purpose, and the project's config says so
    import tomllib

    from streamlit import config
    from streamlit.elements.lib import policies

    root = Path(APP).parent.parent
    toml = tomllib.loads((root / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    option = "disableWidgetStateDuplicationWarning"
    monkeypatch.setattr(policies, "_shown_default_value_warning", False)
    monkeypatch.setattr(policies.runtime, "exists", lambda: True)  # (AppTest runs without one)
    warned: list[str] = []
    monkeypatch.setattr(policies._LOGGER, "warning", lambda msg, *a, **k: warned.append(msg))
    config.set_option(f"global.{option}", toml.get("global", {}).get(option, False))
    try:
        from tests.test_links import open_link

        at = open_link("loss-surface", {"lr": "0.02", "steps": "50"})  # (a link's settings)
        assert at.number_input(key="lr").value == 0.02
        at.button(key="reset_view").click().run()
        deadline = time.time() + 30
        while at.session_state["_page"] != "loss-surface" and time.time() < deadline:
            at.run()
        at.run()
    finally:
        config.set_option(f"global.{option}", False)
    assert not at.exception
    assert at.number_input(key="lr").value == 0.05  # (reset: the default again)
    assert not [w for w in warned if "default value" in str(w)], warned


def test_reset_this_view_after_training_forgets_the_run_and_says_press_train():
    # A fresh-eyes teacher reset the ConvNet after training: every result went, but a yellow
    # box said "The settings changed since this run" (the run was kept, of other settings).
    at = open_view("overfit.py")
    train_lab(at, 30)
    assert tables(at) and "_lab_job" in at.session_state
    at.button(key="reset_view").click().run()
    deadline = time.time() + 30
    while at.session_state["_page"] != "overfit" and time.time() < deadline:  # (switch_page)
        at.run()
    assert not at.exception
    assert "_lab_job" not in at.session_state
    changed = t("lab_changed", "en")
    assert not [w for w in at.warning if w.value == changed]
    assert not tables(at)  # no results of a run that is gone


@pytest.mark.parametrize(
    ("script", "toggle", "settings"),
    [
        ("overfit.py", "use_dropout", ("p",)),
        ("overfit.py", "use_weight_decay", ("wd",)),
        ("convnet.py", "net_use_early_stopping", ("net_patience",)),
    ],
)
def test_a_cures_setting_is_greyed_out_while_no_variant_on_uses_it(script, toggle, settings):
    # a fresh-eyes teacher changed dropout's p with dropout off, and nothing changed
    at = open_view(script)
    assert not any(at.number_input(key=k).disabled for k in settings)
    at.toggle(key=toggle).set_value(False).run()
    if script == "overfit.py":  # (the combined variant, off by default, takes every cure)
        assert not at.toggle(key="use_combined").value
    assert all(at.number_input(key=k).disabled for k in settings), toggle
    at.toggle(key=toggle).set_value(True).run()
    assert not any(at.number_input(key=k).disabled for k in settings)


@pytest.mark.parametrize(
    ("scale", "said"), [("1", "of 8 × 8 pixels."), ("2", "(the 8 × 8 originals")]
)
def test_the_convnets_split_says_when_its_digits_are_upscaled_and_groups_thousands(scale, said):
    # a fresh-eyes teacher: the intro says 8 × 8 pixels, the split "images of 16 × 16 pixels",
    # with no word of why; and "1,797" beside "1079"
    from tests.test_links import open_link

    at = open_link("convnet", {"net_scale": scale, "net_val": "0.05", "net_test": "0.05"})
    split = next(m.value for m in at.markdown if "validation" in m.value and "pixels" in m.value)
    assert said in split, split
    assert "**1,617** training" in split, split  # (1,797 less two 5 % parts)


@pytest.mark.parametrize("page", ["loss_surface.py", "ewa.py", "race.py"])
def test_a_view_with_an_animation_says_which_keys_play_it(page):
    # a fresh-eyes teacher found Space and ← → said under the race's map only, and took the
    # other views' animations for ones without keys
    at = open_view(page)
    keys = t("keys_hint", "en")
    assert any(keys in c.value for c in at.caption), [c.value for c in at.caption]


def test_the_race_says_a_new_surfaces_settings_in_a_toast_short_enough_to_read_whole():
    # a fresh-eyes teacher: the toast after choosing "Your own f(x, y)" was cut off behind
    # "view more" (Streamlit folds a toast after three lines of its narrow box, about 38
    # characters a line in English)
    from playground import landscapes

    for lang in ("en", "zh"):
        for name in landscapes.NAMES:
            said = t("race_surface_set", lang, surface=t(f"surface_{name}", lang))
            assert len(said) <= (90 if lang == "en" else 45), said


def test_from_scratch_offers_its_four_ways_as_one_script():
    at = open_view("scratch.py")
    assert any(e.label == t("show_code", "en") for e in at.expander)


def test_the_races_learning_rate_is_written_as_torchs_formulas_beside_it_write_it():
    # a fresh-eyes teacher: every run's control said "Learning rate η", the formulas beside it
    # (torch's) call it γ, and Adagrad's formula writes η for its lr_decay
    at = open_view("race.py")
    label = at.number_input(key="r0_lr").label
    assert "γ" in label and "η" not in label
    assert "γ" in t("race_lr", "zh")


def test_an_uploads_columns_with_no_number_are_named_under_its_boxes(monkeypatch):
    import io

    import loss_surface_controls
    import overfit_controls

    rows = "x,note,y,formula\n" + "".join(f"{x},n{x},{2 * x},=1+i\n" for x in range(30))
    upload = lambda *a, **k: io.BytesIO(rows.encode())  # noqa: E731
    monkeypatch.setattr(loss_surface_controls.uploads, "csv_upload", upload)
    monkeypatch.setattr(overfit_controls.uploads, "csv_upload", upload)
    at = open_view("loss_surface.py")
    at.radio(key="source").set_value("csv").run()
    assert not at.exception, at.exception
    said = [c.value for c in at.sidebar.caption if "hold no number" in c.value]
    assert said == ["Left out of the boxes above, as they hold no number: ` note `, ` formula `."]
    at = open_view("overfit.py")
    at.selectbox(key="task").set_value("csv").run()
    assert not at.exception, at.exception
    assert any("` note `, ` formula `" in c.value for c in at.sidebar.caption)


def test_the_lab_on_a_file_says_its_rows_instead_of_greyed_generator_settings(monkeypatch):
    # a fresh-eyes teacher: a 50-row file showed "Points 200", greyed
    import io

    import overfit_controls

    rows = "a,b,c\n" + "".join(f"{x},{x % 3},{x % 2}\n" for x in range(50))
    monkeypatch.setattr(
        overfit_controls.uploads, "csv_upload", lambda *a, **k: io.BytesIO(rows.encode())
    )
    at = open_view("overfit.py")
    at.selectbox(key="task").set_value("csv").run()
    assert not at.exception, at.exception
    keys = {w.key for w in at.sidebar.number_input}
    assert not keys & {"lab_n", "lab_noise", "lab_flip"}
    assert any(
        c.value.startswith("Points: the complete rows of your file (50 rows in it")
        for c in at.sidebar.caption
    )
    at.selectbox(key="task").set_value("moons").run()  # (and back: the generator's settings)
    assert at.number_input(key="lab_n").value == 200

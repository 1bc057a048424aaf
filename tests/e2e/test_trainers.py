"""A class shares the trainers (#32), checked in the browser: a run over the budget is refused
at Train with what fits; a student who presses Train while every trainer is busy is told how
many runs are ahead; and the runs of tabs that were closed free their trainers within seconds,
so the waiting run starts."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest

from playground import budget, data
from playground.training import TrainConfig
from tests.e2e.conftest import TRAINERS

pytestmark = pytest.mark.browser
WAITING = "Waiting for a free trainer"


def _lab(chromium, server: str, **params: str):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/overfit?{urlencode(params)}")
    page.wait_for_selector("text=Press Train", timeout=90_000)
    return context, page


def _train(page) -> None:
    page.get_by_role("button", name="Train").click()


def test_a_run_over_the_budget_is_refused_at_train_with_what_fits(chromium, server):
    # the run: 5,000 points, depth 6, width 256, 5,000 epochs, batch size 1 (~69 h)
    big = {"lab_n": "5000", "depth": "6", "width": "256", "epochs": "5000", "batch_size": "1"}
    context, page = _lab(chromium, server, **big)
    try:
        _train(page)
        page.wait_for_selector("text=at most", timeout=30_000)
        text = page.inner_text("[data-testid=stMain]")
        assert "one run may use 2 min" in text and "epochs fit" in text
        time.sleep(1.5)  # (a run that had started would show its state by now)
        assert "Starting" not in page.inner_text("[data-testid=stMain]")
        assert WAITING not in page.inner_text("[data-testid=stMain]")
    finally:
        context.close()


def test_closed_tabs_free_their_trainers_and_the_waiting_run_starts(chromium, server):
    # #32: two tabs pressed Train at long settings and closed; minutes later both workers still
    # trained, and a new student's run showed "Starting…" for as long as anyone watched.
    split = data.make_task(data.TaskConfig())
    held_out = len(split.val) + len(split.test)
    slow = TrainConfig(batch_size=1, epochs=5000)  # about 100 s: inside the budget
    assert not budget.lab(len(split.train), held_out, 1, 1, slow).over
    long = {"epochs": "5000", "batch_size": "1"}
    busy = [_lab(chromium, server, **long) for _ in range(TRAINERS)]
    for _, page in busy:
        _train(page)
    for _, page in busy:  # each is training (its first epochs drawn), none waiting
        page.wait_for_function(
            "() => !document.body.innerText.includes('Starting') &&"
            f" !document.body.innerText.includes('{WAITING}') &&"
            " document.querySelector('.st-key-lab_curves .js-plotly-plot') !== null",
            timeout=60_000,
        )
    context, page = _lab(chromium, server)
    try:
        _train(page)
        page.wait_for_selector(f"text={WAITING}", timeout=30_000)
        assert "0 run(s) ahead of yours" in page.inner_text("[data-testid=stMain]")
        for busy_context, _ in busy:  # the students close their tabs
            busy_context.close()
        closed = time.monotonic()
        page.wait_for_function(
            f"() => !document.body.innerText.includes('{WAITING}')", timeout=60_000
        )
        assert time.monotonic() - closed < 20, "the closed tabs' runs held the trainers"
        page.wait_for_selector("text=Results", timeout=90_000)  # and it trains to the end
    finally:
        context.close()


def test_an_upload_and_its_results_stay_when_the_student_visits_another_view(view, tmp_path):
    # #32: upload a CSV in the lab, train, go Home and back: the upload was gone and the
    # results hidden behind the upload prompt.
    open_view, page, _ = view
    good = tmp_path / "hours.csv"
    good.write_text("hours,score\n" + "".join(f"{i / 4},{3 * i / 4 - 2}\n" for i in range(40)))
    open_view("/overfit?task=csv&epochs=50")
    page.wait_for_selector("text=Upload a CSV file", timeout=60_000)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(good))
    page.wait_for_selector("text=Press Train", timeout=30_000)
    _train(page)
    page.wait_for_selector("text=Results", timeout=120_000)
    page.get_by_role("link", name="Home").first.click()
    page.wait_for_selector("text=Overfitting lab", timeout=30_000)
    page.get_by_role("link", name="Overfitting lab").first.click()
    page.wait_for_selector("text=Using", timeout=60_000)
    page.wait_for_selector("text=Results", timeout=60_000)  # the run it trained, not a prompt
    shown = page.inner_text("body")  # (the uploader is in the sidebar)
    assert "hours.csv" in shown and "Upload a CSV file, then" not in shown
    # forgetting it brings the prompt back
    page.get_by_role("button", name="Forget it").click()
    page.wait_for_selector("text=Upload a CSV file, then", timeout=30_000)

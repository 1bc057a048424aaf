"""Reset this view in a browser: the boxes show the defaults again, and keep them.

(The reset run gave every setting its default, but number boxes kept what the student had
typed on the screen and sent it back with the next click.)"""

from __future__ import annotations

import pytest

from playground.i18n import t
from tests.e2e.test_browser import assert_clean, settle

pytestmark = pytest.mark.browser


def box(page, key: str):
    return page.locator(f".st-key-{key} input").first


def type_into(page, key: str, value: str) -> None:
    field = box(page, key)
    field.fill(value)
    field.press("Enter")
    settle(page)


@pytest.mark.parametrize(
    ("path", "changed", "other", "value"),
    [
        ("/overfit", "lab_lr", "epochs", "0.05"),
        ("/ewa", "ewa_noise", "ewa_seed", "0.9"),
        ("/convnet", "net_epochs", "net_lr", "7"),
    ],
)
def test_reset_shows_the_defaults_and_the_next_click_keeps_them(view, path, changed, other, value):
    open_view, page, _ = view
    open_view(path)
    settle(page)
    default = box(page, changed).input_value()
    type_into(page, changed, value)
    assert box(page, changed).input_value() != default
    page.get_by_role("button", name=t("reset_view", "en")).click()
    settle(page)
    page.wait_for_function(
        f"() => document.querySelector('.st-key-{changed} input')?.value === {default!r}",
        timeout=60_000,
    )
    type_into(page, other, "3")  # another click: what the box sends back is the default
    assert box(page, changed).input_value() == default
    assert f"{changed}=" not in page.url
    assert_clean(page)


def test_reset_turns_the_races_basin_map_off(view):
    # the fresh-eyes teacher: the basin map's switch stayed on after Reset, and drew again
    open_view, page, _ = view
    open_view("/race?basin_on=true&basin_n=10")
    settle(page)
    switch = page.locator(".st-key-basin_on input[type=checkbox]").first
    assert switch.is_checked()
    page.get_by_role("button", name=t("reset_view", "en")).click()
    settle(page)
    page.wait_for_function(
        "() => !document.querySelector('.st-key-basin_on input[type=checkbox]')?.checked",
        timeout=60_000,
    )
    type_into(page, "race_seed", "3")  # the next click keeps it off
    assert not page.locator(".st-key-basin_on input[type=checkbox]").first.is_checked()
    assert page.locator(".st-key-basin_fig").count() == 0
    assert_clean(page)

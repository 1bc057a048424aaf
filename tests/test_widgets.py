"""Helpers of the pages that shape what a table shows."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pages"))
import widgets  # (from pages/)

from playground import landscapes, runs
from playground.optimizers import RunSpec


def test_every_blank_cell_of_a_table_reads_as_a_dash():
    frame = pd.DataFrame(
        {
            "a": [1.0, np.nan, np.inf],
            "b": pd.array([1, None, 3], dtype="Int64"),
            "c": ["x", "", None],
            "d": [pd.NaT, pd.Timestamp("2026-01-01"), pd.NaT],
        }
    )
    shown = widgets.display_table(frame)
    assert shown.loc[1].tolist()[:3] == ["—", "—", "—"]
    assert shown.loc[2, "c"] == "—" and shown.loc[0, "d"] == "—"
    assert not shown.isin(["", "nan", "None", "<NA>", "NaT"]).any().any()


def test_the_race_results_have_no_empty_cell_on_a_surface_without_known_minima():
    land = landscapes.get("custom", landscapes.SurfaceOptions(formula="x**2 - y**2"))
    contestants = [RunSpec.parse("sgd"), RunSpec.parse("adam")]
    paths = runs.race(land, contestants, runs.RaceConfig((1.0, 0.5), 20))
    shown = widgets.display_table(runs.race_table(land, contestants, paths, 1e-3))
    assert not shown.isin(["", "nan", "None", "<NA>", "NaT"]).any().any()


def test_plotly_s_own_words_are_translated_and_are_the_ones_its_bundles_say():
    # the tool bar said "Zoom", "Pan", "Download plot as a PNG" on a Chinese page
    import charts  # (from pages/)

    bundles = [
        (Path(charts.HERE) / "static" / name).read_text(encoding="utf-8")
        for name in ("plotly-2d.min.js", "plotly-3d.min.js")
    ]
    for english in charts.PLOTLY_WORDS:  # a renamed word in a new plotly.js would go English
        assert any(f'"{english}"' in bundle for bundle in bundles), english
    assert charts.plotly_locale("en") is None
    zh = charts.plotly_locale("zh")
    assert zh["name"] == "zh-CN" and set(zh["dictionary"]) == set(charts.PLOTLY_WORDS)
    assert all(
        not re.search(r"[A-Za-z]", word) or "PNG" in word for word in zh["dictionary"].values()
    )


def test_a_schedule_settings_help_never_claims_a_default_torch_does_not_have():
    # "torch's default is 0" for StepLR's step_size, which torch requires (a fresh-eyes finding)
    import schedule_controls  # (from pages/)

    from playground.schedules import SCHEDULES

    def said(schedule: str, name: str) -> str:
        return schedule_controls.setting_help(SCHEDULES[schedule].setting(name), "en", schedule)

    assert "set from the run" in said("step", "step_size")
    assert "torch's default" not in said("step", "step_size")
    assert "torch has no default" in said("exponential", "gamma")
    assert "torch's default is 0.1" in said("step", "gamma")  # (StepLR's own gamma=0.1)


def test_a_csv_has_no_zero_width_spaces_of_the_headers_wrap_hints():
    # (zh headers mark where they may wrap on the page: U+200B, which a spreadsheet would keep)
    from playground.i18n import t

    header = t("col_distance", "zh")
    assert "\u200b" in header
    frame = pd.DataFrame({header: [1.5]}).rename_axis(t("col_steps", "zh"))
    text = widgets.csv_text(frame)
    assert "\u200b" not in text
    assert text.splitlines()[0] == "最后一步,到最近极小值的距离"


def test_the_caption_of_one_column_left_out_speaks_of_one_column():
    # a fresh-eyes teacher: "…no run has a value in them: the columns “early stopping
    # stopped at”" for a single column
    from unittest import mock

    from playground.i18n import t

    where = mock.Mock()
    frame = pd.DataFrame({"run": ["a", "b"], "stopped at": ["—", "—"]})
    with mock.patch.object(widgets, "language", return_value="en"):
        widgets.table(frame, where)
    (said,) = where.caption.call_args[0]
    assert said == t("table_left_out_one", "en", columns="“stopped at”")
    where.reset_mock()
    frame["best"] = "—"
    with mock.patch.object(widgets, "language", return_value="en"):
        widgets.table(frame, where)
    (said,) = where.caption.call_args[0]
    assert said == t("table_left_out", "en", columns="“stopped at”, “best”")

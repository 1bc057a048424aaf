"""Helpers of the pages that shape what a table shows."""

from __future__ import annotations

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

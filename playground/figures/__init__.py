"""Pure plotly figure builders: arrays in, figure out. Nothing here computes a loss or trains."""

from playground.figures.common import BASE_FRAME_MS, MAX_FRAMES, SPEEDS, log_axis
from playground.figures.regression import (
    MAX_3D_POINTS,
    MAX_ANIMATION_GRID,
    MAX_SCATTER_POINTS,
    data_figure,
    descent_animation,
    surface_3d,
    surface_contour,
)

__all__ = [
    "BASE_FRAME_MS",
    "MAX_3D_POINTS",
    "MAX_ANIMATION_GRID",
    "MAX_FRAMES",
    "MAX_SCATTER_POINTS",
    "SPEEDS",
    "data_figure",
    "descent_animation",
    "log_axis",
    "surface_3d",
    "surface_contour",
]

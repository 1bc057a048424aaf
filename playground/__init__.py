"""The optimizer-and-loss playground: a pure library (no Streamlit) behind the dashboard.

Modules
-------
data      generated and uploaded data sets
surfaces  loss surfaces over (w, b) and the 2-D test functions of the optimizer race
runs      gradient-descent runs driven by torch.optim; they return data and never draw
figures   pure plotly figure builders: arrays in, figure out
i18n      the catalogue of every user-facing string
"""

__version__ = "0.1.0"

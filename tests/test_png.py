"""PNG exports share one browser: a class pressing Export together does not start one each."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from playground import figures
from playground.figures import export

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_png import PNG, burst  # (the benchmark's own measure)

pytestmark = pytest.mark.skipif(not export.png_available(), reason="no Chromium for kaleido")


def test_kaleido_says_whether_its_shared_browser_runs():
    """export._start_renderer relies on this internal of kaleido 1.x."""
    import kaleido

    assert callable(kaleido._global_server.is_running)
    assert isinstance(kaleido._global_server.is_running(), bool)


def test_pictures_asked_for_at_once_are_drawn_by_one_browser():
    _, peak, ok = burst(export.to_png, n=4)
    assert ok
    assert peak <= 12, peak  # one Chromium (about 6-9 processes), not one per picture (4 × 8)


def test_a_picture_drawn_while_another_is_drawn_is_whole():
    fig = figures.data_figure(np.arange(5.0), np.arange(5.0))
    out = []
    threads = [threading.Thread(target=lambda: out.append(export.to_png(fig))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 2 and all(b[:4] == PNG for b in out) and out[0] == out[1]


def test_an_exported_page_offers_no_upload_to_a_cloud():
    import plotly.graph_objects as go

    from playground.figures import export

    page = export.to_html(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])))
    assert '"showSendToCloud": false' in page and '"sendDataToCloud"' in page


def test_an_html_export_writes_no_warning_into_the_servers_log(capsys):
    # a fresh-eyes teacher read "Unrecognized config options supplied" at every export
    import warnings

    import plotly.graph_objects as go

    from playground.figures import export

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        export.to_html(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])))
    said = capsys.readouterr()
    assert "Unrecognized" not in said.out + said.err


def test_an_exported_pages_tab_is_named_by_its_figure_in_plain_text():
    # the HTML export's browser tab had no title (a fresh-eyes finding)
    import plotly.graph_objects as go

    from playground.figures import export

    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    fig.update_layout(title={"text": "Loss <b>against</b> step</title><script>alert(1)</script>"})
    page = export.to_html(fig)
    head = page[: page.index("</head>")]
    assert "<title>Loss against stepalert(1)</title>" in head  # (tags dropped, as plotly shows)
    assert "<script>alert(1)" not in head
    assert "<title>My view</title>" in export.to_html(go.Figure(), fallback="My view")


def test_a_picture_looks_as_the_figure_does_on_the_page_not_as_plotlys_default():
    # A teacher's PNGs had plotly's grey-blue plot area and other fonts: a slide showed
    # another figure than the class had seen. The page's theme (white, Streamlit's greys).
    import io
    import json

    from PIL import Image

    fig = figures.data_figure(np.arange(5.0), np.arange(5.0))
    image = Image.open(io.BytesIO(export.to_png(fig))).convert("RGB")
    pixels = np.asarray(image).reshape(-1, 3)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    most = tuple(int(c) for c in colours[counts.argmax()])
    theme = json.loads(export.THEME_FILE.read_text(encoding="utf-8"))["layout"]
    page = theme.get("plot_bgcolor") or theme.get("paper_bgcolor") or "#ffffff"
    expected = tuple(int(page.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    assert most == expected == (255, 255, 255), most  # (plotly's default: #e5ecf6 plot area)

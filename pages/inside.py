"""Inside the network: draw the data, build the network on its picture, train it live, and see
what every neuron computes; click an edge to set its weight by hand.

The session keeps the drawn points (also in the link), the layers, and the current weights
(``_in_state``; None: fresh ones drawn by the chosen initialisation). Train continues from the
current weights in the lab's workers (the shared training panel: Train / Stop / watch slowly);
Step trains one epoch; Reset draws fresh weights. Changing the features, the layers, the
initialisation or the seed gives a new network, so fresh weights.
"""

import charts
import compute
import frame
import inside_controls as controls
import inside_data as drawn
import inside_text as said
import numpy as np
import pandas as pd
import streamlit as st
import training_panel as panel
import widgets
import workers

from playground import budget, inside, jobs, scripts, training
from playground.figures import inside as fi
from playground.i18n import t
from playground.inside import NetSpec

lang = frame.language()
Job = workers.TrainingJob
MAP = 50  # grid points per axis of every node's map


def structure(spec: NetSpec) -> tuple:
    """What makes a new network: its weights no longer fit when this changes."""
    return (spec.features, spec.hidden, spec.init, spec.seed, spec.regression, spec.dropout)


def current(spec: NetSpec) -> dict | None:
    """The session's weights for this network (None: fresh ones), forgetting those of another."""
    if st.session_state.get("_in_structure") != structure(spec):
        st.session_state["_in_structure"] = structure(spec)
        st.session_state["_in_state"], st.session_state["_in_epoch"] = None, 0
        st.session_state["_in_history"] = []
        st.session_state.pop("_in_edge", None)
        st.session_state.pop("_in_moments", None)
    return st.session_state.get("_in_state")


def adopt(job: Job) -> None:
    """A finished (or stopped) training's weights and curve become the session's, once."""
    if job.summary is None or st.session_state.get("_in_adopted") is job:
        return
    st.session_state["_in_adopted"] = job
    st.session_state["_in_state"] = job.summary.state
    st.session_state["_in_moments"] = job.summary.moments  # (the next Train goes on with them)
    st.session_state["_in_epoch"] = job.records[-1].epoch if job.records else 0
    history = st.session_state.setdefault("_in_history", [])
    history += [said.row(r) for r in job.records]


def picture(pts, spec: NetSpec, state) -> tuple:
    """Maps, surface, curve and the weights (a worker computes them)."""
    return compute.inside_picture(pts, spec, state, MAP)


TALLEST = {"tallest": 500}  # px of the data map on a projector, with Train on one screen


def draw(pts, spec: NetSpec, state, history: list, live: bool) -> None:
    """The data with the network's output, the network's picture, the loss curves.

    While it trains (``live``) the same elements are drawn, the tools disabled, so that the
    page keeps its layout and does not jump when Train starts or ends.
    """
    maps, surface, curve, weights_state = picture(pts, spec, state)
    split = _test_mask(pts, spec)
    head = st.container()
    share = 0.5 if frame.presenting() else 0.45  # (a projector: the data map as large as can be)
    left, right = st.columns([share, 1 - share])
    # (a projector: the epoch's line over the network, the map right under Train)
    where = right if frame.presenting() else head
    where.caption(said.progress(history, lang, None if live else (pts, spec, state)))
    with left:
        # (a projector: the map right under Train, as high as fits with it; its tools under it)
        tools, chart = st.container(), st.container()
        if frame.presenting():
            chart, tools = tools, chart
        with tools:
            drawn.data_tools(lang, spec.regression, disabled=live)
        fig = fi.data_figure(
            pts.xy, pts.label, split, inside.WINDOW, surface, spec.regression, curve, lang
        )
        with chart:
            charts.chart(
                fig, "in_data", shared=False, on_click=drawn.on_data_click, share=share, **TALLEST
            )
        st.caption(t("in_points", lang, n=len(pts), most=inside.MAX_POINTS))
        if not spec.regression:
            st.caption(t("in_map_colours", lang))
        table = pd.DataFrame({"x1": pts.xy[:, 0], "x2": pts.xy[:, 1], "class": pts.label})
        if spec.regression:
            table = table.rename(columns={"x2": "y"}).drop(columns="class")
        table["test"] = split
        points_csv = t("in_points_csv", lang)  # (the drawn points, not a results table)
        widgets.results_csv(table, "points.csv", "dl_in_points", lang, points_csv, disabled=live)
    with right:
        names = [inside.FEATURE_LABELS[f] for f in spec.features]
        weights = inside.weights_of(weights_state, spec)
        edge = st.session_state.get("_in_edge")
        outputs = ["y"] if spec.regression else [t(f"in_class_{c}", lang) for c in (0, 1)]
        net = fi.network_figure(spec.sizes, weights, maps, names, edge, lang, outputs)
        charts.chart(net, "in_net", shared=False, on_click=on_net_click, share=1 - share)
        if edge is not None and not live:  # (right under the picture where it was clicked)
            edit(spec, weights_state, edge)
        st.caption(t("in_node_colours", lang))
        controls.layer_buttons(list(spec.hidden), lang, disabled=live)
        widgets.results_csv(
            said.weights_table(weights, spec, lang),
            "weights.csv",
            "dl_in_weights",
            lang,
            t("in_weights_csv", lang),
            disabled=live,
        )
    node = st.session_state.get("_in_node")
    if node is not None and node[0] < len(maps) and node[1] < len(maps[node[0]]):
        k, j = node
        title = t("in_node_title", lang, layer=said.layer_name(k, spec, lang), j=j + 1)
        output_class = j if k == len(maps) - 1 and not spec.regression else None
        node_fig = fi.node_figure(maps[k][j], inside.WINDOW, title, lang, output_class)
        charts.chart(node_fig, "in_node", shared=False)
    if inside.has_hidden_space(spec):
        with st.expander(t("in_hidden_expander", lang)):
            space = None if live else compute.inside_hidden_space(pts, spec, state)
            if space is None:
                st.caption(t("in_hidden_live", lang))  # (while it trains)
            else:
                fig = fi.hidden_space_figure(space[0], pts.label, space[1], lang)
                charts.chart(fig, "in_space", shared=False)
    if history:
        epochs, train, test, *_ = (np.array(v, dtype=float) for v in zip(*history, strict=True))
        charts.chart(fi.loss_figure(epochs, train, test, lang), "in_loss", shared=False)


def _test_mask(pts, spec: NetSpec) -> np.ndarray:
    """Which points are held out (the training's own split)."""
    return inside.test_mask(pts, spec.seed)


def on_net_click() -> None:
    """A click on the picture: an edge's marker selects it for editing, a node enlarges it."""
    point = charts.clicked_point("in_net")
    if point is None:
        return
    x, y = point
    if abs(x - round(x)) < 0.05:  # a node (layers sit at whole x)
        st.session_state["_in_node"] = (round(x), None, y)
        return
    sizes = st.session_state.get("_in_sizes") or []
    for k, i, j, mx, my in fi.edge_midpoints(sizes):
        if abs(mx - x) < 1e-6 and abs(my - y) < 1e-6:
            st.session_state["_in_edge"] = (k, i, j)
            return


def resolve_node(spec: NetSpec) -> None:
    """A clicked node's (layer, y) → (layer, index) for this network's picture."""
    node = st.session_state.get("_in_node")
    if node is not None and node[1] is None:
        k, _, y = node
        ys = fi.node_positions(spec.sizes)
        if 0 <= k < len(ys):
            st.session_state["_in_node"] = (k, int(np.argmin(np.abs(ys[k] - y))))
        else:
            st.session_state.pop("_in_node")


def edit(spec: NetSpec, state: dict, edge: tuple[int, int, int]) -> None:
    """The selected edge's weight, to set by hand (training paused): the picture and the data
    map follow at once."""
    k, i, j = edge
    weights = inside.weights_of(state, spec)
    if k >= len(weights) or i >= weights[k].shape[0] or j >= weights[k].shape[1]:
        return
    value = float(weights[k][i, j])  # (float32 in the state: compare to its precision)
    label = t(
        "in_edit_named",
        lang,
        to=said.layer_name(k + 1, spec, lang),
        i=i + 1,
        j=j + 1,
        src=said.layer_name(k, spec, lang),
    )
    key = f"in_w_{k}_{i}_{j}_{value:.5f}"  # (a new field when training moved the weight)
    new = st.number_input(label, -20.0, 20.0, round(value, 4), 0.1, format="%.4f", key=key)
    if abs(new - round(value, 4)) > 1e-6:  # the student typed a value: set it, redraw once
        names = sorted(
            (n for n in state if n.endswith(".weight")), key=lambda n: int(n.split(".")[0])
        )
        changed = {n: v.copy() for n, v in state.items()}
        changed[names[k]][i, j] = new
        st.session_state["_in_state"] = changed
        st.rerun()


workers.lab_workers()  # the lab's worker processes train here too
frame.heading(t("in_title", lang), t("in_intro", lang), lang)
with widgets.guarded(lang):
    pts = drawn.points(lang)
    spec, epochs = controls.spec(lang)
    st.session_state["_in_sizes"] = spec.sizes
    resolve_node(spec)
    current(spec)
    previous: Job | None = st.session_state.get("_in_job")
    if previous is not None:
        previous.collect()
        if previous.done and structure(previous.key[1]) == structure(spec):
            adopt(previous)  # (before Train: a new run continues from these weights)
    state = st.session_state.get("_in_state")
    first = st.session_state.get("_in_epoch", 0)

    moments = st.session_state.get("_in_moments")

    def start(pool, job: Job, pace: float, cap: float):
        source = (pts, spec, state, first, moments)
        run = (source, inside.Steps(epochs), job.inbox, job.stop, 0.1, inside.train, pace, cap)
        return pool.submit(training.train_to_queue, *run)

    cost = budget.inside(len(pts), spec, epochs)
    ids = ("in_train_btn", "in_stop_btn", "in_slow")
    key = (pts.key(), spec, epochs)  # (a Train continues from the session's weights)
    job = panel.buttons("_in_job", key, start, ids, t("in_press_train", lang), lang, cost)
    running = job is not None and not job.done
    c1, c2, _ = st.columns([1, 1, 4])
    if c1.button(t("in_step", lang), icon=":material/skip_next:", key="in_step", disabled=running):
        records, new_state, moments = workers.offload(
            jobs.inside_epochs, pts, spec, state, first, 1, moments
        )
        st.session_state["_in_state"], st.session_state["_in_epoch"] = new_state, first + 1
        st.session_state["_in_moments"] = moments
        st.session_state.setdefault("_in_history", []).extend(said.row(r) for r in records)
        st.session_state.pop("_in_job", None)  # (its "stopped at epoch …" is no longer so)
        st.rerun()
    if c2.button(
        t("in_reset", lang), icon=":material/restart_alt:", key="in_reset", disabled=running
    ):
        st.session_state["_in_state"], st.session_state["_in_epoch"] = None, 0
        st.session_state["_in_history"] = []
        st.session_state.pop("_in_moments", None)
        st.session_state.pop("_in_job", None)  # (a fresh network: nothing of the last run)
        st.rerun()
    if running:

        def live(current_job: Job) -> None:
            states = [r.state for r in current_job.records if r.state is not None]
            history = st.session_state.get("_in_history", []) + [
                said.row(r) for r in current_job.records
            ]
            draw(pts, spec, states[-1] if states else state, history, live=True)

        panel.live("_in_job", live, lang, waiting=lambda: live(job))  # (the weights so far)
    else:
        draw(
            pts,
            spec,
            st.session_state.get("_in_state"),
            st.session_state.get("_in_history", []),
            live=False,
        )
        if len(pts) <= inside.MAX_POINTS:
            script = scripts.inside_script(pts, spec, epochs)
            widgets.show_code(script, "inside.py", "code_in", help_key="in_code_help")
    panel.what_to_notice(job, lang, lambda: st.markdown(t("in_notice", lang)))
# a link's unusable points and layers were said in this run: a run started again for one of
# them (frame.restart_without) never gets here, so the other's notice was lost
for notice in ("_in_pts_rejected", "_in_hidden_rejected"):
    st.session_state.pop(notice, None)

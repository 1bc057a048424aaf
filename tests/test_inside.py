"""Inside the network: drawn points in links, every node's map against a direct forward pass,
features, initialisation, L1 against L2, weights edited by hand, and the lessons' claims."""

from unittest import mock

import numpy as np
import pytest
import torch
from torch import nn

from playground import inside
from playground.i18n import UserError, t
from playground.inside import NetSpec
from playground.lessons import LESSONS


def trained(spec: NetSpec, points=None, epochs: int = 300):
    points = points if points is not None else inside.preset("circles")
    *records, summary = inside.train((points, spec, None, 0), inside.Steps(epochs))
    return records, inside.load(inside.build(spec), summary.state)


def test_drawn_points_round_trip_through_the_link_on_the_grid_of_256_levels():
    points = inside.preset("moons", 150, seed=3)
    again = inside.decode_points(inside.encode_points(points))
    assert np.array_equal(again.label, points.label)
    assert np.abs(again.xy - points.xy).max() <= inside.WINDOW / 255 + 1e-12
    assert inside.encode_points(again) == inside.encode_points(points)  # stable once on the grid
    assert len(inside.encode_points(points)) == 4 * 150


@pytest.mark.parametrize(
    "text",
    ["abc", "!!!!", "AAAA" * (inside.MAX_POINTS + 1), "AAAC", "<script>", "A" * 7, "é" * 4],
)
def test_a_malformed_or_oversized_points_parameter_is_a_user_error(text):
    with pytest.raises(UserError):
        inside.decode_points(text)


def test_adding_and_erasing_points():
    points = inside.Points(np.zeros((0, 2)), np.zeros(0, int))
    points = inside.add_point(points, (1.0, 2.0), 1)
    points = inside.add_point(points, (100.0, -3.0), 0)  # clipped into the window
    assert points.xy.tolist() == [[1.0, 2.0], [inside.WINDOW, -3.0]] and points.label.tolist() == [
        1,
        0,
    ]
    assert len(inside.erase_near(points, (1.2, 2.1))) == 1


def test_every_nodes_map_is_that_neurons_output_computed_directly():
    spec = NetSpec(features=("x1", "x2", "x1x2"), hidden=(3, 2), activations=("relu", "sigmoid"))
    model = inside.build(spec)
    maps = inside.node_maps(model, spec, n=7)
    grid = inside.grid(7)  # (49, 2), x₁ fastest
    x = torch.tensor(
        np.stack([grid[:, 0], grid[:, 1], grid[:, 0] * grid[:, 1]], 1), dtype=torch.float32
    )
    l1, l2, l3 = inside.linears(model)
    with torch.no_grad():  # the network written out layer by layer
        h1 = torch.relu(x @ l1.weight.T + l1.bias)
        h2 = torch.sigmoid(h1 @ l2.weight.T + l2.bias)
        p = torch.softmax(h2 @ l3.weight.T + l3.bias, dim=1)
    for layer, direct in zip(maps, (x, h1, h2, p), strict=True):
        assert layer.shape == (direct.shape[1], 7, 7)
        np.testing.assert_allclose(layer, direct.numpy().T.reshape(-1, 7, 7), rtol=1e-5, atol=1e-6)
    # row i of a map is x₂ = axis[i]: the x₂ input's map grows down the rows
    assert np.all(np.diff(maps[0][1][:, 0]) > 0) and np.all(maps[0][1][:, 0] == maps[0][1][:, -1])


def test_the_features_set_the_input_layers_width():
    for features in (("x1",), ("x1", "x2", "x1sq"), tuple(inside.FEATURES)):
        model = inside.build(NetSpec(features=features))
        assert inside.linears(model)[0].in_features == len(features)


def test_each_initialisation_is_torchs_own():
    for name, fn in inside.INITS.items():
        spec = NetSpec(init=name, seed=5)
        model = inside.build(spec)
        torch.manual_seed(5)  # build draws the first layer's weights first, from the seed
        reference = nn.Linear(2, 4)
        fn(reference.weight)
        assert torch.equal(inside.linears(model)[0].weight, reference.weight), name
        assert all(torch.count_nonzero(m.bias) == 0 for m in inside.linears(model))


def test_l1_drives_more_weights_to_near_zero_than_l2_at_the_same_lambda():
    near_zero = {}
    for penalty in ("l1", "l2"):
        spec = NetSpec(hidden=(8, 8), activations=("tanh", "tanh"), penalty=penalty, lam=0.01)
        _, model = trained(spec)
        w = torch.cat([m.weight.detach().ravel() for m in inside.linears(model)])
        near_zero[penalty] = float((w.abs() < 1e-2).float().mean())
    assert near_zero["l1"] > 2 * near_zero["l2"]


def test_the_penalty_is_lambda_times_the_sum_of_weights_not_biases():
    spec = NetSpec(penalty="l1", lam=0.5)
    model = inside.build(spec)
    weights = [m.weight.detach() for m in inside.linears(model)]
    assert float(inside.penalty(model, spec).detach()) == pytest.approx(
        0.5 * float(sum(w.abs().sum() for w in weights))
    )
    l2 = NetSpec(penalty="l2", lam=0.5)
    assert float(inside.penalty(model, l2).detach()) == pytest.approx(
        0.5 * float(sum((w * w).sum() for w in weights))
    )


def test_equal_weights_keep_every_hidden_neuron_identical_the_lessons_claim():
    # a fresh-eyes teacher: the lesson started from zeros, whose maps stayed blank and whose
    # loss stayed flat: a dead network, not the symmetry the lesson asks about. Equal weights
    # (not zero) learn, and every neuron of a layer learns the same map.
    lesson = LESSONS["zero_init"]
    spec = NetSpec(init=lesson.setting("in_init"))
    assert spec.init == "same"
    model = inside.build(spec)
    assert all(bool((m.weight == inside.SAME_WEIGHT).all()) for m in inside.linears(model))
    before = inside.node_maps(model, spec, 20)
    history, model = trained(spec)
    maps = inside.node_maps(model, spec, 20)
    for layer in maps[1:-1]:  # every hidden layer: all its neurons the same map, not blank
        assert np.abs(layer - layer[0]).max() == 0
        assert np.ptp(layer[0]) > 0.1
    assert np.abs(maps[1][0] - before[1][0]).max() > 0.01  # it learned: its maps changed
    assert history[-1].train_loss < history[0].train_loss - 0.01  # and its loss fell
    # with zeros, starker (the "Why?"): blank maps, one colour, only the output's bias learns
    spec = NetSpec(init="zeros")
    _, model = trained(spec)
    maps = inside.node_maps(model, spec, 20)
    assert all(np.ptp(layer) == 0 for layer in maps[1:-1]) and np.ptp(maps[-1][1]) < 1e-6
    # and Xavier breaks the symmetry
    spec = NetSpec(init="xavier")
    _, model = trained(spec)
    first = inside.node_maps(model, spec, 20)[1]
    assert min(np.abs(first[i] - first[j]).max() for i in range(4) for j in range(i)) > 0.1


def test_the_right_features_let_a_model_without_hidden_layers_separate_circles():
    lesson = LESSONS["features"]
    on = {n[5:] for n, v in lesson.params if n.startswith("in_f_") and v == "true"}
    # it opens on the failure (a fresh-eyes teacher: opened on x₁², x₂², the untrained map was
    # already round and the class never saw x₁, x₂ fail); the class then ticks the squares
    assert lesson.setting("in_hidden") == "" and on == {"x1", "x2"}
    predict = t("lesson_features_predict", "en")
    assert "tick x₁² and x₂²" in predict
    points = inside.preset("circles")

    def test_accuracy(features) -> float:
        spec = NetSpec(features=features, hidden=(), activations=())
        _, model = trained(spec, points)
        _, _, xv, yv = inside.split(points, spec)
        with torch.no_grad():
            return float((model(xv).argmax(1) == yv).float().mean())

    assert test_accuracy(("x1sq", "x2sq")) > 0.95
    assert test_accuracy(("x1", "x2")) < 0.7


def test_editing_a_weight_changes_the_output_by_exactly_the_direct_computation():
    spec = NetSpec()
    model = inside.build(spec)
    state = inside.state_of(model)
    state["2.weight"] = state["2.weight"].copy()
    state["2.weight"][1, 3] += 0.75  # layer 2: to neuron 2 from neuron 4
    edited = inside.load(inside.build(spec), state)
    x = inside.inputs(np.array([[1.0, -2.0], [0.5, 0.5]]), spec.features)
    l1, l2, l3 = inside.linears(model)
    with torch.no_grad():
        w2 = l2.weight.clone()
        w2[1, 3] += 0.75
        h = torch.tanh(torch.tanh(x @ l1.weight.T + l1.bias) @ w2.T + l2.bias)
        direct = torch.softmax(h @ l3.weight.T + l3.bias, dim=1)
        np.testing.assert_allclose(inside.activations(edited, x)[-1], direct.numpy(), rtol=1e-6)
        assert not np.allclose(inside.activations(model, x)[-1], direct.numpy())


def test_training_continues_from_the_given_weights():
    spec = NetSpec()
    points = inside.preset("xor")
    *first, summary = inside.train((points, spec, None, 0), inside.Steps(20))
    *more, _ = inside.train((points, spec, summary.state, 20), inside.Steps(5))
    assert more[0].epoch == 21 and more[0].train_loss < first[0].train_loss


def test_training_again_goes_on_as_one_training_would():
    # a fresh-eyes teacher: pressing Train again (or Step) made the loss jump (0.0015 → 0.07):
    # each press began a new optimizer, whose first Adam steps from trained weights are large
    import dataclasses

    spec = dataclasses.replace(NetSpec(), batch_size=0)  # (full batch: no shuffling order)
    points = inside.preset("circles")
    *whole, _ = inside.train((points, spec, None, 0), inside.Steps(40))
    *first, summary = inside.train((points, spec, None, 0), inside.Steps(20))
    *more, _ = inside.train((points, spec, summary.state, 20, summary.moments), inside.Steps(20))
    np.testing.assert_allclose(
        [r.train_loss for r in first + more], [r.train_loss for r in whole], rtol=1e-5
    )
    *fresh, _ = inside.train((points, spec, summary.state, 20), inside.Steps(20))  # (the jump)
    assert not np.allclose([r.train_loss for r in fresh], [r.train_loss for r in more], rtol=1e-3)
    other = dataclasses.replace(spec, run=type(spec.run)("sgd", (("lr", 0.1),)))
    *changed, _ = inside.train(  # another optimizer starts afresh (its moments do not fit)
        (points, other, summary.state, 20, summary.moments), inside.Steps(3)
    )
    assert changed[0].epoch == 21


def test_too_few_points_is_a_message():
    with pytest.raises(UserError):
        list(inside.train((inside.preset("xor", 3), NetSpec(), None, 0), inside.Steps(2)))


def test_hidden_space_is_the_last_hidden_layers_output_and_only_for_two_neurons():
    points = inside.preset("xor", 30)
    spec = NetSpec(hidden=(5, 2), activations=("relu", "tanh"))
    model = inside.build(spec)
    images, lines = inside.hidden_space(model, spec, points, lines=5, n=9)
    l1, l2, _ = inside.linears(model)
    with torch.no_grad():
        x = torch.tensor(points.xy, dtype=torch.float32)
        direct = torch.tanh(torch.relu(x @ l1.weight.T + l1.bias) @ l2.weight.T + l2.bias)
    np.testing.assert_allclose(images, direct.numpy(), rtol=1e-5, atol=1e-6)
    assert len(lines) == 10 and lines[0].shape == (9, 2)
    assert (
        inside.hidden_space(
            inside.build(NetSpec()), NetSpec(hidden=(4, 3), activations=("tanh",) * 2), points
        )
        is None
    )


def test_each_records_accuracies_are_the_share_of_points_classified_right():
    spec = NetSpec()
    points = inside.preset("moons")
    records, model = trained(spec, points, epochs=40)
    last = records[-1]
    xt, yt, xv, yv = inside.split(points, spec)
    logits = model(xt).detach().numpy(), model(xv).detach().numpy()
    assert last.train_acc == pytest.approx(np.mean(logits[0].argmax(1) == yt.numpy()))
    assert last.test_acc == pytest.approx(np.mean(logits[1].argmax(1) == yv.numpy()))
    assert 0.5 < last.test_acc <= 1
    regression = NetSpec(regression=True)
    fit, _ = trained(regression, inside.preset("line"), epochs=3)
    assert np.isnan(fit[-1].train_acc) and np.isnan(fit[-1].test_acc)  # no classes, no accuracy


def test_evaluate_gives_the_numbers_of_the_weights_on_screen_after_a_hand_edit():
    # the fresh-eyes teacher: after a weight was set by hand the line kept the last epoch's
    spec, points = NetSpec(), inside.preset("moons")
    *records, summary = inside.train((points, spec, None, 0), inside.Steps(30))
    same = inside.evaluate(points, spec, summary.state)
    assert same.train_loss == pytest.approx(records[-1].train_loss, rel=1e-5)
    assert same.test_acc == pytest.approx(records[-1].test_acc)
    edited = {k: v.copy() for k, v in summary.state.items()}
    edited["0.weight"][0, 0] = -8.0
    got = inside.evaluate(points, spec, edited)
    model = inside.load(inside.build(spec), edited).eval()
    xt, yt, xv, yv = inside.split(points, spec)
    with torch.no_grad():
        want = nn.functional.cross_entropy(model(xv), yv).item()
        acc = (model(xt).argmax(1) == yt).float().mean().item()
    assert got.test_loss == pytest.approx(want) and got.train_acc == pytest.approx(acc)
    assert got.test_loss != pytest.approx(same.test_loss)


def test_a_links_unusable_hidden_layers_are_named_and_left_out_of_the_link():
    from tests.test_links import open_link

    at = open_link("inside", {"in_hidden": "abc"})
    notice = [w.value for w in at.warning if "abc" in w.value]
    assert len(notice) == 1 and "4, 2" in notice[0]
    assert "in_hidden" not in at.query_params  # not passed on by Copy link
    assert at.text_input(key="in_hidden").value == "4, 2"


def test_a_link_with_unusable_layers_still_names_its_other_unusable_settings():
    # a fresh-eyes teacher's tampered link: with bad layers, only they were named; the other
    # bad settings were dropped in silence (the view's widgets had set them right meanwhile)
    from tests.test_links import open_link, rejected_notices

    link = {"in_hidden": "abc", "in_lr": "1e999", "in_epochs": "lots", "nonsense": "1"}
    at = open_link("inside", link)
    assert any("abc" in w.value and "4, 2" in w.value for w in at.warning)  # the layers' own
    notices = rejected_notices(at)
    assert len(notices) == 1, [w.value for w in at.warning]
    for name in ("in_lr", "in_epochs", "nonsense"):
        assert name in notices[0], notices
    assert "in_hidden" not in notices[0]  # (said above, with what layers may be)


def test_a_links_unusable_points_are_said_and_left_out_of_the_link():
    # a fresh-eyes teacher's tampered points: the preset was drawn, but the bad text stayed in
    # the box and the address bar, and Copy link passed it on
    from pages.inside_data import DEFAULT_POINTS
    from tests.test_links import open_link

    at = open_link("inside", {"in_pts": "not points!", "in_lr": "abc"})
    assert not at.exception
    said = [w.value for w in at.warning if "points in this link could not be read" in w.value]
    assert len(said) == 1, [w.value for w in at.warning]
    assert "in_pts" not in at.query_params
    assert at.text_area(key="in_pts").value == DEFAULT_POINTS
    assert any("in_lr" in w.value for w in at.warning)  # (the link's other bad setting, named)


def test_points_typed_in_the_box_wrongly_are_said_as_typed_not_as_a_links():
    # a fresh-eyes teacher typed in the box and read "The drawn points in this link could not
    # be read": nothing came from a link
    from tests.test_links import open_link

    at = open_link("inside", {})
    at.text_area(key="in_pts").set_value("typed by hand").run()
    assert not at.exception
    said = [w.value for w in at.warning]
    assert any(t("err_in_points_typed", "en", most=inside.MAX_POINTS) == w for w in said), said
    assert not any("in this link" in w for w in said), said
    assert at.text_area(key="in_pts").value == "typed by hand"  # (kept, to be corrected)


def test_an_empty_hidden_layers_box_says_there_is_none():
    # a fresh-eyes teacher found the box blank in the lesson without hidden layers
    from tests.test_links import open_link

    at = open_link("inside", {"in_hidden": ""})
    box = at.text_input(key="in_hidden")
    assert box.value == "" and box.placeholder == t("in_hidden_none", "en")


def _pixels_of(make) -> list[np.ndarray]:
    """The pixels (h, w, 3) of every map image that ``make()`` draws (none from the cache)."""
    from playground.figures import common

    drawn: list[np.ndarray] = []
    common._map_image.cache_clear()
    with mock.patch.object(common, "_png", side_effect=lambda p: drawn.append(p) or b"") as png:
        make()
    assert png.called
    return drawn


def _hue(rgb: np.ndarray) -> str:
    """'orange', 'blue' or 'white' for a pixel."""
    r, g, b = (int(c) for c in rgb)
    if min(r, g, b) > 225:
        return "white"
    return "orange" if r > b + 40 else "blue" if b > r + 40 else "other"


def test_the_maps_speak_the_classes_colours_orange_for_class_0_blue_for_class_1():
    # A teacher read a yellow map (Viridis: yellow near 1) under blue points as contradicting
    # them. P(class 1) = 0 on the left third, ½ in the middle, 1 on the right: orange, white,
    # blue, the colours of the class-0 and class-1 points drawn over it.
    from playground.figures import inside as fi

    surface = np.repeat([[0.0] * 10 + [0.5] * 10 + [1.0] * 10], 30, axis=0)  # (30, 30)
    pts = inside.preset("moons", 20)
    test = np.zeros(20, bool)
    (pixels,) = _pixels_of(
        lambda: fi.data_figure(pts.xy, pts.label, test, inside.WINDOW, surface, False, None)
    )
    row = pixels[15]
    assert [_hue(row[c]) for c in (2, 15, 27)] == ["orange", "white", "blue"]
    assert fi.CLASS_COLOURS == ("#ff7f0e", "#1f77b4")  # (orange class 0, blue class 1)


def test_a_nodes_map_is_orange_below_zero_blue_above_and_an_outputs_in_its_classs_colour():
    from playground.figures import inside as fi

    ramp = np.tile(np.linspace(-0.5, 2.0, 30), (30, 1))  # (30, 30): negative on the left
    sure = np.ones((30, 30))  # an output's probability of 1 everywhere
    maps = [np.stack([ramp, ramp]), np.stack([ramp]), np.stack([sure, sure])]
    weights = [np.ones((1, 2)), np.ones((2, 1))]
    drawn = _pixels_of(lambda: fi.network_figure([2, 1, 2], weights, maps, ["x₁", "x₂"]))
    neuron, class_0, class_1 = drawn[0], drawn[-2], drawn[-1]  # (equal maps: made once)
    assert (_hue(neuron[15, 0]), _hue(neuron[15, 6]), _hue(neuron[15, -1])) == (
        "orange",
        "white",  # (zero: a fifth of the way from -0.5 to 2)
        "blue",
    )
    assert _hue(class_0[15, 15]) == "orange" and _hue(class_1[15, 15]) == "blue"
    node = fi.node_figure(sure, inside.WINDOW, "n", output_class=0)
    scale = node.data[0].colorscale
    assert scale[-1][1] == fi.CLASS_COLOURS[0] and (node.data[0].zmin, node.data[0].zmax) == (0, 1)


def test_a_network_of_zero_weights_still_shows_every_connection_in_grey():
    # a fresh-eyes teacher, in the lesson where every weight starts at zero: after Train the
    # picture was squares and floating dots, no connection drawn
    from playground.figures import inside as fi

    maps = [np.zeros((2, 5, 5)), np.zeros((3, 5, 5)), np.zeros((1, 5, 5))]

    def edges(weights) -> dict[str, int]:
        fig = fi.network_figure([2, 3, 1], weights, maps, ["x₁", "x₂"])
        drawn: dict[str, int] = {}
        for tr in fig.data:
            if tr.mode == "lines":
                drawn[tr.line.color] = drawn.get(tr.line.color, 0) + list(tr.x).count(None)
        return drawn

    assert edges([np.zeros((3, 2)), np.zeros((1, 3))]) == {fi.ZERO_EDGE: 9}  # 2·3 + 3·1
    some = [np.array([[1.0, 0.0], [0.0, -1.0], [0.0, 0.0]]), np.array([[0.0, 2.0, 0.0]])]
    assert edges(some) == {fi.ZERO_EDGE: 6, fi.POSITIVE: 2, fi.NEGATIVE: 1}
    assert fi.ZERO_EDGE not in (fi.POSITIVE, fi.NEGATIVE)


@pytest.mark.parametrize(("lesson", "opened"), [("features", False), (None, True)])
def test_what_to_notice_opens_after_a_run_except_in_a_lesson(lesson, opened):
    # a fresh-eyes teacher: after the first Train of the lesson on circles, "What to notice"
    # opened by itself and answered the lesson's second question
    import time

    from tests.test_links import open_link

    link = dict(LESSONS[lesson].query) | {"in_slow": "false"} if lesson else {"in_epochs": "20"}
    at = open_link("inside", link)
    at.button(key="in_train_btn").click().run()
    deadline = time.time() + 90
    while "_in_job" in at.session_state and not at.session_state["_in_job"].done:
        assert time.time() < deadline
        time.sleep(0.5)
        at.run()
    at.run()
    assert not at.exception
    (notice,) = [e for e in at.expander if e.label == t("notice", "en")]
    assert notice.proto.expanded is opened


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("4, x", "“x” is not a whole number of neurons."),
        ("4, 12", "A layer of 12 neurons: each layer has 1 to 8."),
        ("4, 0", "A layer of 0 neurons: each layer has 1 to 8."),
        ("1, 1, 1, 1, 1, 1, 1", "7 hidden layers are more than the picture can show."),
    ],
)
def test_hidden_layers_typed_wrongly_are_told_what_in_them_is_wrong(typed, said):
    # a fresh-eyes teacher typed "4, 12" and read only the rule, not which of it was broken
    from tests.test_links import open_link

    at = open_link("inside", {})
    at.text_input(key="in_hidden").set_value(typed).run()
    assert not at.exception
    (warning,) = [w.value for w in at.sidebar.warning]
    assert warning.startswith(said) and "until then the view uses 4, 2" in warning


@pytest.mark.parametrize("typed", ["4，2", "4、2", "４，２", "4 2", "4; 2"])
def test_hidden_layers_typed_on_a_chinese_keyboard_are_read(typed):
    # a fresh-eyes teacher typed "4，2" with a Chinese input method and was told it was wrong
    from tests.test_links import open_link

    at = open_link("inside", {"lang": "zh"})
    at.text_input(key="in_hidden").set_value(typed.replace("2", "3").replace("２", "３")).run()
    assert not at.exception and not at.sidebar.warning  # ("43" or "4，3" would be refused)
    layers = [s.key for s in at.selectbox if s.key and s.key.startswith("in_act_")]
    assert sorted(layers) == ["in_act_0", "in_act_1"]  # two hidden layers
    assert list(at.session_state["_in_sizes"])[1:-1] == [4, 3]  # (inputs, 4, 3, output)


@pytest.mark.parametrize(
    "typed, sizes",
    [
        ("4, 2", [4, 2]),
        ("", []),
        ("  8 ", [8]),
        ("4，2", [4, 2]),
        ("4、2、1", [4, 2, 1]),
        ("４，２", [4, 2]),
        ("4 2", [4, 2]),  # (not 42)
        ("1,2,3,4,5,6", [1, 2, 3, 4, 5, 6]),
        ("1,2,3,4,5,6,7", None),  # seven layers: one too many
        ("4, 9", None),  # nine neurons: one too many
        ("4, 0", None),
        ("4, two", None),
        ("4.5", None),
    ],
)
def test_hidden_layers_are_read_from_text_as_a_student_types_them(typed, sizes):
    # (the library's parser, without the page: the sizes by hand)
    assert inside.parse_hidden(typed) == sizes

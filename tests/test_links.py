"""Shareable links: settings → URL → restored settings, tampered links, both languages."""

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from views import BY_PATH, VIEWS

from playground import links
from playground.i18n import LANGUAGES, t
from playground.lessons import LESSONS
from playground.optimizers import OPTIMIZERS

APP = str(Path(__file__).resolve().parent.parent / "pages" / "app.py")
FILES = {v.url_path: v.script for v in VIEWS}


def open_link(page: str, params: dict) -> AppTest:
    """Open ``page`` as a link with ``params`` would (the router runs first, as in a browser)."""
    at = AppTest.from_file(APP, default_timeout=90)
    if page == "home":
        at.query_params.update(params)
        at.run()
    else:  # AppTest cannot open another page first: the home page, with the frame's parameters
        at.query_params.update({k: v for k, v in params.items() if k in links.FRAME_PARAMS})
        at.run()  # (the home page would name the view's settings as ones it could not use)
        at.query_params.update(params)
        at.switch_page(FILES[page]).run()
    assert not at.exception, at.exception
    return at


def rejected_notices(at: AppTest) -> list[str]:
    """The notices of settings a link gave that the view could not use (values it replaced,
    then names it has no setting of)."""
    markers = [t(key, "en", items="")[:20] for key in ("link_rejected", "link_unknown")]
    return [w.value for w in at.warning if w.value.startswith(tuple(markers))]


# Non-default values of the main settings of every view, as its URL holds them
LINKS = {
    "loss-surface": {
        "source": "noisy",
        "true_w": "1.5",
        "sigma": "0.2",
        "n": "300",
        "data_seed": "7",
        "res": "61",
        "log_colour": "true",
        "loss": "mae",
        "lr": "0.02",
        "steps": "50",
        "batch": "mini",
        "k": "4",
        "gd_seed": "3",
    },
    "race": {
        "surface": "bowl",
        "kappa": "50",
        "start_x": "-2",
        "start_y": "1.5",
        "steps": "120",
        "noise": "0.1",
        "n_runs": "2",
        "r0": "adam",
        "r0_lr": "0.05",
        "r1": "rmsprop",
        "r1_lr": "0.02",
        "r1_sched": "cosine",
        "r1_sched_T_max": "60",
        "tol": "0.001",
    },
    "from-scratch": {"fs_problem": "line", "fs_lr_line": "0.02", "fs_opt": "rmsprop"},
    "ewa": {"series": "step", "ewa_n": "500", "ewa_seed": "4", "v0": "zero", "swap": "true"},
    "overfit": {
        "task": "moons",
        "lab_n": "150",
        "lab_seed": "2",
        "depth": "3",
        "width": "32",
        "epochs": "300",
        "p": "0.3",
        "wd": "0.05",
    },
    "convnet": {
        "net_scale": "1",
        "net_fraction": "0.1",
        "net_seed": "3",
        "net_c1": "4",
        "net_c2": "8",
        "net_opt": "sgd",
        "net_epochs": "12",
        "net_p": "0.3",
        "net_restore": "false",
    },
    "landscape": {
        "ll_task": "circles",
        "ll_n": "120",
        "ll_seed": "2",
        "ll_depth": "1",
        "ll_width": "16",
        "ll_loss": "cross_entropy",
        "ll_epochs": "30",
        "ll_every": "3",
        "ll_r1_opt": "nesterov",
        "ll_r1_lr": "0.05",
        "ll_r2_batch": "16",
        "ll_r3_on": "false",
        "ll_r4_on": "true",
        "ll_r4_drop": "0.2",
    },
    "inside": {
        "in_hidden": "3, 5, 2",
        "in_act_1": "relu",
        "in_f_x1sq": "true",
        "in_init": "kaiming",
        "in_penalty": "l1",
        "in_lam": "0.01",
        "in_opt": "sgd",
        "in_lr": "0.1",
        "in_epochs": "50",
        "in_regression": "true",
    },
}

WIDGET_KINDS = (
    "number_input",
    "slider",
    "radio",
    "selectbox",
    "toggle",
    "select_slider",
    "text_input",
)


def widget_value(at: AppTest, key: str):
    for kind in WIDGET_KINDS:
        for widget in getattr(at, kind):
            if widget.key == key:
                return widget.value
    return at.session_state[key] if key in at.session_state else None  # noqa: SIM401 (no .get)


@pytest.mark.parametrize("page", list(LINKS))
def test_a_link_restores_every_setting_it_holds(page):
    at = open_link(page, LINKS[page])
    for key, text in LINKS[page].items():
        value = widget_value(at, key)
        assert links.same_setting([text], value), (key, text, value)
    assert not rejected_notices(at)
    assert not at.error


@pytest.mark.parametrize("page", list(LINKS))
def test_a_tampered_link_falls_back_with_a_notice_not_a_traceback(page):
    tampered = {"steps": "not-a-number", "zzz": "1", "lr": "1e300", "surface": "__import__"}
    at = open_link(page, tampered)
    notices = rejected_notices(at)
    assert len(notices) == 1
    assert "zzz=1" in notices[0]  # an unknown setting is named


GARBAGE = ["nan", "-1e308", "<script>alert(1)</script>", "", "😀", "1e999", "true;drop", "-0"]


@pytest.mark.parametrize("page", list(LINKS))
def test_every_setting_of_a_view_tampered_at_once_is_survived(page):
    link = {k: GARBAGE[i % len(GARBAGE)] for i, k in enumerate(LINKS[page])}
    at = open_link(page, link)  # no exception (checked inside)
    assert len(rejected_notices(at)) <= 1


def test_a_tampered_value_gets_the_default():
    at = open_link("loss-surface", {"lr": "abc", "batch": "huge", "steps": "-5"})
    assert at.number_input(key="lr").value == 0.05
    assert at.radio(key="batch").value == "full"
    (notice,) = rejected_notices(at)
    for part in ("lr=abc", "batch=huge", "steps=-5"):
        assert part in notice
    # each says what the view uses instead (a teacher could not tell what replaced it)
    for given, used in (("lr=abc", "0.05"), ("batch=huge", "full")):
        assert re.search(re.escape(given) + r" `+ → `+ " + re.escape(used) + " ", notice), notice
    unknown = rejected_notices(open_link("race", {"typo": "1"}))[0]
    assert unknown == t("link_unknown", "en", items="` typo=1 `")  # (no setting of that name)


def test_a_notice_tells_replaced_values_from_names_the_view_has_not():
    # a fresh-eyes teacher read "lr=huge" (a name the view has not) beside "steps=-3 → 100"
    # in one list, and could not tell what had happened to it
    at = open_link("from-scratch", {"lr": "huge", "fs_steps_sine": "-3"})
    (notice,) = rejected_notices(at)
    replaced, unknown = notice.split(t("link_unknown", "en", items="")[:20])
    assert "fs_steps_sine=-3" in replaced and "→" in replaced and "lr=huge" not in replaced
    assert "lr=huge" in unknown and "→" not in unknown


def test_a_chinese_notice_lists_with_chinese_punctuation():
    # a fresh-eyes teacher: the notice in 简体中文 listed its settings with a half-width ";"
    at = open_link("from-scratch", {"lang": "zh", "fs_steps_sine": "-3", "fs_lr_sine": "abc"})
    markers = [t(key, "zh", items="")[:6] for key in ("link_rejected", "link_unknown")]
    (notice,) = [w.value for w in at.warning if w.value.startswith(tuple(markers))]
    assert "；" in notice and ";" not in notice, notice
    at = open_link("from-scratch", {"lang": "zh", "lr": "0.1", "steps": "9"})
    (notice,) = [w.value for w in at.warning if w.value.startswith(tuple(markers))]
    assert "` lr `：" in notice and "；" in notice and ";" not in notice, notice  # (named here)


def test_a_setting_is_said_as_a_link_writes_it():
    assert [links.said(v) for v in (0.05, True, [0.5, 0.9], "adam", 300)] == [
        "0.05", "true", "0.5, 0.9", "adam", "300"
    ]  # fmt: skip


def test_a_good_link_gives_no_notice():
    at = open_link("race", {"surface": "rosenbrock", "lang": "en"})
    assert not rejected_notices(at)


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("page", ["home", *LINKS])
def test_every_view_renders_in_every_language(page, lang):
    at = open_link(page, {"lang": lang})
    assert at.selectbox(key="lang").value == lang
    title = BY_PATH[page].title
    assert at.title[0].value == t(title, lang)
    assert not at.error
    if lang == "zh":  # the sidebar speaks Chinese too
        assert any("\u4e00" <= ch <= "\u9fff" for ch in at.toggle(key="presenter").label)


def test_presenter_mode_comes_from_the_link():
    at = open_link("race", {"presenter": "true"})
    assert at.toggle(key="presenter").value is True


# ------------------------------------------------------------------ pure helpers


def test_same_setting_compares_numbers_as_numbers():
    assert links.same_setting(["0.10"], 0.1)
    assert links.same_setting(["5"], 5.0)
    assert not links.same_setting(["1e300"], 1e4)
    assert not links.same_setting(["abc"], 0.05)


def test_same_setting_compares_booleans_and_lists():
    assert links.same_setting(["true"], True)
    assert not links.same_setting(["yes"], True)
    assert links.same_setting(["0.5", "0.9"], [0.5, 0.9])
    assert not links.same_setting(["0.5"], [0.5, 0.9])


def test_rejected_names_unknown_and_changed_parameters_and_a_frame_value_not_used():
    link = {"lr": ["abc"], "steps": ["100"], "typo": ["1"], "lang": ["zh"], "lesson": ["x"]}
    in_use = {"lr": 0.05, "steps": 100, "lang": "zh"}
    assert links.rejected(link, in_use) == [("lr", "abc"), ("typo", "1")]  # (a lesson: its own)
    assert links.rejected({"lang": ["xx"]}, {"lang": "en"}) == [("lang", "xx")]


@pytest.mark.parametrize("page", sorted(LINKS))
def test_coming_back_from_another_view_keeps_its_settings(page):
    # Streamlit forgets widgets it did not draw; going to the home page and back (the sidebar's
    # links clear the URL) must bring the view back as it was, not reset or broken.
    at = open_link(page, LINKS[page])
    at.query_params.clear()
    at.switch_page("home.py").run()
    assert not at.exception, at.exception
    at.query_params.clear()
    at.switch_page(FILES[page]).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    in_use = {k: at.session_state[k] for k in LINKS[page] if k in at.session_state}
    assert links.rejected({k: [v] for k, v in LINKS[page].items()}, in_use) == []


def test_non_finite_numbers_in_a_link_are_found_whatever_their_spelling():
    link = {
        "steps": ["inf"],
        "race_seed": ["1e309"],
        "epochs": ["-Infinity"],
        "lr": ["nan"],
        "n": ["12"],
        "surface": ["rosenbrock"],
        "betas": ["0.9", "1e999"],
    }
    assert sorted(links.non_finite(link)) == ["betas", "epochs", "lr", "race_seed", "steps"]


# A whole-number setting of each view, and its default (None: the surface's own)
WHOLE_NUMBERS = {
    "race": ("race_seed", 0),
    "overfit": ("epochs", 2000),
    "convnet": ("net_epochs", None),
    "ewa": ("ewa_n", 365),
    "from-scratch": ("fs_steps_sine", None),
    "loss-surface": ("steps", 100),
    "landscape": ("ll_epochs", 400),
    "inside": ("in_epochs", 300),
}


@pytest.mark.parametrize("page", sorted(WHOLE_NUMBERS))
def test_an_infinite_whole_number_in_a_link_falls_back_to_the_default(page):
    name, default = WHOLE_NUMBERS[page]
    # Streamlit's int(float("inf")) raised OverflowError: an error box and an empty view.
    for value in ("inf", "1e309", "-Infinity"):
        at = open_link(page, {name: value})
        assert not at.error, (name, value, [e.value for e in at.error])
        kept = widget_value(at, name)
        assert kept is not None and (default is None or kept == default), (name, value, kept)


@pytest.mark.parametrize("given", ["adam:lr=abc", "zzz", "adam:lr=abc;momentum=[link](http://e.x)"])
def test_a_run_whose_optimizer_is_refused_is_the_surfaces_own_and_its_link_reproduces_it(given):
    # it became the first optimizer with the surface run's settings ("SGD lr=0.01
    # momentum=0.9"), and its copied link then opened as plain SGD
    at = open_link("race", {"r1": given})
    assert given[:20] in rejected_notices(at)[0]
    default = open_link("race", {})
    assert run_settings(at, 1) == run_settings(default, 1)  # the saddle's run 2: Momentum
    other = open_link("race", copied_link(at))
    assert not rejected_notices(other) and run_settings(other, 1) == run_settings(at, 1)


def test_a_link_with_an_infinite_number_names_everything_it_could_not_use():
    # the run started again without the infinite number had lost lang=xx from its notice
    at = open_link("overfit", {"lang": "xx", "epochs": "1e309", "p": "2"})
    (notice,) = rejected_notices(at)
    for item in ("lang=xx", "epochs=1e309", "p=2"):
        assert item in notice, notice


PAYLOADS = [
    "x` [Your session expired: sign in here](https://evil.example/login) `",  # the audit's
    "``a`` ![img](https://evil.example/p.png)",
    "# heading\n\n[link](javascript:alert(1))",
    "<a href='https://evil.example'>click</a>",
    "$\\href{https://evil.example}{x}$",
    "https://evil.example/autolink",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_crafted_parameter_name_is_shown_as_text_in_the_notice(payload):
    at = open_link("race", {payload: "1"})
    (notice,) = rejected_notices(at)
    items = notice.split("left out: ", 1)[1].removesuffix(".")  # (no setting of that name)
    # one code span: a fence of n backticks, a space, the text, a space, the same fence
    fence = re.match(r"`+", items).group(0)
    assert items.startswith(fence + " ") and items.endswith(" " + fence)
    inner = items[len(fence) + 1 : -len(fence) - 1]
    assert fence not in inner  # nothing inside can close it early
    assert inner == " ".join(f"{payload}=1".split())


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("page", ["ewa", "loss-surface"])
def test_a_crafted_lesson_name_is_shown_as_text(page, payload):
    # the fresh-eyes teacher: /ewa?lesson=[click me](http://evil.example) showed a live link
    at = open_link(page, {"lesson": payload})
    (warning,) = [w.value for w in at.warning if "lesson" in w.value]
    name = warning.split("“", 1)[1].rsplit("”", 1)[0]
    fence = re.match(r"`+", name).group(0)
    inner = name[len(fence) + 1 : -len(fence) - 1]
    assert name.startswith(fence + " ") and name.endswith(" " + fence) and fence not in inner


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_a_user_typed_inside_an_error_message_cannot_render(payload):
    import frame

    from playground.i18n import UserError

    shown = UserError("lesson_unknown", name=payload).message("en", frame.inert)
    inner = shown.split("“", 1)[1].rsplit("”", 1)[0]
    assert inner == frame.code_span(payload)  # one code span, whatever the payload
    plain = UserError("lesson_unknown", name="Rosenbrock 2.5").message("en", frame.inert)
    assert "`" not in plain  # (plain words stay plain)


def test_changing_a_setting_is_not_reported_as_a_link_that_could_not_be_used():
    # A teacher changing a run's optimizer saw "could not be used as given: r0=sgd" (the old
    # value, still in the URL as the rerun started), on every view.
    at = open_link("race", {"zzz": "1"})
    assert len(rejected_notices(at)) == 1  # the link opened: its unknown setting is named
    at.selectbox(key="r0").set_value("adam").run()
    at.selectbox(key="surface").set_value("himmelblau").run()
    assert not at.exception and rejected_notices(at) == []
    at = open_link("overfit", {})
    at.selectbox(key="opt").set_value("sgd").run()
    assert rejected_notices(at) == []


# ------------------------------------------------------------------ the app's own links (#31, 6)


def copied_link(at: AppTest, **typed: str) -> dict:
    """The address bar as Copy link reads it: the app's query parameters, plus what the browser
    itself wrote for a widget the student changed (AppTest does not play the browser's part)."""
    return {**at.query_params, **typed}


def run_settings(at: AppTest, i: int) -> dict:
    """Run ``i``'s optimizer and the settings its widgets show."""
    name = at.selectbox(key=f"r{i}").value
    keys = [f"r{i}_{s.name}" for s in OPTIMIZERS[name].settings]
    return {"optimizer": name, **{k: widget_value(at, k) for k in keys}}


def test_a_link_copied_after_removing_runs_holds_only_the_runs_that_exist():
    at = open_link("race", {})
    at.selectbox(key="r3").set_value("adagrad").run()
    at.number_input(key="r3_lr").set_value(0.3).run()
    hidden = run_settings(at, 3)
    at.number_input(key="n_runs").set_value(3).run()
    assert not at.exception
    link = copied_link(at, n_runs="3")
    assert not [k for k in link if re.fullmatch(r"r[3-9](_.*)?", k)], link
    assert not rejected_notices(open_link("race", link))
    # A run removed and added again comes back as it was, also after a visit to another view.
    at.query_params.clear()
    at.switch_page("home.py").run()
    at.query_params.clear()
    at.switch_page(FILES["race"]).run()
    assert at.number_input(key="n_runs").value == 3 and len(at.selectbox) >= 4
    at.number_input(key="n_runs").set_value(5).run()
    assert not at.exception and not at.error
    assert run_settings(at, 3) == hidden


# what the browser then writes in the address bar: the formula, or nothing for an emptied field
@pytest.mark.parametrize(("formula", "typed"), [("x +* y", {"formula": "x +* y"}), ("", {})])
def test_an_invalid_formula_is_named_in_place_and_its_copied_link_gives_no_notice(formula, typed):
    at = open_link("race", {})
    at.selectbox(key="surface").set_value("custom").run()
    before = [run_settings(at, i) for i in range(5)]
    at.text_input(key="formula").set_value(formula).run()
    assert not at.exception
    assert len(at.error) == 1  # one message, under the formula's box
    other = open_link("race", copied_link(at, **typed))
    assert not rejected_notices(other), rejected_notices(other)
    at.text_input(key="formula").set_value("x**2 + 3*y**2").run()  # mended: the runs are back
    assert not at.exception and not at.error
    assert [run_settings(at, i) for i in range(5)] == before


def test_a_rejected_run_setting_falls_back_to_the_views_default_not_torchs():
    at = open_link("race", {"r0_lr": "abc"})  # the saddle's first run is "sgd:lr=0.01"
    assert at.number_input(key="r0_lr").value == 0.01
    assert "r0_lr=abc" in rejected_notices(at)[0]
    at = open_link("race", {"surface": "bowl", "r1": "adam", "r1_lr": "abc"})  # the bowl's Adam
    assert at.number_input(key="r1_lr").value == 0.1


@pytest.mark.parametrize("run", [0, 3])
@pytest.mark.parametrize("name", ["asgd", "lbfgs", "nadam", "momentum", "adam"])
def test_a_run_named_in_a_link_has_the_settings_of_the_same_run_picked_from_the_list(name, run):
    picked = open_link("race", {"surface": "bowl"})
    picked.selectbox(key=f"r{run}").set_value(name).run()
    linked = open_link("race", {"surface": "bowl", f"r{run}": name})
    assert run_settings(linked, run) == run_settings(picked, run)
    assert not rejected_notices(linked)


def test_a_lessons_momentum_run_has_momentum():
    # The lesson's link names r0=momentum with its lr only: its momentum came from the bowl's
    # first run (SGD, momentum 0), so "Momentum" raced as plain SGD.
    link = LESSONS["momentum_vs_nesterov"].query
    at = open_link("race", link)
    assert at.number_input(key="r0_momentum").value == 0.9
    assert at.checkbox(key="r1_nesterov").value is True


@pytest.mark.parametrize(
    ("page", "link"),
    [
        ("from-scratch", {"lr": "1e9", "steps": "-3"}),
        ("race", {"zzz": "1", "n_runs": "2", "r3": "adam", "steps": "-3"}),
        ("ewa", {"series": "nowhere", "ewa_n": "0", "lr": "1e9"}),
    ],
)
def test_after_the_notice_the_address_bar_holds_only_settings_in_use(page, link):
    def in_use(at: AppTest) -> bool:  # the link's settings the address bar still holds
        kept = set(link) & set(at.query_params)
        return all(links.same_setting([at.query_params[k]], widget_value(at, k)) for k in kept)

    at = open_link(page, link)
    assert len(rejected_notices(at)) == 1
    assert in_use(at), at.query_params
    assert not rejected_notices(open_link(page, copied_link(at)))
    # and going to another view and back does not bring them back
    at.query_params.clear()
    at.switch_page("home.py").run()
    at.query_params.clear()
    at.switch_page(FILES[page]).run()
    assert in_use(at), at.query_params


def test_reset_this_view_gives_back_the_defaults_and_a_bare_link():
    at = open_link("race", {"surface": "himmelblau", "n_runs": "2", "r0_lr": "0.3", "steps": "77"})
    assert at.number_input(key="n_runs").value == 2
    at.button(key="reset_view").click().run()
    assert not at.exception
    fresh = open_link("race", {})  # the view as a new student opens it
    for key in ("surface", "n_runs", "steps", "r0", "r0_lr", "start_x"):
        assert widget_value(at, key) == widget_value(fresh, key), key
    assert dict(at.query_params) == dict(fresh.query_params)  # the link too
    assert not rejected_notices(at)


@pytest.mark.parametrize(
    ("params", "named"),
    [({"lang": "xx"}, "lang=xx"), ({"presenter": "maybe"}, "presenter=maybe")],
)
def test_a_wrong_language_or_presenter_value_is_named_in_the_notice(params, named):
    at = open_link("ewa", params)
    (notice,) = rejected_notices(at)
    assert named in notice


@pytest.mark.parametrize("params", [{"lang": "zh"}, {"presenter": "true"}, {"lang": "en"}])
def test_a_good_language_or_presenter_value_gets_no_notice(params):
    assert not rejected_notices(open_link("ewa", params))


def test_a_run_that_leaves_a_surface_without_a_minimum_is_not_told_to_lower_its_rate():
    # a fresh-eyes teacher: on x² − y² (no minimum) running away from the saddle is the lesson,
    # but the race said "diverged … Try a smaller learning rate"
    at = open_link("race", {"steps": "150", "start_x": "0.5", "noise": "0.1", "n_runs": "3"})
    said = [w.value for w in at.warning]
    assert any("ran off the map" in w and "no minimum" in w for w in said), said
    assert not any("smaller learning rate" in w for w in said)


def test_in_chinese_the_views_labels_and_runs_say_no_english():
    # #31, fresh eyes in 简体中文: "lr Momentum", "Dropout p", "epoch", and the race's runs as
    # spec strings ("momentum:lr=0.001,momentum=0.9") beside each run.
    from playground.i18n import catalogue

    ewa = open_link("ewa", {"lang": "zh"})
    for key in ("lr_m", "lr_r", "lr_a"):
        label = ewa.number_input(key=key).label
        assert "lr " not in label and any("\u4e00" <= ch <= "\u9fff" for ch in label), label
    race = open_link("race", {"lang": "zh"})
    beside = [m.value for m in race.markdown if "●" in m.value]
    assert beside and not any(re.search(r"[a-z]+:lr=", text) for text in beside), beside
    assert any("动量" in text for text in beside)  # the optimizer's name in Chinese
    links_ = [c.value for c in race.caption if "--run" in c.value]
    assert links_ and all(re.search(r"` [a-z]+[:a-z0-9=.,]* `$", c) for c in links_)  # (code)
    for key in ("axis_epoch", "lab_variant_dropout", "lab_p"):
        text = catalogue("zh")[key]
        assert not re.search("[A-Za-z]{2,}", text), (key, text)


def test_a_costly_settings_help_speaks_of_train_only_in_views_that_train():
    race = open_link("race", {})
    lab = open_link("overfit", {})
    train = t("lab_train", "en")
    assert train not in race.number_input(key="steps").help
    assert (
        t("budget_help_compute", "en", budget="2 min")[:40] in race.number_input(key="steps").help
    )
    assert train in lab.number_input(key="epochs").help


def test_a_rejected_value_too_long_to_show_says_it_was_cut():
    # a 5,000-digit value was shown as its first 40 characters, as if it were the whole value
    ((name, shown),) = links.rejected({"steps": ["9" * 5000]}, {"steps": 300})
    assert name == "steps" and len(shown) == 40 and shown.endswith("…")
    assert links.rejected({"steps": ["abc"]}, {"steps": 300}) == [("steps", "abc")]


def test_a_link_with_some_values_of_a_list_unusable_names_only_those():
    # a fresh-eyes teacher's /ewa?betas=abc&betas=2&betas=0.9: the notice named 0.9 too, which
    # the view was using
    link = {"betas": ["abc", "2", "0.9"]}
    assert links.rejected(link, {"betas": [0.9]}) == [("betas", "abc, 2")]
    assert links.rejected({"betas": ["0.9", "0.5"]}, {"betas": [0.5, 0.9]}) == [
        ("betas", "0.9, 0.5")  # (all used, in another order: said as given)
    ]
    assert links.rejected({"betas": ["0.5", "0.9"]}, {"betas": [0.5, 0.9]}) == []


def test_a_link_with_unusable_points_and_layers_says_both():
    # a fresh-eyes teacher: /inside?in_hidden=x&in_pts=<script> named only the layers, and the
    # drawn points were silently replaced by the preset
    at = open_link("inside", {"in_hidden": "x", "in_pts": "<script>"})
    said = [w.value for w in at.warning]
    assert any(s.startswith("The drawn points in this link could not be read") for s in said)
    assert any(s.startswith("The hidden layers in this link") for s in said), said


def test_a_new_task_in_the_lab_starts_from_its_own_points_and_noise_so_its_link_is_whole():
    # a fresh-eyes teacher: under Two moons the lab kept the sine's 40 points and σ 0.3, which
    # its link left out as defaults; the link opened on the moons' 200 and 0.15, other numbers
    at = open_link("overfit", {})
    assert (at.number_input(key="lab_n").value, at.number_input(key="lab_noise").value) == (
        40,
        0.3,
    )
    at.selectbox(key="task").set_value("moons").run()
    assert not at.exception
    shown = (at.number_input(key="lab_n").value, at.number_input(key="lab_noise").value)
    assert shown == (200, 0.15)
    opened = open_link("overfit", {"task": "moons"})  # what its link opens on
    assert (
        opened.number_input(key="lab_n").value,
        opened.number_input(key="lab_noise").value,
    ) == shown
    at.number_input(key="lab_n").set_value(120).run()  # the teacher's own number stays
    at.number_input(key="lab_seed").set_value(3).run()
    assert at.number_input(key="lab_n").value == 120


def test_a_lesson_the_link_names_wrongly_is_said_and_taken_out_of_the_link():
    # a fresh-eyes teacher: /overfit?lesson=[pwn](http://x.y) said "There is no lesson called
    # …", but the name stayed in the address bar (other settings a link cannot use leave it),
    # so a link copied from the page carried it on and warned again
    at = open_link("overfit", {"lesson": "nope", "epochs": "60"})
    assert any("nope" in w.value for w in at.warning)
    assert "lesson" not in at.query_params and at.query_params.get("epochs") in ("60", ["60"])
    at.run()  # (the next run: no notice again, the view as the link gave it)
    assert not any("nope" in w.value for w in at.warning)
    assert at.number_input(key="epochs").value == 60


def test_the_races_link_form_of_a_run_is_for_the_teacher_not_the_projector():
    # a fresh-eyes teacher: "In a link or --run: sgd:lr=0.01" under every run on the
    # projector, which means nothing to a class
    said = t("race_link_form", "en")
    assert any(said in c.value for c in open_link("race", {}).caption)
    assert not any(said in c.value for c in open_link("race", {"presenter": "true"}).caption)


def test_a_links_unknown_names_are_told_the_views_names_with_that_word():
    # two fresh-eyes teachers wrote "lr=" and "seed=" by hand and read only that these are
    # not settings of the view, whose settings are fs_lr_sine and lab_seed
    at = open_link("from-scratch", {"lr": "0.1", "banana": "1"})
    (notice,) = rejected_notices(at)
    assert "This view names them: ` lr `: ` fs_lr_sine `, ` fs_rms_lr_sine `." in notice
    assert "` banana `:" not in notice  # (no word of it in any setting: nothing suggested)
    at = open_link("overfit", {"seed": "3"})
    (notice,) = rejected_notices(at)
    assert "` seed `: ` lab_seed `" in notice


def test_a_name_is_matched_to_settings_by_whole_words_only():
    settings = ["fs_lr_sine", "fs_rms_lr_sine", "lab_seed", "in_step", "steps"]
    assert links.named_like(["lr", "step", "banana", "steps"], settings) == [
        ("lr", ["fs_lr_sine", "fs_rms_lr_sine"]),
        ("step", ["in_step"]),  # (not "steps": a word, not a part of one)
    ]


def test_a_look_at_an_uploaded_table_and_back_keeps_the_tasks_own_settings():
    # a fresh-eyes teacher chose "Upload a CSV" to see what it asks, came back to Spirals and
    # found the points, noise and flipped labels they had set gone back to the defaults
    at = open_link("overfit", {"task": "spirals"})
    at.number_input(key="lab_n").set_value(300).run()
    at.number_input(key="lab_noise").set_value(0.3).run()
    at.number_input(key="lab_flip").set_value(0.2).run()
    at.selectbox(key="task").set_value("csv").run()
    at.selectbox(key="task").set_value("spirals").run()
    assert not at.exception
    kept = [at.number_input(key=k).value for k in ("lab_n", "lab_noise", "lab_flip")]
    assert kept == [300, 0.3, 0.2]
    at.selectbox(key="task").set_value("csv").run()  # another task after the table: its own
    at.selectbox(key="task").set_value("moons").run()
    assert [at.number_input(key=k).value for k in ("lab_n", "lab_noise")] == [200, 0.15]


def test_reset_on_a_projector_raises_nothing_and_stays_on_the_projector():
    # a review: Reset reopened the view with presenter=true in its link, a parameter still
    # bound to the presenter toggle, and Streamlit refused to set it (an error box on a projector)
    at = open_link("overfit", {"presenter": "true", "epochs": "60"})
    at.button(key="reset_view").click().run()
    assert not at.exception
    assert at.toggle(key="presenter").value is True
    assert at.number_input(key="epochs").value == 2000  # (the view's default again)


@pytest.mark.parametrize(
    "name, run",
    [("r0", 1), ("r0_lr", 1), ("r4_sched_T_max", 5), ("ll_r1_lr", 2), ("ll_r2_on", 3),
     ("lr", None), ("race_seed", None), ("ll_points", None), ("rt_lr", None), ("r10", None)],
)  # fmt: skip
def test_a_runs_setting_in_a_link_is_known_by_its_run_counted_from_one(name, run):
    assert links.run_of(name) == run


def test_a_notice_says_which_run_a_refused_setting_belongs_to():
    # a fresh-eyes teacher read "ll_r1_lr=inf → 0.025" as run 1's, whose box said 0.25: links
    # count runs from 0 (changing them would break every saved link), the view from 1
    at = open_link("landscape", {"ll_r1_lr": "inf", "lang": "zh"})
    (notice,) = [w.value for w in at.warning if "ll_r1_lr" in w.value]
    assert "ll_r1_lr=inf `（运行 2） → ` 0.025" in notice  # (as its box says: 运行 2)

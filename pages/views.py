"""The one list of views: the router, the home page's cards, presenter mode, lessons, the
warm-up and the tests all read it.

Adding a view is one entry here, its page file, its library module(s) and figure builder, and
its strings in the catalogues (``nav_<key>``, ``home_<key>`` and its title): see
docs/architecture.md. Nothing else lists views (``tests/test_views.py`` checks that).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class View:
    """One view of the dashboard.

    Attributes
    ----------
    key : str
        Catalogue stem: ``nav_<key>`` (its name in the menu), ``home_<key>`` (its home card).
    script : str
        Its page file in pages/.
    url_path : str
        Its address (``/race``); lessons name their view by it.
    icon : str
        Material icon of the menu entry.
    title : str
        Catalogue key of the page's title.
    build : str
        The plotly.js build its first figures need ("2d" or "3d"), loaded as the view starts.
    preload_idle : bool
        Once idle, load the 3-D build for the next view (the home page, which draws nothing).
    card : bool
        Listed as a card on the home page.
    presenter_hidden : tuple of str
        Widget keys of secondary controls, hidden in presenter mode (their values stay in the
        link).
    session_keys : tuple of str
        Session-state keys of its work in progress (jobs, data) that following a lesson link
        keeps.
    then : str
        Catalogue key of a lesson's "then …" line on this view.
    slow : str
        Widget key of its "watch slowly" toggle, for a view that trains ("" otherwise): its
        lessons turn it on.
    """

    key: str
    script: str
    url_path: str
    icon: str
    title: str
    build: str = "2d"
    preload_idle: bool = False
    card: bool = True
    presenter_hidden: tuple[str, ...] = ()
    session_keys: tuple[str, ...] = ()
    then: str = "lesson_then_play"
    slow: str = ""


VIEWS: tuple[View, ...] = (
    View("home", "home.py", "home", ":material/home:", "home_title", "3d", True, card=False),
    View(
        "loss_surface",
        "loss_surface.py",
        "loss-surface",
        ":material/landscape:",
        "ls_title",
        "3d",
        presenter_hidden=(
            *("data_seed", "gd_seed", "res", "auto_window", "k"),
            *("w_min", "w_max", "b_min", "b_max", "path_3d"),  # (no 3-D path on a projector)
        ),
        session_keys=("_regression_data",),
    ),
    View(
        "race",
        "race.py",
        "race",
        ":material/sports_score:",
        "race_title",
        presenter_hidden=("race_seed", "tol", "clip", "basin_n", "basin_steps"),
        session_keys=("_race_store",),
    ),
    View(
        "ewa",
        "ewa.py",
        "ewa",
        ":material/show_chart:",
        "ewa_title",
        presenter_hidden=("ewa_seed",),
        then="lesson_then_play_ewa",  # (it has two animations: which one a lesson plays)
    ),
    View(
        "overfit",
        "overfit.py",
        "overfit",
        ":material/school:",
        "lab_title",
        presenter_hidden=("lab_seed", "min_delta", "batch_size", "log_epochs"),
        session_keys=("_lab_job",),
        then="lesson_then_train",
        slow="slow",
    ),
    View(
        "convnet",
        "convnet.py",
        "convnet",
        ":material/grid_on:",
        "digits_title",
        presenter_hidden=("net_seed", "net_val", "net_test", "net_batch"),
        session_keys=("_net_job",),
        then="lesson_then_train",
        slow="net_slow",
    ),
    View("scratch", "scratch.py", "from-scratch", ":material/code:", "fs_title"),
    View(
        "landscape",
        "landscape.py",
        "landscape",
        ":material/terrain:",
        "ll_title",
        "3d",
        presenter_hidden=("ll_seed", "ll_every", "ll_res", "ll_noise"),
        session_keys=("_ll_job",),
        then="lesson_then_train",
        slow="ll_slow",
    ),
    View(
        "inside",
        "inside.py",
        "inside",
        ":material/hub:",
        "in_title",
        presenter_hidden=("in_seed", "in_batch", "in_dropout"),
        session_keys=("_in_job", "_in_state", "_in_epoch", "_in_history"),
        then="lesson_then_train",
        slow="in_slow",
    ),
)
BY_PATH: dict[str, View] = {v.url_path: v for v in VIEWS}
HOME = VIEWS[0]

# Everything presenter mode hides, and what a lesson link keeps of the session.
PRESENTER_HIDDEN: tuple[str, ...] = tuple(k for v in VIEWS for k in v.presenter_hidden)
LESSON_KEEPS: frozenset[str] = frozenset(
    {"lang", "presenter", "_lesson_moved", *(k for v in VIEWS for k in v.session_keys)}
)


def then_key(lesson) -> str:
    """The catalogue key of what a lesson's box says to do next (press ▶ or Train, or where to
    go): the lesson's own, else its view's."""
    return lesson.then or BY_PATH[lesson.page].then

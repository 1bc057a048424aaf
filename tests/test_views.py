"""The view registry (pages/views.py) is the one list of views, and everything reads it."""

import ast
import re
from pathlib import Path

import pytest
import views

from playground.i18n import LANGUAGES, catalogue, t
from playground.lessons import LESSONS

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "pages"
NAMES = {v.script for v in views.VIEWS} | {v.url_path for v in views.VIEWS} - {"home"}

# Per-view data tables that are allowed to name many views, each checked against the
# registry by a test of its own (so it cannot drift from it silently).
CHECKED_TABLES = {("test_links.py", "LINKS"), ("test_links.py", "WHOLE_NUMBERS")}


def test_every_view_has_its_page_strings_and_a_unique_address():
    assert views.VIEWS[0] is views.HOME and views.HOME.url_path == "home"
    assert len({v.url_path for v in views.VIEWS}) == len(views.VIEWS)
    assert len({v.key for v in views.VIEWS}) == len(views.VIEWS)
    for v in views.VIEWS:
        assert (PAGES / v.script).is_file(), v.script
        assert v.build in ("2d", "3d")
        for lang in LANGUAGES:
            keys = {f"nav_{v.key}", v.title, v.then} | ({f"home_{v.key}"} if v.card else set())
            missing = keys - set(catalogue(lang))
            assert not missing, (lang, v.key, missing)


@pytest.mark.parametrize("view", views.VIEWS, ids=lambda v: v.key)
def test_a_views_hidden_controls_and_session_keys_are_its_own(view):
    stem = view.script.removesuffix(".py")  # the page and its own modules (race_controls.py)
    own = [PAGES / view.script, *PAGES.glob(f"{stem}_*.py")]
    source = "".join(p.read_text(encoding="utf-8") for p in own)
    for key in view.presenter_hidden:  # widgets of this view's page
        assert re.search(rf'key\s*=\s*"{key}"|"{key}"', source), (view.script, key)
    others = [PAGES / v.script for v in views.VIEWS if v is not view]
    shared = [p for p in PAGES.glob("*.py") if p not in others and p.name != "views.py"]
    for key in view.session_keys:  # written by its page or by the helpers it calls
        assert any(f'"{key}"' in p.read_text(encoding="utf-8") for p in shared), key


def test_every_lesson_opens_a_registered_view():
    for lesson in LESSONS.values():
        assert lesson.page in views.BY_PATH, lesson.key


def _collections(tree: ast.AST):
    """Every list, tuple, set or dict display with the name it is assigned to (if any)."""
    names: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            names[id(node.value)] = node.targets[0].id
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple | ast.Set | ast.Dict):
            yield names.get(id(node), ""), node


def _named_views(node: ast.AST) -> set[str]:
    return {
        c.value
        for c in ast.walk(node)
        if isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value in NAMES
    }


def test_nothing_else_lists_the_views():
    # A list of four or more views anywhere in pages/ or tests/ is a second registry.
    offenders = []
    files = [*PAGES.glob("*.py"), *(ROOT / "tests").rglob("*.py")]
    for path in files:
        if path.name in ("views.py", "test_views.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, node in _collections(tree):
            found = _named_views(node)
            if len(found) >= 4 and (path.name, name) not in CHECKED_TABLES:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {sorted(found)}")
    assert not offenders, offenders
    # and the router builds its pages from the registry, declaring none of its own
    router = (PAGES / "router.py").read_text(encoding="utf-8")
    assert len(re.findall(r"st\.Page\(", router)) == 1 and "for v in VIEWS" in router


def test_the_per_view_link_tables_cover_every_view():
    import test_links

    for table in (test_links.LINKS, test_links.WHOLE_NUMBERS):
        assert set(table) == {v.url_path for v in views.VIEWS} - {"home"}


def test_the_detector_finds_a_list_of_views():
    tree = ast.parse('PAGES = ["race.py", "ewa.py", "overfit.py", "convnet.py"]')
    assert any(len(_named_views(node)) >= 4 for _, node in _collections(tree))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_lesson_on_the_ewa_view_says_which_of_its_two_animations_to_play(lang):
    # a fresh-eyes teacher: "press ▶ on the animation", over a view with two of them
    (ewa,) = [v for v in views.VIEWS if v.key == "ewa"]
    assert t("fig_ewa", lang) in t(ewa.then, lang)

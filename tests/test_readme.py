"""The library examples of the README and docs/library.md run as written."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [ROOT / "README.md", ROOT / "docs" / "library.md"]

# Each block runs with globals of its own, as a script would; all in one interpreter, so that
# torch is imported once rather than once a block (~5 s each on a 2-core machine).
RUNNER = """
import json, sys, traceback
for i, code in enumerate(json.loads(sys.stdin.read())):
    try:
        exec(compile(code, f"README block {i + 1}", "exec"), {"__name__": "__main__"})
    except Exception:
        traceback.print_exc()
        sys.exit(1)
"""


def test_readme_python_examples_run(tmp_path):
    blocks = []
    for path in EXAMPLES:
        found = re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
        assert found, path
        blocks += found
    out = subprocess.run(
        [sys.executable, "-c", RUNNER],
        input=json.dumps(blocks),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "descent.html").stat().st_size > 10_000


def test_the_lesson_links_in_the_views_guide_hold_the_lessons_own_settings():
    # a fresh-eyes teacher: docs/views.md gave the lab's lessons epochs=1000, the home page 300
    import re
    from pathlib import Path

    from playground.lessons import LESSONS

    guide = (Path(__file__).resolve().parent.parent / "docs" / "views.md").read_text()
    links = re.findall(r"lesson=(\w+)((?:&\w+=[^&`…]+)*)", guide)
    assert links
    for key, rest in links:
        assert key in LESSONS, key
        for name, value in re.findall(r"&(\w+)=([^&`…]+)", rest):
            assert LESSONS[key].setting(name) == value, (key, name, value)

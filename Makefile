# Two commands: `make run` serves the dashboard, `make test` runs every check.
# Both install the pinned, tested versions (constraints.txt) into .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install clean browser screenshots fonts

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/playground run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The browser tests drive Debian's Chromium; install it where it is missing (as root). Without it
# they are skipped with a message, and everything else still runs.
browser:
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || \
	  { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) ; } || \
	  echo "Chromium is not installed and could not be installed: browser tests will be skipped."

# The unit tests on two workers, then the browser tests alone: a browser test shares the two
# cores with its server and Chromium, and under a second worker's load its pages took 2x longer.
test: lint browser
	$(BIN)/python -m pytest -n 2 -m "not browser"
	$(BIN)/python -m pytest -m browser

# Screenshots in 简体中文 need a CJK font, and the 🌐 and 🔗 labels an emoji font (a browser on a
# student's laptop has both already).
fonts:
	@fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || \
	  { [ "$$(id -u)" = 0 ] && apt-get install -y -qq fonts-noto-cjk >/dev/null ; } || \
	  echo "No CJK font: Chinese text in screenshots will show as boxes."
	@fc-list 2>/dev/null | grep -qi "Noto Color Emoji" || \
	  { [ "$$(id -u)" = 0 ] && apt-get install -y -qq fonts-noto-color-emoji >/dev/null ; } || \
	  echo "No emoji font: the language and copy-link icons in screenshots will show as boxes."

screenshots: $(STAMP) browser fonts
	PLAYGROUND_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/e2e

# Every benchmark runs and prints its figures, even after one misses a budget; the exit status
# says whether any did.
BENCHES = surfaces race fair ewa training scratch convnet landscape inside figures workers latency draw frames cold budget
bench: $(STAMP)
	@status=0; for name in $(BENCHES); do \
		$(BIN)/python benchmarks/bench_$$name.py || status=1; \
	done; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info

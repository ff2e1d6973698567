# make run   install everything and serve http://127.0.0.1:8000 (SQLite, seed bank, admin key printed):
#            gunicorn and one queue consumer, stopped together (Ctrl-C, or either one dying)
# make test  install everything and run the whole test suite
#
# Installing is idempotent: the stamp file is rebuilt only when pyproject.toml changes.
# torch is pinned and installed first: 2.13.0 is the CPU build available offline here,
# and every later requirement accepts it, so pip never fetches a CUDA build.

PYTHON ?= python3.11
VENV   ?= .venv
TORCH  ?= torch==2.13.0
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.quizsvc-installed

DATA   ?= ../shared/data

# Debian packages: PDF reports need Pango, HarfBuzz's subsetter and CJK fonts; the browser
# tests drive Debian's chromium (Playwright cannot download a browser here).
DEB_RUN  := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
DEB_TEST := chromium

.PHONY: install system-run system-test run test bench eval clean messages

install: $(STAMP)

# Installs only what is missing (as root, or through sudo).
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

system-run:
	$(call apt_install,$(DEB_RUN))

system-test:
	$(call apt_install,$(DEB_RUN) $(DEB_TEST))

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install --disable-pip-version-check "$(TORCH)"
	$(BIN)/pip install --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

run: install system-run
	$(BIN)/quizsvc init
	exec $(BIN)/quizsvc serve

test: install system-test
	$(BIN)/python -m pytest

# Timing goals live here, not in tests: grading latency against encoding alone, how
# wrong answers fare against partial ones, a whole 20-question submission, and
# importing a 2,000-question bank in every format.
bench: install
	$(BIN)/python bench/grade_latency.py
	$(BIN)/python bench/wrong_answers.py
	$(BIN)/python bench/language_fairness.py
	$(BIN)/python bench/grade_latency.py --examples 50
	$(BIN)/python bench/submission_latency.py
	$(BIN)/python bench/bank_import.py
	$(BIN)/python bench/webhook_latency.py

# Email catalogs: extract the messages, update each language's .po, compile the .mo files
# (both are committed, so running needs no compile step).
messages: install
	$(BIN)/pybabel extract --no-location --omit-header -o quizsvc/translations/messages.pot quizsvc/mail.py
	$(BIN)/pybabel update --no-location -i quizsvc/translations/messages.pot -d quizsvc/translations
	$(BIN)/pybabel compile -d quizsvc/translations

# Agreement with human grades on the shared data sets (see README, "Measured").
eval: install
	$(BIN)/quizsvc grader eval --data $(DATA)/ads_zh/train.csv --group-cv 5
	$(BIN)/quizsvc grader calibrate --data $(DATA)/ads_zh/train.csv -o instance/params-ads.json
	$(BIN)/quizsvc grader eval --data $(DATA)/scientsbank/train.csv --params instance/params-ads.json
	$(BIN)/quizsvc grader eval --data $(DATA)/scientsbank/train.csv --group-cv 5
	$(BIN)/quizsvc grader eval --data $(DATA)/ads_zh/train.csv --group-cv 5 --examples 10
	$(BIN)/quizsvc grader eval --data $(DATA)/scientsbank/train.csv --group-cv 5 --examples 10

clean:
	rm -rf $(VENV) instance .pytest_cache

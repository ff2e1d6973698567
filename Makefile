# make run   install everything and serve http://127.0.0.1:8000 (SQLite, seed bank, admin key printed):
#            gunicorn and one queue consumer, stopped together (Ctrl-C, or either one dying)
# make test  install everything and run the whole test suite
#
# Installing is idempotent: the stamp file is rebuilt only when the lock or pyproject.toml changes.
# requirements-dev.lock pins every requirement with its hashes (the image installs
# requirements.lock, the same pins without the dev tools): torch is 2.13.0+cpu, the CPU
# build, which pip finds on this machine's disk (elsewhere: PIP_EXTRA_INDEX_URL=
# https://download.pytorch.org/whl/cpu); no CUDA build can be chosen. `make lock` remakes
# both files after a change of pyproject.toml's requirements.

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.quizsvc-installed
LOCK   := requirements-dev.lock
COMPILE = $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --build-deps-for wheel \
          --no-emit-index-url --no-emit-find-links

DATA   ?= ../shared/data

# Debian packages: PDF reports need Pango, HarfBuzz's subsetter and CJK fonts; the browser
# tests drive Debian's chromium (Playwright cannot download a browser here).
DEB_RUN  := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
DEB_TEST := chromium

.PHONY: install system-run system-test run test bench eval clean messages lock

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

$(STAMP): $(LOCK) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# After changing pyproject.toml's requirements: pin them again, afresh (the newest versions
# the ranges allow; pip-tools 7.6 cannot resolve flask-limiter[redis] from an existing lock),
# the dev lock keeping the runtime lock's versions.
lock: install
	rm -f requirements.lock $(LOCK)
	$(COMPILE) -o requirements.lock pyproject.toml
	$(COMPILE) --extra dev --constraint requirements.lock -o $(LOCK) pyproject.toml

run: install system-run
	$(BIN)/quizsvc init
	exec $(BIN)/quizsvc serve

test: install system-test
	$(BIN)/python -m pytest

# Timing goals live here, not in tests: grading latency against encoding alone, how
# wrong answers fare against partial ones, a whole 20-question submission, importing a
# 2,000-question bank in every format, and the production shape (memory per worker,
# HTTP against the bare encoding, regrading, throughput by configuration, load), each
# figure printed beside its limit measured in the same run (bench/RESULTS.md).
bench: install
	$(BIN)/python bench/grade_latency.py
	$(BIN)/python bench/wrong_answers.py
	$(BIN)/python bench/language_fairness.py
	$(BIN)/python bench/grade_latency.py --examples 50
	$(BIN)/python bench/submission_latency.py
	$(BIN)/python bench/bank_import.py
	$(BIN)/python bench/webhook_latency.py
	$(BIN)/python bench/workers.py
	$(BIN)/python bench/score_http.py
	$(BIN)/python bench/regrade.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/submit_load.py
	$(BIN)/python bench/submit_load.py --grading queue
	$(BIN)/python bench/autosave_load.py

# Catalogs of the emails and pages (babel.cfg): extract the messages, update each language's
# .po (translate what is new in zh_Hant and zh_Hans; English copies each message), compile
# the .mo files (both are committed, so running needs no compile step).
messages: install
	$(BIN)/pybabel extract --no-location --omit-header -k lazy_gettext -F babel.cfg -o quizsvc/translations/messages.pot .
	$(BIN)/pybabel update --ignore-obsolete -i quizsvc/translations/messages.pot -d quizsvc/translations
	$(BIN)/python -m quizsvc.i18n --fill-english quizsvc/translations/en/LC_MESSAGES/messages.po
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

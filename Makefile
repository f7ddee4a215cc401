# One-command set-up on a fresh Debian 12 / Debian 13 / Raspberry Pi OS machine.
#   make run        - install what is missing, then play the default routine
#   make test       - install what is missing, then check the lock (offline), lint, type-check,
#                     run every test
#   make quick      - lint, types and the tests that are not slow, real-time or real-audio
#   make bench      - run the benchmarks in bench/ (figures go to docs/benchmarks.md by hand)
#   make catalogs   - refresh the phrasebook's catalogs from phrases/en.py and compile them
#   make lock       - refresh requirements-*.txt from pyproject.toml (UPGRADE=1 takes newer releases)
#   make lock-check - compile the lock again against the package index and compare (needs it)
#   make test-trixie - make test in a fresh clone inside a Debian 13 (Python 3.13) chroot
#                     (tools/debian13-root.sh; needs root and debootstrap)
#   make fuzz       - the long fuzz run over the routine, settings and import readers
#                     (FUZZ_EXAMPLES inputs per reader; docs/hostile-input.md)
#
# Every Python package comes from requirements-*.txt: exact versions with hashes, one lock for
# Linux on x86_64 and aarch64, Python 3.11 to 3.13. pyproject.toml says what is needed; the lock
# says which release. `make lock` records what it was made from in lock.sha256; `make test`
# checks that record offline (tools/lock_stamp.py), so a test run never needs the package index,
# and `make lock-check` compiles the lock again to compare, where the index can be reached.

VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# What playing needs: espeak-ng speaks, ALSA plays (the headers and a compiler build
# simpleaudio), python3-venv holds the project. Installed without recommended extras, so a Pi
# gets only these.
RUN_PKGS := espeak-ng libespeak-ng1 libasound2-dev alsa-utils gcc python3-venv python3-dev
# What the tests need as well: sox makes the spoken-rating test recordings; systemd-analyze
# (systemd) verifies the unit files; poppler-utils (pdftotext, pdftoppm) reads the report's
# PDF back; the companion page's tests drive Debian's chromium.
TEST_PKGS := sox systemd poppler-utils chromium
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
PIP_LOCKED := $(PY) -m pip install -q --require-hashes --no-deps
LOCK_COMPILE = $(VENV)/bin/uv pip compile --quiet --universal --python-version 3.11 \
	--generate-hashes --no-strip-markers --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
TRIXIE_ROOT ?= /var/cache/crampcoach/trixie-root

FUZZ_EXAMPLES ?= 100000

.PHONY: run test quick lint types pytest bench fuzz system system-run system-test setup lock \
	lock-check lock-stamp test-trixie clean catalogs

run: $(RUN_STAMP)
	$(VENV)/bin/crampcoach play

test: $(DEV_STAMP) lock-stamp lint types pytest

quick: $(DEV_STAMP) lint types
	$(VENV)/bin/pytest -q -m "not slow and not realaudio and not realtime"

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check src tests bench tools

types: $(DEV_STAMP)
	$(VENV)/bin/mypy

pytest: $(DEV_STAMP)
	$(VENV)/bin/pytest -q

bench: $(DEV_STAMP)
	$(PY) bench/run_all.py

# The same property as the short run inside `make test`, with many more inputs. CPU-heavy:
# niced, so a machine that also plays sessions keeps its timing.
fuzz: $(DEV_STAMP)
	CRAMPCOACH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) nice -n 19 $(VENV)/bin/pytest -q -s \
		-p no:cacheprovider tests/test_fuzz_inputs.py

# After editing phrases/en.py: new and changed sentences are marked in every catalog
# (translate them, then run this again to compile); `tools/catalogs.py check` lists gaps.
catalogs: $(DEV_STAMP)
	$(PY) tools/catalogs.py update
	$(PY) tools/catalogs.py check

setup: $(DEV_STAMP)

# System packages: installed only when missing, through sudo when not root. `make run` takes
# only what playing needs; `make test` adds the tests' tools.
define INSTALL_MISSING
	@missing=""; \
	for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) $$missing; \
	fi
endef

system-run:
	$(call INSTALL_MISSING,$(RUN_PKGS),--no-install-recommends)

system-test: system-run
	$(call INSTALL_MISSING,$(TEST_PKGS),)

system: system-test

$(PY): | system-run
	$(PYTHON) -m venv $(VENV)

# The build tools first (pinned), so packages that come as source build with them and not with
# whatever a build environment would fetch; then the locked set; then crampcoach itself.
$(RUN_STAMP): pyproject.toml requirements-build.txt requirements-run.txt | $(PY)
	$(PIP_LOCKED) -r requirements-build.txt
	$(PIP_LOCKED) --no-build-isolation -r requirements-run.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

$(DEV_STAMP): pyproject.toml requirements-build.txt requirements-dev.txt | $(PY) system-test
	$(PIP_LOCKED) -r requirements-build.txt
	$(PIP_LOCKED) --no-build-isolation -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $(DEV_STAMP) $(RUN_STAMP)

# The lock: build tools alone, then what a Pi needs to play (with the GPIO button, the
# spoken rating and the companion page), then everything a developer needs. The first constrains the other two.
# Run in the folder that holds pyproject.toml and the requirements-*.txt files.
define COMPILE_LOCK
$(LOCK_COMPILE) --group pyproject.toml:build -o requirements-build.txt && \
$(LOCK_COMPILE) -c requirements-build.txt pyproject.toml --extra pi --extra voice --extra web \
	-o requirements-run.txt && \
$(LOCK_COMPILE) -c requirements-build.txt pyproject.toml --all-extras \
	--group pyproject.toml:dev -o requirements-dev.txt
endef

lock: $(DEV_STAMP)
	$(COMPILE_LOCK)
	$(PY) tools/lock_stamp.py write

# Offline: pyproject.toml's dependencies and the lock files are those `make lock` last saw.
lock-stamp:
	$(PYTHON) tools/lock_stamp.py check

# Compiles the lock again in a scratch copy (keeping its pins) and compares: any difference
# means pyproject.toml changed without `make lock`.
lock-check: $(DEV_STAMP)
	@here=$$(pwd); scratch=$$(mktemp -d); trap 'rm -rf "$$scratch"' EXIT; \
	cp requirements-*.txt "$$scratch/" && \
	cp pyproject.toml "$$scratch/" && cd "$$scratch" && \
	{ $(subst $(VENV)/,$$here/$(VENV)/,$(COMPILE_LOCK)) ; } 2>err || { cat err; exit 1; }; \
	for f in build run dev; do \
		diff -u "$$here/requirements-$$f.txt" requirements-$$f.txt >$$f.diff || { \
			echo "requirements-$$f.txt does not match pyproject.toml; run 'make lock' and commit both:"; \
			cat $$f.diff; exit 1; }; \
	done; echo "lock: requirements-*.txt match pyproject.toml"; \
	cd "$$here" && $(PYTHON) tools/lock_stamp.py check

# The Debian 13 root is made once (debootstrap, a few minutes) and kept for the next run; the
# script clones this repository's committed HEAD into it, so commit before you run this.
test-trixie:
	mkdir -p $(dir $(TRIXIE_ROOT))
	bash tools/debian13-root.sh $(TRIXIE_ROOT) run 'make test'

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

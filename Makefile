# One-command set-up on a fresh Debian 12 / Raspberry Pi OS machine.
#   make run   - install what is missing, then play the default routine
#   make test  - install what is missing, then lint, type-check and run the tests
#   make bench - run the benchmarks in bench/ (figures go to docs/benchmarks.md by hand)
#   make fuzz  - the long fuzz run over the routine, settings and import readers
#                (FUZZ_EXAMPLES inputs per reader; docs/hostile-input.md)

VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# systemd: its systemd-analyze checks the scheduled-start units the tests write.
SYSTEM_PKGS := espeak-ng libespeak-ng1 libasound2-dev alsa-utils gcc python3-venv python3-dev \
	systemd
STAMP := $(VENV)/.installed

FUZZ_EXAMPLES ?= 100000

.PHONY: run test lint types pytest bench fuzz system setup clean

run: $(STAMP)
	$(VENV)/bin/crampcoach play

test: $(STAMP) lint types pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench

types: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP)
	$(VENV)/bin/pytest -q

bench: $(STAMP)
	$(PY) bench/run_all.py

# The same property as the short run inside `make test`, with many more inputs. CPU-heavy:
# niced, so a machine that also plays sessions keeps its timing.
fuzz: $(STAMP)
	CRAMPCOACH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) nice -n 19 $(VENV)/bin/pytest -q -s \
		-p no:cacheprovider tests/test_fuzz_inputs.py

setup: $(STAMP)

# System packages: installed only when missing, through sudo when not root.
system:
	@missing=""; \
	for p in $(SYSTEM_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(STAMP): pyproject.toml | system
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

# The two commands of the README: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.lock requirements-test.lock | sha256sum | cut -c1-12)

.PHONY: demo test venv system-packages services lint clean totp

$(STAMP): requirements.lock requirements-test.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements-test.lock 2>&1 | grep -v "WARNING: Location" || true
	@$(PY) -c "import django, celery, weasyprint, playwright" 
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

# Debian packages the portal and its tests need (installed only when missing).
system-packages:
	@bash scripts/system-packages.sh

services:
	@bash scripts/services.sh

demo: system-packages venv
	@bash scripts/demo.sh

test: system-packages venv services
	@bash scripts/test.sh

lint: venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf var staticfiles test-artifacts

# The current TOTP code of a demo staff account: make totp EMAIL=agent@demo.connaissance.fr
totp:
	@DEBUG=1 $(PY) manage.py demo_totp $(EMAIL)

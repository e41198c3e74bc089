# Thư viện số — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test lint format bench venv dev-venv messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.dev-installed

run: $(VENV)/.installed
	LIBRARY_DEBUG=1 $(PY) manage.py migrate --noinput
	LIBRARY_DEBUG=1 $(PY) manage.py demo_load
	LIBRARY_DEBUG=1 $(PY) manage.py rebuild_index --noinput
	LIBRARY_DEBUG=1 PORT=$(PORT) $(PY) manage.py library_serve

test: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -n auto

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.dev-installed
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b --quick || exit 1; done

# Refresh the English catalogue from every app (run from the project root, so no app's
# strings are dropped); translate the new entries in library/locale/en/LC_MESSAGES/django.po,
# then compile (needs gettext's msgfmt; the compiled .mo is committed for fresh machines).
messages: $(VENV)/.dev-installed
	LIBRARY_DEBUG=1 $(PY) manage.py makemessages -l en --no-obsolete \
		-i ".venv/*" -i "var/*" -i "tests/*" -i "bench/*"
	$(PY) manage.py compilemessages -l en

clean:
	rm -rf $(VENV) var

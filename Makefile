# The two commands a newcomer needs (see README.md):
#   make run    set up, then start the kiosk on its embedded demo defaults
#   make test   set up, then run the whole test suite
.PHONY: run test setup bench practice guides

setup:
	@bash scripts/setup.sh

run: setup
	@.venv/bin/python -m kiosk demo

test: setup
	@bash scripts/test.sh

bench: setup
	@.venv/bin/python -m bench

practice: setup
	@.venv/bin/python -m kiosk practice

guides: setup
	@.venv/bin/python -m kiosk.tools.guides

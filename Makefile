# The two commands of the README: `make site` builds the site, `make test` runs every test.
export NO_MKDOCS_2_WARNING := 1
VENV := .venv/bin

.PHONY: site test setup check serve bench fuzz clean

site:
	@scripts/setup.sh
	$(VENV)/newsletter check
	$(VENV)/mkdocs build
	@echo "site built in ./site — open site/index.html or run: make serve"

test:
	@scripts/setup.sh --test
	$(VENV)/python -m pytest $(PYTEST_ARGS)

check:
	@scripts/setup.sh
	$(VENV)/newsletter check

serve:
	@scripts/setup.sh
	$(VENV)/newsletter serve

bench:
	@scripts/setup.sh --bench
	$(VENV)/python scripts/bench.py $(BENCH_ARGS)

clean:
	rm -rf site .venv node_modules

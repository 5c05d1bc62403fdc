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

# Long fuzz run of the content loader (CI runs the bounded `ci` profile inside `make test`).
fuzz:
	@scripts/setup.sh --test
	HYPOTHESIS_PROFILE=fuzz $(VENV)/python -m pytest tests/unit/test_fuzz_loader.py -q --hypothesis-show-statistics

clean:
	rm -rf site .venv node_modules

# The two commands of the README: `make site` builds the site, `make test` runs every test.
export NO_MKDOCS_2_WARNING := 1
# The platform (README "Platform"): HOST=mkdocs|properdocs, THEME=material|materialx, e.g.
# `make site HOST=properdocs THEME=materialx`. Each combination has its own virtual environment.
HOST ?= mkdocs
THEME ?= material
PLATFORM := --host $(HOST) --theme $(THEME)
VENV := $(if $(filter mkdocs-material,$(HOST)-$(THEME)),.venv,.venv-$(HOST)-$(THEME))/bin
# What `make test` also builds and checks in the browser (tests/test_platforms.py): the two ProperDocs combinations.
PLATFORMS_TESTED := properdocs:material properdocs:materialx

.PHONY: site test setup check serve bench fuzz platform-status clean

site:
	@scripts/setup.sh $(PLATFORM)
	$(VENV)/newsletter $(PLATFORM) check
	$(VENV)/newsletter $(PLATFORM) build
	@echo "site built in ./site — open site/index.html or run: make serve"

test:
	@scripts/setup.sh --test
	@for p in $(PLATFORMS_TESTED); do scripts/setup.sh --host $${p%%:*} --theme $${p##*:} || exit 1; done
	.venv/bin/python -m pytest $(PYTEST_ARGS)

check:
	@scripts/setup.sh $(PLATFORM)
	$(VENV)/newsletter $(PLATFORM) check

serve:
	@scripts/setup.sh $(PLATFORM)
	$(VENV)/newsletter $(PLATFORM) serve

bench:
	@scripts/setup.sh --bench
	.venv/bin/python scripts/bench.py $(BENCH_ARGS)

# Long fuzz run of the content loader (CI runs the bounded `ci` profile inside `make test`).
fuzz:
	@scripts/setup.sh --test
	HYPOTHESIS_PROFILE=fuzz .venv/bin/python -m pytest tests/unit/test_fuzz_loader.py -q --hypothesis-show-statistics

# Are ProperDocs and MaterialX still releasing, and do our pins admit their newest release? (PyPI; README "Platform")
platform-status:
	@scripts/setup.sh
	.venv/bin/python scripts/platform_status.py

clean:
	rm -rf site .venv .venv-*-* .mkdocs-*.yml node_modules

# Set-up and everyday commands. Everything the project needs is installed from here.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo-data
export PIP_DISABLE_PIP_VERSION_CHECK=1

.PHONY: install demo serve test quality bench bench-small bench-campaign bench-alerts load fuzz clean

$(STAMP): pyproject.toml tests/widget/package-lock.json
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver)
	npm ci --prefix tests/widget --no-audit --no-fund --silent
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0   # CPU build from local disk; before sentence-transformers
	$(BIN)/pip install -q -e '.[st,test,bench]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	TWINMATCH_DATA_DIR=$(DEMO_DIR) $(BIN)/twinmatch index indexer/data/sample.jsonl
	TWINMATCH_AUTH=off TWINMATCH_DATA_DIR=$(DEMO_DIR) $(BIN)/twinmatch serve --host 127.0.0.1 --port 8000

serve: install
	TWINMATCH_AUTH=off TWINMATCH_DATA_DIR=$(DEMO_DIR) $(BIN)/twinmatch serve --host 127.0.0.1 --port 8000

test: install
	$(BIN)/python -m pytest -q

# Match quality on the judged datasets, written into docs/quality.md (see that file).
quality: install
	$(BIN)/twinmatch eval indexer/data/projects-dev indexer/data/evaldev --search title --search interests --consortia --cv 5 --report docs/quality.md --section tables
	$(BIN)/twinmatch eval indexer/data/projects-dev --background indexer/data/sample.jsonl --search title --search interests --report docs/quality.md --section background

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache

# Schemathesis over every operation with an admin key and every check but positive_data_acceptance
# (tests/api/test_schemathesis.py says why), 150 derandomized examples each; `make test` runs 25 each.
fuzz: install
	SCHEMATHESIS_EXAMPLES=150 $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/api/test_schemathesis.py

# Benchmarks of the embedded backend (bench/run.py; synthetic vectors, see bench/results.md).
bench: install
	$(BIN)/python bench/run.py --n 1000000

bench-small: install
	$(BIN)/python bench/run.py --n 100000 --queries 100

# Campaign benchmark: 10,000 participants over 100k profiles (index cached in bench-data/).
bench-campaign: install
	$(BIN)/python bench/campaign.py

# Alert benchmark: arrivals matched against 5,000 subscribers among 100k profiles (cached in bench-data/).
bench-alerts: install
	$(BIN)/python bench/alerts.py --index 100000 --subscribers 5000

# Load: 60 s of mixed partner queries, searches and upserts at 200 req/s against 100k profiles,
# served by one worker per core (index built once into bench-data/; docs/operations.md, Load).
load: install
	$(BIN)/python bench/load.py --data bench-data/load-100k --n 100000 --rate 200 --duration 60

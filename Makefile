# Set-up and everyday commands. Everything the project needs is installed from here.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo-data
export PIP_DISABLE_PIP_VERSION_CHECK=1

NODE := tools/opensearch-node
NODE_STAMP := $(NODE)/target/.built
OS_DIR ?= opensearch-data
OS_PORT ?= 9200

.PHONY: install demo serve test test-st quality opensearch opensearch-node bench-opensearch bench bench-small bench-campaign bench-alerts load fuzz clean

$(STAMP): pyproject.toml tests/widget/package-lock.json
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver)
	npm ci --prefix tests/widget --no-audit --no-fund --silent
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $(STAMP)

install: $(STAMP)

# The real OpenSearch node (tools/opensearch-node): Maven resolves it from Maven Central into
# ~/.m2 once. Without Maven or a JDK its tests skip, except in CI, where the build must work.
$(NODE_STAMP): $(NODE)/pom.xml $(NODE)/src/main/java/org/twinmatch/osnode/Main.java
	@if ! command -v mvn >/dev/null || ! command -v java >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven default-jdk-headless) || true; fi
	@if command -v mvn >/dev/null; then mvn -q -B -f $(NODE)/pom.xml package && touch $@; \
	 elif [ -n "$$CI" ]; then echo "CI needs Maven and a JDK 17+ to build the OpenSearch node" >&2; exit 1; \
	 else echo "warning: no Maven or JDK; the tests on a real OpenSearch node will skip" >&2; fi

opensearch-node: $(NODE_STAMP)

# A single OpenSearch node with k-NN on 127.0.0.1:$(OS_PORT), data in $(OS_DIR); Ctrl-C stops it.
opensearch: $(NODE_STAMP)
	java -Xms1g -Xmx1g -cp "$(NODE)/target/classes:$(NODE)/target/lib/*:$(NODE)/target/knn/*" \
	  org.twinmatch.osnode.Main $(OS_DIR) $(OS_PORT)

demo: install
	TWINMATCH_DATA_DIR=$(DEMO_DIR) $(BIN)/twinmatch index indexer/data/sample.jsonl
	TWINMATCH_AUTH=off TWINMATCH_DATA_DIR=$(DEMO_DIR) $(BIN)/twinmatch serve --host 127.0.0.1 --port 8000

serve: install
	TWINMATCH_AUTH=off TWINMATCH_DATA_DIR=$(DEMO_DIR) $(BIN)/twinmatch serve --host 127.0.0.1 --port 8000

test: install opensearch-node
	$(BIN)/python -m pytest -q

# Match quality on the judged datasets, written into docs/quality.md (see that file).
quality: install
	$(BIN)/twinmatch eval indexer/data/projects-dev indexer/data/evaldev --train-background indexer/data/sample.jsonl --search title --search interests --search title-unindexed --consortia --cv 5 --report docs/quality.md --section tables
	$(BIN)/twinmatch eval indexer/data/projects-dev --background indexer/data/sample.jsonl --search title --search interests --search title-unindexed --report docs/quality.md --section background

# The optional sentence-transformers embedder and its test: torch comes from PyPI, a download of
# several GB, so `make test` never installs it.
test-st: install
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[st,test]'
	$(BIN)/python -m pytest -q tests/test_st_embedder.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache $(NODE)/target

# Schemathesis over every operation with an admin key and every check (--checks all),
# 150 derandomized examples each; `make test` runs 25 each.
fuzz: install
	SCHEMATHESIS_EXAMPLES=150 $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/api/test_schemathesis.py

# Benchmarks of the embedded backend (bench/run.py; synthetic vectors, see bench/results.md).
bench: install
	$(BIN)/python bench/run.py --n 1000000

bench-small: install
	$(BIN)/python bench/run.py --n 100000 --queries 100

# The OpenSearch backend on a real node at 100k profiles (bench/opensearch.py; heap 1 GB).
bench-opensearch: install opensearch-node
	$(BIN)/python bench/opensearch.py --n 100000

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

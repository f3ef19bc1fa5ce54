# Fluxion — the two commands of the quickstart are `make run` and `make test`.
# Both run the idempotent setup first (system packages via apt-get when missing).

SWIFT ?= swift
HOST ?= 127.0.0.1
PORT ?= 7400
ARGS ?=
# Detector loaded and activated by `make run` (empty: none).
DETECTOR ?= threshold

.PHONY: setup build release run test test-release test-clients test-dashboard dashboard check-protos protos bench clean format lint fuzz install

setup:
	@bash scripts/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

run: release
	.build/release/fluxiond --host $(HOST) --port $(PORT) $(if $(DETECTOR),--detector $(DETECTOR)) $(ARGS)

check-protos: setup
	bash scripts/check-protos.sh

protos: setup
	bash scripts/gen-protos.sh

test: setup check-protos lint
	$(SWIFT) build --build-tests
	$(SWIFT) build --package-path Tests/PluginFixtures
	$(SWIFT) test --skip-build
	$(MAKE) test-clients
	$(MAKE) test-dashboard
	$(MAKE) fuzz
	$(MAKE) test-release

# The release build that `make run`, `make install` and the benchmarks use: built (the optimizer
# has failed on code the debug build accepts) and run (scripts/release-smoke.sh).
test-release: release
	bash scripts/release-smoke.sh

# The wire-layer fuzzer (ASan + libFuzzer), bounded: the committed corpus and 200,000 mutations.
# FUZZ_ARGS=-max_total_time=900 for a long run (docs/SECURITY.md has the figures).
FUZZ_ARGS ?= -runs=200000
fuzz: setup
	bash scripts/fuzz.sh $(FUZZ_ARGS)

# The Python client's tests and the C example's, against the debug fluxiond (clients/). The Python
# suite runs at both ends of the client's protobuf range (clients/python/pyproject.toml), each in a
# venv scripts/setup.sh makes: .venv the oldest (4.21.12), .venv-newest the newest pip found.
PY_VENVS := .venv .venv-newest
test-clients: setup
	$(SWIFT) build --product fluxiond
	bash scripts/check-python-protos.sh
	$(MAKE) -C clients/c
	@for v in $(PY_VENVS); do echo "test-clients: $$v has protobuf $$($$v/bin/python -c 'import google.protobuf as p; print(p.__version__)')"; done
	cd clients/python && FLUXIOND=$(CURDIR)/.build/debug/fluxiond $(CURDIR)/.venv/bin/python -m pytest -q -p no:cacheprovider
	cd clients/python && FLUXIOND=$(CURDIR)/.build/debug/fluxiond $(CURDIR)/.venv-newest/bin/python -m pytest -q -p no:cacheprovider

# The operator's dashboard (clients/dashboard, docs/DASHBOARD.md) against a running fluxiond:
# http://127.0.0.1:$(DASHBOARD_PORT)/, fluxiond at $FLUXION_SERVER (default 127.0.0.1:7400).
# DASHBOARD_ARGS: more gateway flags (--token-file F, --tls, --ca-file PEM, --host ADDR).
DASHBOARD_PORT ?= 8080
DASHBOARD_ARGS ?=
dashboard: setup
	PYTHONPATH=$(CURDIR)/clients/dashboard $(CURDIR)/.venv-dashboard/bin/python -m fluxion_dashboard --port $(DASHBOARD_PORT) $(DASHBOARD_ARGS)

# The dashboard's tests: mapping unit tests, the gateway against the debug fluxiond, and the page
# in headless Chromium (screenshots in clients/dashboard/test-artifacts/).
test-dashboard: setup
	$(SWIFT) build --product fluxiond
	$(SWIFT) build --product FluxionThreshold
	$(SWIFT) build --product FluxionPressureDrop
	cd clients/dashboard && FLUXIOND=$(CURDIR)/.build/debug/fluxiond $(CURDIR)/.venv-dashboard/bin/python -m pytest -q -p no:cacheprovider

# PREFIX=/usr/local by default; see scripts/install.sh for what goes where.
PREFIX ?= /usr/local
install: release
	bash scripts/install.sh $(PREFIX) $(CURDIR)/.build/release

bench: release
	bash scripts/bench.sh

clean:
	rm -rf .build .build-fuzz Tests/PluginFixtures/.build

# Every Swift folder: the Sources targets except the C ones (C*), the plugins, the tests.
SWIFT_PATHS := $(filter-out Sources/C%,$(wildcard Sources/*)) Plugins Tests Package.swift

format:
	swift format --in-place --recursive $(SWIFT_PATHS)

# Fails when a Swift file is not formatted as .swift-format says (run `make format`).
lint:
	swift format lint --strict --recursive $(SWIFT_PATHS)

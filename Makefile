# tandem's front door. `make run` serves the bundled examples; `make test` runs every test.
# Nothing needs exporting: a JDK >= 21 is found here (JAVA_HOME, then /usr/lib/jvm/*).

SHELL := /bin/bash
.DEFAULT_GOAL := build

# The first JDK (with javac) of version 21 or newer: JAVA_HOME if it qualifies, else the newest
# under /usr/lib/jvm.
JDK := $(shell \
  ok() { [ -x "$$1/bin/javac" ] && v=$$("$$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p') && [ "$${v:-0}" -ge 21 ] 2>/dev/null; }; \
  if [ -n "$$JAVA_HOME" ] && ok "$$JAVA_HOME"; then echo "$$JAVA_HOME"; exit; fi; \
  for d in $$(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do d=$${d%/}; if ok "$$d"; then echo "$$d"; exit; fi; done)
ifeq ($(JDK),)
$(error no JDK 21 or newer found in JAVA_HOME or /usr/lib/jvm; install one, e.g. apt-get install openjdk-21-jdk-headless)
endif
export JAVA_HOME := $(JDK)
export PATH := $(JDK)/bin:$(PATH)

# The real interpreter behind python3: a pyenv shim costs ~55 ms at each start.
PYTHON := $(shell python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
ifeq ($(PYTHON),)
$(error python3 (3.11 or newer) is needed on PATH)
endif

# Maven through its wrapper: ./mvnw fetches the Maven that .mvn/wrapper/maven-wrapper.properties
# pins (from Maven Central, once, into ~/.m2/wrapper), so no Maven needs installing by hand.
MVN := ./mvnw -B -q -Dstyle.color=never
VERSION := $(shell sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -n1 | sed 's/-SNAPSHOT$$//')
TARBALL := dist/tandem-$(VERSION)-linux-x86_64.tar.gz
# What the tarball is made of: it is rebuilt when one of these changes, not at every make test.
DIST_INPUTS := $(shell find bin docs packaging protocol/src supervisor/src reasoning-python/tandem examples \
  -type f -not -path '*/__pycache__/*' -not -name '*.pyc' 2>/dev/null) \
  pom.xml protocol/pom.xml supervisor/pom.xml README.md
PREFIX ?= /usr/local
NODE_DIR := integration-tests/node
NODE_STAMP := $(NODE_DIR)/node_modules/.installed

.PHONY: build run serve notebook test test-python test-java fmt node-deps apt-deps conformance dist install clean bench bench-jmh chaos

# The source tree's AOT cache (JDK 24+), trained like the tarball's (packaging/train.py): bin/tandem
# then starts in about half the time, and a worker's first death runs code already linked. It is
# retrained only when the jar is newer; a JDK without AOT caches skips it. serve --http gets a
# second cache trained over HTTP (Netty, metrics: ~1,300 more classes).
DEV_AOT := supervisor/target/tandem.aot
build:
	$(MVN) -DskipTests install
	@# Bytecode for the worker's own package and the examples, written once here: where
	@# PYTHONDONTWRITEBYTECODE is set, every worker start would otherwise compile them (~20 ms).
	@$(PYTHON) -m compileall -q reasoning-python/tandem examples >/dev/null
	@if [ ! $(DEV_AOT) -nt supervisor/target/tandem.jar ]; then \
	  PYTHON=$(PYTHON) packaging/aot-cache.sh java $(CURDIR) $(DEV_AOT) supervisor/target/train.log supervisor/target/tandem-http.aot; \
	fi

## Serve the bundled examples: a short tour through the real daemon, then how to add it to a host.
run: build
	@$(PYTHON) examples/tour.py

## tandem on stdio, for a host or a pipe: make serve < requests.jsonl
serve: build
	@bin/tandem serve

## The daemon examples/notebooks/prompt-iteration.ipynb talks to, reloading on every save. It serves a
## fresh copy of examples/tools (examples/notebooks/workspace.py), so the notebook never edits the repo.
notebook: build
	@config=$$($(PYTHON) examples/notebooks/workspace.py) && echo "serving a copy of examples/tools: $${config%/*}/tools" \
	  && exec bin/tandem serve --http 127.0.0.1:8765 --watch --config "$$config"

test: test-python test-java

test-python:
	cd reasoning-python && $(PYTHON) -m unittest discover -s tests

# Not -q: Surefire's per-class and closing lines are the record of what ran.
# Workers started by the tests trace into the build tree, not the user's ~/.cache.
# The tarball is built first: DistributionTest runs it with no Java on PATH.
# spotless:check first: Java sources as make fmt leaves them, or the run stops before any test.
test-java: node-deps apt-deps $(TARBALL)
	TANDEM_TRACE_DIR=$(CURDIR)/integration-tests/target/traces ./mvnw -B -ntp -Dstyle.color=never spotless:check install

## Format the Java sources (google-java-format through Spotless); make test checks they are.
fmt:
	$(MVN) spotless:apply

## The official MCP conformance suites against tandem serve --http (also part of make test).
conformance: build node-deps
	@integration-tests/conformance/run.sh

# npm packages pinned in the lockfile; installed once per lockfile change.
node-deps: $(NODE_STAMP)
$(NODE_STAMP): $(NODE_DIR)/package-lock.json
	npm ci --prefix $(NODE_DIR) --no-audit --no-fund --loglevel=error
	@touch $@

## Debian packages the integration tests run for real: HAProxy (replicas behind a load balancer),
## redis-server (tasks shared by replicas).
## Installed only when missing; where apt-get or root is not at hand it says so and the tests that
## need it are skipped, each with the same message.
APT_PACKAGES := haproxy:/usr/sbin/haproxy redis-server:/usr/bin/redis-server
apt-deps:
	@missing=""; for p in $(APT_PACKAGES); do [ -x "$${p#*:}" ] || missing="$$missing $${p%%:*}"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null || [ "$$(id -u)" != 0 ]; then \
	  echo "make apt-deps: not installing$$missing (needs apt-get and root); the tests that need it will be skipped: apt-get install -y$$missing"; \
	  exit 0; \
	fi; \
	echo "make apt-deps: installing$$missing"; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing >/dev/null \
	  || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing >/dev/null; }

## A self-contained tarball: jlinked runtime, daemon, Python package, examples, AOT cache, SBOM.
dist: $(TARBALL)
$(TARBALL): $(DIST_INPUTS)
	$(MVN) -DskipTests package
	@packaging/dist.sh

## tandem against the floor (bench/floor: a minimal Python MCP server), ratios from one run: a table, and
## bench/results/TIMESTAMP.json. Never part of `make test`. BENCH_ARGS=--quick for a smoke run,
## BENCH_ARGS="--only latency,throughput" for some scenarios (--only http: Streamable HTTP against the
## official TypeScript SDK server, which needs make node-deps); JMH=1 adds the micro-benchmarks.
BENCH_CLASSES := bench/target/classes
bench: build node-deps
	@rm -rf $(BENCH_CLASSES)
	@javac --release 21 -d $(BENCH_CLASSES) $$(find bench/src -name '*.java')
	java -XX:+UseSerialGC -cp $(BENCH_CLASSES) dev.tandem.bench.Bench --home $(CURDIR) --python $(PYTHON) $(BENCH_ARGS)
	@if [ -n "$(JMH)" ]; then $(MAKE) --no-print-directory bench-jmh; fi

## JMH micro-benchmarks of the codec, FrameReader and the per-call path (about a minute).
## JMH_ARGS passes JMH options, e.g. JMH_ARGS=CodecBench or JMH_ARGS="-prof gc".
bench-jmh: build
	$(MVN) -f bench/jmh/pom.xml package
	java -cp "bench/jmh/target/classes:bench/jmh/target/lib/*" org.openjdk.jmh.Main -foe true $(JMH_ARGS)

## Faults against the real daemon (workers killed and stopped, garbage, floods, SIGTERM, idle HTTP...);
## one table: calls tried, answered correctly, lost, doubled, processes leaked. Also written to
## integration-tests/target/chaos.txt. Never part of `make test`; about 2 minutes.
## CHAOS_ONLY=flood runs the scenarios whose name contains it.
chaos: build
	TANDEM_TRACE_DIR=$(CURDIR)/integration-tests/target/traces $(MVN) -ntp -pl integration-tests test \
	  -Dtest=ChaosRun -Dsurefire.failIfNoSpecifiedTests=false -Dchaos.only="$(CHAOS_ONLY)"

## Install the tarball: PREFIX/lib/tandem and a PREFIX/bin/tandem symlink (make install PREFIX=~/.local).
install: $(TARBALL)
	@packaging/install.sh $(TARBALL) $(PREFIX)

clean:
	$(MVN) clean
	rm -rf dist
	rm -rf $(NODE_DIR)/node_modules

# Thin wrapper over meson for the README's commands.
#   make        build build/stats-service
#   make run    install what is missing, build, serve on 127.0.0.1:5000 (SQLite in ./var)
#   make test   install what is missing, build with ASan+UBSan, run every test
#   make install  install build/stats-service to $(PREFIX)/bin (default /usr/local/bin)
#   make test-valgrind   the whole suite under valgrind memcheck (long)
#   make fuzz     every fuzz target for FUZZ_SECONDS (default 30) s; total executions
BUILD ?= build
PREFIX ?= /usr/local
ASAN_BUILD ?= build-asan
# The npm packages the web front embeds (package-lock.json), installed again
# whenever the lockfile is newer than the installed tree.
NPM_STAMP = node_modules/.package-lock.json

.PHONY: all deps run install test test-valgrind fuzz clean npm-packages

all: $(NPM_STAMP) $(BUILD)/build.ninja
	ninja -C $(BUILD)

npm-packages: $(NPM_STAMP)

$(NPM_STAMP): package-lock.json package.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NPM_STAMP)

# The service alone: tests and fuzz targets (and their cmocka) only on the test path.
$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=release -Dtests=disabled --prefix=$(PREFIX)

deps:
	scripts/install-deps.sh build

run: deps all
	mkdir -p var
	$(BUILD)/stats-service db init
	$(BUILD)/stats-service serve

# meson installs the one executable (the web assets are inside it).
install: deps all
	meson install -C $(BUILD) --no-rebuild --destdir "$(DESTDIR)"

test:
	scripts/install-deps.sh test
	$(MAKE) --no-print-directory npm-packages
	scripts/test.sh $(ASAN_BUILD)

# The whole unit and integration suite under valgrind memcheck (about an hour; SQLite,
# plus PostgreSQL when STATS_TEST_DATABASE_URI is set).
test-valgrind:
	scripts/install-deps.sh test
	$(MAKE) --no-print-directory npm-packages
	scripts/valgrind.sh all

# A release runs it long enough for 10^8 executions in all (docs/reliability.md).
FUZZ_SECONDS ?= 30
fuzz:
	scripts/install-deps.sh test
	scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

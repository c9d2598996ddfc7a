# Thin wrapper over meson for the README's commands.
#   make        build build/stats-service
#   make run    install what is missing, build, serve on 127.0.0.1:5000 (SQLite in ./var)
#   make test   install what is missing, build with ASan+UBSan, run every test
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: all deps run test clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=release

deps:
	scripts/install-deps.sh build

run: deps all
	mkdir -p var
	$(BUILD)/stats-service db init
	$(BUILD)/stats-service serve

test:
	scripts/install-deps.sh test
	scripts/test.sh $(ASAN_BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

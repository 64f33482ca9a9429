# hyseis: the two commands. `make run` and `make test` each do all set-up on a fresh Debian 12.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?=
.PHONY: all deps configure build run test test-all bench validate clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/CMakeCache.txt

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/hyseis run scenarios/quickstart.yaml

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -LE slow

test-all: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

validate: build
	./$(BUILD_DIR)/hyseis validate

bench: build
	./$(BUILD_DIR)/hyseis bench

clean:
	rm -rf $(BUILD_DIR)

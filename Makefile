# detsys: every binary into bin/, the demo, the tests, the benchmarks.
# The README's two commands are `make demo` and `make test`.

GO      ?= go
BIN     := $(CURDIR)/bin
# Every top-level directory with a main.go is a tool; every exec/examples/NAME
# is the executor sut-NAME (script_test.go finds the same list).
TOOLS   := $(patsubst %/main.go,%,$(wildcard */main.go))
SUTS    := $(patsubst exec/examples/%/main.go,%,$(wildcard exec/examples/*/main.go))

.PHONY: all build deps demo test bench bench-check sweep clean

all: build

build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ $(addprefix ./,$(TOOLS))
	@for s in $(SUTS); do echo "$(GO) build -o $(BIN)/sut-$$s ./exec/examples/$$s"; \
		$(GO) build -o $(BIN)/sut-$$s ./exec/examples/$$s || exit 1; done

deps:
	@scripts/deps

demo: deps build
	@scripts/demo

# The Porcupine comparison is its own module (the product does not depend
# on Porcupine); its test checks that both checkers agree on every history.
test: deps
	$(GO) test ./...
	cd scripts/bench-porcupine && $(GO) test ./...

bench: build
	@scripts/bench

bench-check:
	@scripts/bench porcupine

clean:
	rm -rf $(BIN)

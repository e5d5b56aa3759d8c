# detsys: every binary into bin/, the demo, the tests, the benchmarks.
# The README's two commands are `make demo` and `make test`.

GO      ?= go
BIN     := $(CURDIR)/bin
TOOLS   := gen sched check
SUTS    := register faulty

.PHONY: all build demo test bench sweep clean

all: build

build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ $(addprefix ./,$(TOOLS))
	@for s in $(SUTS); do echo "$(GO) build -o $(BIN)/sut-$$s ./exec/examples/$$s"; \
		$(GO) build -o $(BIN)/sut-$$s ./exec/examples/$$s || exit 1; done

demo: build
	@scripts/demo

test:
	$(GO) test ./...

bench: build
	@scripts/bench

clean:
	rm -rf $(BIN)

# xhht — learning-society statistics pipeline.
# `make run` and `make test` work on a fresh clone with Go, gcc and apt.

GO       ?= go
TOOLS    := $(CURDIR)/.tools/bin
export XHHT_VERSITYGW := $(TOOLS)/versitygw
BUILD    := build

.PHONY: run test tools bench package build vet fmt-check clean fuzz

## run: generate a demo province's uploads and process them as the Lambda would
run:
	$(GO) run ./cmd/xhht run

## tools: test dependencies at pinned versions (versitygw S3 server, LibreOffice)
tools:
	./scripts/versitygw.sh
	./scripts/libreoffice.sh

## test: every test, with formatting and vet checks, then a short fuzz run of each decoder
test: tools fmt-check vet
	$(GO) test -count=1 ./...
	./scripts/fuzz-short.sh

## fuzz: a longer fuzz run of each decoder (FUZZTIME, default 2m each)
fuzz: tools
	FUZZTIME=$${FUZZTIME:-2m} ./scripts/fuzz-short.sh

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.tools/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

## bench: performance targets (results and command in BENCHMARKS.md)
bench: tools
	$(GO) test -run='^$$' -bench=. -benchmem -count=1 ./...

build:
	$(GO) build -o $(BUILD)/xhht ./cmd/xhht

## package: one deployable zip per function (bootstrap for provided.al2023)
package:
	mkdir -p $(BUILD)/ingest
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o $(BUILD)/ingest/bootstrap ./functions/ingest
	cd $(BUILD)/ingest && rm -f ../ingest.zip && $(GO) run ../../scripts/zipbootstrap.go ../ingest.zip bootstrap

clean:
	rm -rf $(BUILD) xhht-data

# xhht — learning-society statistics pipeline.
# `make run` and `make test` work on a fresh clone with Go, gcc and apt.

GO       ?= go
TOOLS    := $(CURDIR)/.tools/bin
export XHHT_VERSITYGW := $(TOOLS)/versitygw
export XHHT_LAMBDA_RIE := $(TOOLS)/aws-lambda-rie
BUILD    := build

.PHONY: cfn-lint run test tools bench bench-burst package package-ingest package-rollup package-report package-portal build vet fmt-check clean fuzz

## run: generate a demo province's uploads and process them as the Lambda would
# Built first, with a message: on a fresh clone Go downloads the modules
# (DuckDB's static library alone is about 30 MB) and compiles everything,
# which takes minutes with no other output.
run:
	@echo "make run: biên dịch build/xhht (building). Lần đầu Go tải các module (thư viện DuckDB ~30 MB) và biên dịch: có thể mất vài phút, không in gì thêm; các lần sau vài giây."
	@echo "          (first time: Go downloads the modules and compiles them, DuckDB included: several minutes with no output; later runs: seconds)"
	$(GO) build -buildvcs=auto -o $(BUILD)/xhht ./cmd/xhht
	@echo "make run: chạy bản mẫu (running the demo): $(BUILD)/xhht run → xhht-data/"
	@$(BUILD)/xhht run

## tools: test dependencies at pinned versions (versitygw S3 server, LibreOffice, chromium for the portal)
tools:
	./scripts/versitygw.sh
	./scripts/lambda-rie.sh
	./scripts/libreoffice.sh
	./scripts/report-tools.sh
	./scripts/chromium.sh

## test: every test, with formatting and vet checks, then a short fuzz run of each decoder
# -timeout: the tests package (every function's bootstrap built and run
# under the Runtime API stand-in and AWS's emulator, LibreOffice) takes
# longer than go test's default 10 minutes on a busy 2-core machine.
test: tools fmt-check vet cfn-lint
	$(GO) test -count=1 -timeout=30m ./...
	./scripts/fuzz-short.sh

## fuzz: a longer fuzz run of each decoder (FUZZTIME, default 2m each)
fuzz: tools
	FUZZTIME=$${FUZZTIME:-2m} ./scripts/fuzz-short.sh

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.tools/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# AWS's cfn-lint (the Python tool; the npm package of that name is another,
# abandoned one). Warnings fail too. Where it is not installed, say so
# loudly and go on: it is not a Go module, and PyPI is not reachable here.
cfn-lint:
	@if command -v cfn-lint >/dev/null 2>&1; then \
		echo "cfn-lint $$(cfn-lint --version 2>&1 | head -1): infra/template.yaml"; \
		cfn-lint infra/template.yaml; \
	else \
		echo "WARNING: cfn-lint is not installed: infra/template.yaml was NOT linted (pip install cfn-lint==1.51.0)"; \
	fi

## bench: performance targets (results and command in BENCHMARKS.md)
bench: tools
	$(GO) test -run='^$$' -bench=. -benchmem -count=1 ./...
	$(MAKE) bench-burst

## bench-burst: the deadline evening: demo uploads of every province, `xhht
## ingest` into a fresh lake, national roll-up; files/s, CPU per file, wall, peak memory
bench-burst: build
	$(GO) run ./tests/burst -xhht $(BUILD)/xhht

# -buildvcs=auto: `xhht version` shows the git revision even where GOFLAGS
# turns VCS stamping off (a checkout without git still builds).
build:
	$(GO) build -buildvcs=auto -o $(BUILD)/xhht ./cmd/xhht

## package: one deployable zip per function (bootstrap for provided.al2023),
## each reported with its size and checked against its target (ingest, portal < 15 MB,
## rollup and report < 40 MB), static linking and cgo (infra/artifact)
package: package-ingest package-rollup package-report package-portal

# ARTIFACTCHECK reports a zip's size and fails on a missed target, a binary
# that is not fully static, or (ingest) a cgo build. BUILD may be any
# directory (the infra test packages into a temporary one).
ARTIFACTCHECK := $(GO) run $(CURDIR)/infra/artifactcheck

package-ingest:
	mkdir -p $(BUILD)/ingest
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o $(BUILD)/ingest/bootstrap ./functions/ingest
	cd $(BUILD)/ingest && rm -f ../ingest.zip && $(GO) run $(CURDIR)/scripts/zipbootstrap.go ../ingest.zip bootstrap
	@$(ARTIFACTCHECK) $(BUILD)/ingest.zip

# The commune portal (issue 11): pure Go, arm64, like ingest.
package-portal:
	mkdir -p $(BUILD)/portal
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o $(BUILD)/portal/bootstrap ./functions/portal
	cd $(BUILD)/portal && rm -f ../portal.zip && $(GO) run $(CURDIR)/scripts/zipbootstrap.go ../portal.zip bootstrap
	@$(ARTIFACTCHECK) $(BUILD)/portal.zip

# The roll-up links DuckDB (C++, through cgo), so it is built with cgo and
# linked fully static (glibc, libstdc++ and DuckDB inside: nothing needed
# from the runtime's libraries). netgo and osusergo keep Go's DNS resolver
# and user lookup, which need no NSS modules. The linker warns that DuckDB's
# dlopen, getpwuid and getaddrinfo would need glibc's shared libraries at
# run time: the roll-up loads no extension (parquet and json are built in,
# autoinstall is off), sets DuckDB's home directory, and opens no URL.
# Those three warnings (per build) are held back by scripts/ldfilter, which
# prints one line saying so; any other linker output is shown as it comes.
# It is x86_64, not arm64 like ingest (measured 2026-12-06, issue 14): with
# Debian's aarch64 cross toolchain (gcc/g++-aarch64-linux-gnu 12.2) the
# static link fails. DuckDB's archives need about 7,700 GOT entries (61 KB;
# .got of the same link without -static), and glibc's own libc.a and libm.a
# reach theirs with 15-bit GOT offsets (R_AARCH64_LD64_GOTPAGE_LO15, 32 KB):
# "relocation truncated to fit ... __environ" (init-first.o), and with
# -Wl,--gc-sections "... __exp_data" (libm). A build with glibc shared
# (libc.so.6, libm.so.6: at most GLIBC_2.34, which provided.al2023 has) does
# link, but is not the static binary this target checks for. Deploy it with
# Architectures: [x86_64].
STATIC_BUILD := CGO_ENABLED=1 GOOS=linux GOARCH=amd64 $(GO) build -tags lambda.norpc,netgo,osusergo -trimpath -ldflags='-s -w -linkmode external -extldflags -static'
LDFILTER     := $(GO) run $(CURDIR)/scripts/ldfilter

package-rollup:
	mkdir -p $(BUILD)/rollup
	@echo "$(STATIC_BUILD) -o $(BUILD)/rollup/bootstrap ./functions/rollup"
	@out=$$($(STATIC_BUILD) -o $(BUILD)/rollup/bootstrap ./functions/rollup 2>&1); st=$$?; \
		if [ -n "$$out" ]; then printf '%s\n' "$$out" | $(LDFILTER) rollup >&2; fi; exit $$st
	@if ldd $(BUILD)/rollup/bootstrap >/dev/null 2>&1; then echo "$(BUILD)/rollup/bootstrap is dynamically linked"; ldd $(BUILD)/rollup/bootstrap; exit 1; fi
	cd $(BUILD)/rollup && rm -f ../rollup.zip && $(GO) run $(CURDIR)/scripts/zipbootstrap.go ../rollup.zip bootstrap
	@$(ARTIFACTCHECK) $(BUILD)/rollup.zip

# The report function (scheduled reports and reminders) runs the roll-up's
# DuckDB snapshots too: the same static cgo build, x86_64, for the same
# reasons (see package-rollup).
package-report:
	mkdir -p $(BUILD)/report
	@echo "$(STATIC_BUILD) -o $(BUILD)/report/bootstrap ./functions/report"
	@out=$$($(STATIC_BUILD) -o $(BUILD)/report/bootstrap ./functions/report 2>&1); st=$$?; \
		if [ -n "$$out" ]; then printf '%s\n' "$$out" | $(LDFILTER) report >&2; fi; exit $$st
	@if ldd $(BUILD)/report/bootstrap >/dev/null 2>&1; then echo "$(BUILD)/report/bootstrap is dynamically linked"; ldd $(BUILD)/report/bootstrap; exit 1; fi
	cd $(BUILD)/report && rm -f ../report.zip && $(GO) run $(CURDIR)/scripts/zipbootstrap.go ../report.zip bootstrap
	@$(ARTIFACTCHECK) $(BUILD)/report.zip

clean:
	rm -rf $(BUILD) xhht-data

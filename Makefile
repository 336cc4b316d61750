# pulumi-servicemesh. `make demo` runs the reference architecture through the
# real Pulumi engine offline; `make test` runs every check CI runs.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

BIN            := $(CURDIR)/.bin
PULUMI_VERSION := v3.274.1
YAML_VERSION   := v1.25.0
ACTIONLINT_VERSION := v1.7.12
VERSION        := $(shell sed -n 's/^  "version": "\(.*\)",$$/\1/p' schema.json)
GO_TEST        ?= go test

.PHONY: all build tools gen dist dist-host sdk packaging lint unit fuzz sdk-check mermaid-check actionlint e2e test demo bench clean

all: build

# Our binaries: the provider, the offline planner, and the AWS stand-in that
# the end-to-end tests and the demo use instead of AWS.
build:
	go build -o $(BIN)/pulumi-resource-servicemesh ./provider/cmd/pulumi-resource-servicemesh
	go build -o $(BIN)/pulumi-resource-aws ./test/awsstandin/cmd/pulumi-resource-aws
	go build -o $(BIN)/servicemesh ./provider/cmd/servicemesh

# The pinned Pulumi CLI and YAML language host, built from the Go module proxy
# (their prebuilt downloads are not reachable here). Cached in .bin.
tools: $(BIN)/pulumi $(BIN)/pulumi-language-yaml

$(BIN)/pulumi: tools/go.mod tools/go.sum
	cd tools && go build -o $@ -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$(PULUMI_VERSION)" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

$(BIN)/pulumi-language-yaml:
	GOBIN=$(BIN) go install github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$(YAML_VERSION)

# Regenerate the SDKs from schema.json.
gen:
	cd tools && go run ./gen-sdk -schema ../schema.json -out ../sdk

# The provider's release archives, as Pulumi's CLI downloads them from the
# schema's pluginDownloadURL: dist/pulumi-resource-servicemesh-v$(VERSION)-<os>-<arch>.tar.gz
# and dist/checksums.txt.
dist:
	bash .ci/dist.sh $(VERSION)

# This machine's archive alone, for `make packaging`: it is built, checked and
# installed; the other platforms' archive names and members are checked from
# `dist.sh --list`, so the everyday path skips five cross-compiles.
dist-host:
	bash .ci/dist.sh $(VERSION) $$(go env GOOS)/$$(go env GOARCH)

# What npm and PyPI would publish, built from the generated SDKs:
# dist/sdk/pulumi-servicemesh-$(VERSION).tgz, and the Python wheel and sdist.
sdk:
	bash .ci/sdk.sh $(VERSION)

# The release checks: archive names, contents, checksums and versions; the
# SDK packages' versions; this machine's archive (linux/amd64 in CI) installed
# into a fresh PULUMI_HOME runs the YAML example with nothing of ours on PATH.
# After `make dist` the same tests check all six archives.
packaging: tools build dist-host sdk
	cd test/e2e && $(GO_TEST) -count=1 -timeout 20m ./packaging/...

lint:
	go vet ./...
	cd tools && go vet ./...
	cd sdk && go vet ./...
	cd examples/go && go vet ./...
	cd test/e2e && go vet ./...
	@test -z "$$(gofmt -l provider test examples tools embed.go)" || { gofmt -l provider test examples tools embed.go; echo "gofmt needed"; exit 1; }

# Everything but the engine and release tests (test/e2e, a module of its own),
# which need `make tools build` and the packages.
# The live EC2 tests run against moto, installed into .work/moto-venv from
# PyPI on first use (python3 needed); under CI=true its absence fails them.
unit:
	$(GO_TEST) ./provider/... ./test/awsstandin/... ./test/fixturecheck/... ./test/markdowncheck/... ./test/mermaidcheck/... ./test/reference/... ./test/ciexample/... ./test/flowgen/... .

# Each fuzz target briefly: no panics, every rejection an error value.
FUZZTIME ?= 10s
fuzz:
	go test ./provider/pkg/spec -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 3s
	go test ./provider/pkg/plan/planfuzz -run '^$$' -fuzz '^FuzzPlan$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 3s
	go test ./provider/pkg/flowlog -run '^$$' -fuzz '^FuzzScanner$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 3s

sdk-check: sdk
	bash .ci/check-sdk-drift.sh
	bash .ci/check-sdks.sh $(VERSION)

# The diagrams parsed by Mermaid's own parser too (npm: mermaid, jsdom).
mermaid-check:
	npm ci --prefix test/mermaidcheck/npm --no-audit --no-fund --loglevel=error
	SERVICEMESH_MERMAID_NPM=1 go test -count=1 ./provider/pkg/render -run TestMermaidNPM

# The CI workflow users copy (examples/ci), checked by actionlint: syntax,
# expressions, and the inputs of the actions it uses.
actionlint:
	go run github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION) examples/ci/github-actions.yml

# The TypeScript and Python examples run from the packages `make sdk` built.
e2e: tools build sdk
	cd test/e2e && $(GO_TEST) -count=1 -timeout 40m .

test: lint unit fuzz sdk-check mermaid-check actionlint packaging e2e
	go test -run '^$$' -bench . -benchtime 1x ./provider/... ./test/...
	cd test/e2e && go test -run '^$$' -bench . -benchtime 1x ./...

demo: tools build
	bash examples/demo.sh

bench: tools build
	mkdir -p .work
	go test -run '^$$' -bench . -benchmem -count 5 ./provider/pkg/... | tee .work/bench-core.txt

clean:
	rm -rf $(BIN) .work dist

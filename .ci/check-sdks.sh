#!/usr/bin/env bash
# Installs each SDK package `make sdk` built into a consumer outside the
# checkout, as a user would (test/consumers), type-checks each example there,
# proves each example declares exactly examples/reference.yaml, inline and
# when it loads that file as its meshFile, and proves each
# type check has teeth: the example with one misspelt field must fail it, with
# an error that names the misspelt field.
#
#   bash .ci/check-sdks.sh VERSION    # make sdk-check (after make sdk)
#
# Logs and scratch files go to .work/sdk-check (git-ignored); the consumers
# to a temporary folder, removed on exit.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

work=.work/sdk-check
rm -rf "$work" && mkdir -p "$work/logs"
fail=0
ok() { printf 'ok    %s\n' "$*"; }
bad() { printf 'FAIL  %s\n' "$*"; fail=1; }

# check NAME CMD...: the command must succeed; its output goes to a log,
# shown when it fails.
n=0
check() {
	local name=$1 log
	shift
	n=$((n + 1))
	log=$work/logs/$n.log
	if "$@" >"$log" 2>&1; then
		ok "$name"
		return 0
	fi
	bad "$name"
	sed 's/^/      /' "$log" | tail -40
	return 1
}

# mutate SRC DST FROM TO: DST is SRC with the literal text FROM replaced by TO
# once; it fails if FROM is not in SRC (the example changed: fix the teeth).
mutate() {
	python3 - "$@" <<'EOF'
import sys
src, dst, old, new = sys.argv[1:]
text = open(src).read()
if old not in text:
    sys.exit(f"{src} no longer contains {old!r}: update the teeth in .ci/check-sdks.sh")
open(dst, "w").write(text.replace(old, new, 1))
EOF
}

# teeth NAME WANT CMD...: the command must FAIL, and its output must contain
# WANT (the misspelt name), so it failed for the misspelling and not for
# another reason.
teeth() {
	local name=$1 want=$2 log
	shift 2
	n=$((n + 1))
	log=$work/logs/$n.log
	if "$@" >"$log" 2>&1; then
		bad "teeth: $name: the type check PASSED with the misspelling"
	elif grep -qF -- "$want" "$log"; then
		ok "teeth: $name fails: $(grep -m1 -F -- "$want" "$log" | grep -oE '(error|unknown field).*' | cut -c1-120)"
	else
		bad "teeth: $name: the type check failed, but not on $want:"
		sed 's/^/      /' "$log" | tail -20
	fi
}

version=${1:?usage: check-sdks.sh VERSION, the version in schema.json}
vpc=$(go run ./test/fixturecheck -vpc-id)
# The consumers live outside the checkout, as a user's project does, so no
# node_modules or site-packages of the SDK build can leak into them.
outside=$(mktemp -d)
trap 'rm -rf "$outside"' EXIT
# A declaration that gives a key twice: each example must refuse it as
# servicemesh plan does, not keep the last.
printf 'tiers: [{name: app}]\nservices: [{name: Api, tier: app}]\nservices: []\n' >"$work/duplicate-key.yaml"

# --- TypeScript ---------------------------------------------------------------
ts=$outside/typescript
tgz=dist/sdk/pulumi-servicemesh-$version.tgz
check "TypeScript consumer outside the checkout: npm install $tgz, examples/typescript/index.ts passes tsc --strict" \
	bash test/consumers/typescript.sh "$tgz" "$ts"
check "npm package loads from the consumer's node_modules (a real folder, not a link) and carries version $version" \
	node -e '
		const dir = process.argv[1] + "/node_modules/pulumi-servicemesh";
		if (require("fs").lstatSync(dir).isSymbolicLink()) throw new Error(dir + " is a link");
		const sm = require(dir);
		const got = require(dir + "/package.json").version;
		if (typeof sm.ServiceMesh !== "function") throw new Error("no ServiceMesh class");
		if (got !== process.argv[2]) throw new Error(`package.json version ${got}, schema.json ${process.argv[2]}`);' "$ts" "$version"
check "TypeScript example sends exactly examples/reference.yaml" \
	bash -c "(cd '$ts' && SERVICEMESH_VPC_ID=$vpc node bin/fixture.js) > $work/inputs-ts.json && go run ./test/fixturecheck $work/inputs-ts.json"
check "TypeScript example with meshFile examples/reference.yaml sends exactly examples/reference.yaml" \
	bash -c "(cd '$ts' && SERVICEMESH_VPC_ID=$vpc SERVICEMESH_MESH_FILE='$root/examples/reference.yaml' node bin/fixture.js) > $work/inputs-ts-file.json && go run ./test/fixturecheck $work/inputs-ts-file.json"
teeth "TypeScript example with a meshFile that gives a key twice" "duplicated mapping key" \
	bash -c "cd '$ts' && SERVICEMESH_VPC_ID=$vpc SERVICEMESH_MESH_FILE='$root/$work/duplicate-key.yaml' node bin/fixture.js"

# The example with one misspelt field, type-checked alone in the consumer.
ts_teeth() {
	local name=$1 from=$2 to=$3 dir=$ts/teeth-$1
	mkdir -p "$dir"
	if mutate examples/typescript/index.ts "$dir/index.ts" "$from" "$to"; then
		printf '{ "extends": "../tsconfig.json", "compilerOptions": { "noEmit": true }, "files": ["index.ts"] }\n' >"$dir/tsconfig.json"
		teeth "TypeScript ($to)" "'${to%%:*}'" "$ts/node_modules/.bin/tsc" --strict -p "$dir"
	else
		bad "teeth: TypeScript ($to): no such text"
	fi
}
ts_teeth network 'cidrBlocks: ["203' 'cidrBlock: ["203'
ts_teeth rule 'ports: [2003]' 'portz: [2003]'

# --- Python -------------------------------------------------------------------
py=$outside/python
whl=dist/sdk/pulumi_servicemesh-$version-py3-none-any.whl
check "Python consumer outside the checkout: $whl in a fresh venv, examples/python/__main__.py passes mypy --strict" \
	bash test/consumers/python.sh "$whl" "$py"
check "Python package imports from the venv and carries version $version" \
	"$py/venv/bin/python" -c '
import sys, importlib.metadata as md, pulumi_servicemesh as sm
assert sm.ServiceMesh and sm.IngressRuleArgs
assert "site-packages" in sm.__file__, sm.__file__
got = md.version("pulumi_servicemesh")
assert got == sys.argv[1], f"installed {got}, schema.json {sys.argv[1]}"' "$version"
check "Python example sends exactly examples/reference.yaml" \
	bash -c "(cd '$py' && SERVICEMESH_VPC_ID=$vpc venv/bin/python fixture.py) > $work/inputs-py.json && go run ./test/fixturecheck $work/inputs-py.json"
check "Python example with meshFile examples/reference.yaml sends exactly examples/reference.yaml" \
	bash -c "(cd '$py' && SERVICEMESH_VPC_ID=$vpc SERVICEMESH_MESH_FILE='$root/examples/reference.yaml' venv/bin/python fixture.py) > $work/inputs-py-file.json && go run ./test/fixturecheck $work/inputs-py-file.json"
teeth "Python example with a meshFile that gives a key twice" "found duplicate key 'services'" \
	bash -c "cd '$py' && SERVICEMESH_VPC_ID=$vpc SERVICEMESH_MESH_FILE='$root/$work/duplicate-key.yaml' venv/bin/python fixture.py"

py_teeth() {
	local name=$1 from=$2 to=$3 dir=$py/teeth-$1
	mkdir -p "$dir"
	if mutate examples/python/__main__.py "$dir/__main__.py" "$from" "$to"; then
		teeth "Python ($to)" "\"${to%%=*}\"" "$py/venv/bin/python" -m mypy --strict --cache-dir "$py/.mypy-cache" "$dir/__main__.py"
	else
		bad "teeth: Python ($to): no such text"
	fi
}
py_teeth network 'cidr_blocks=["203' 'cidr_block=["203'
py_teeth rule 'ports=[2003]' 'portz=[2003]'

# --- Go -----------------------------------------------------------------------
# sdk/ and examples/go are modules of their own, as a user gets them.
check "Go SDK module builds and passes go vet (cd sdk)" bash -c "cd sdk && go build ./... && go vet ./..."
check "Go example module builds and passes go vet (cd examples/go)" bash -c "cd examples/go && go build ./... && go vet ./..."
check "Go reference architecture sends exactly examples/reference.yaml (cd test/e2e && go test -run TestGoExampleIsTheFixture)" \
	bash -c "cd test/e2e && go test -count=1 -run '^TestGoExampleIsTheFixture$' ."

go_teeth() {
	local name=$1 from=$2 to=$3 dir=$work/teeth/go-$1
	mkdir -p "$dir"
	if mutate examples/go/reference/reference.go "$dir/reference.go" "$from" "$to"; then
		# Vetted in the example's module, which is where the SDK resolves.
		teeth "Go ($to)" "unknown field ${to%%:*}" bash -c "cd examples/go && go vet '$root/$dir/reference.go'"
	else
		bad "teeth: Go ($to): no such text"
	fi
}
go_teeth network 'CidrBlocks: []string{"203' 'CidrBlock: []string{"203'
go_teeth rule 'Ports: []int{2003}' 'Portz: []int{2003}'

if [ $fail -ne 0 ]; then
	echo "FAIL  SDK checks failed (logs in $work/logs)"
	exit 1
fi
echo "ok    all SDK checks passed"

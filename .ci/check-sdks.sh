#!/usr/bin/env bash
# Builds and type-checks each generated SDK on a fresh machine, proves each
# example declares exactly examples/reference.yaml, and proves each type check
# has teeth: the reference architecture with one misspelt field must fail it,
# with an error that names the misspelt field.
#
# Idempotent, and cache-friendly: npm packages go to examples/typescript/node_modules
# (sdk/nodejs/node_modules links there, so @pulumi/pulumi is loaded once at
# run time), pip packages to the virtual environment .work/venv, logs and
# scratch files to .work/sdk-check; all git-ignored. Versions are pinned in
# examples/typescript/package.json (+ package-lock.json) and
# examples/python/requirements.txt.
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

# --- TypeScript ---------------------------------------------------------------
ts=examples/typescript
tsc=$root/$ts/node_modules/.bin/tsc
check "npm install in $ts ($(node -p "const p = require('./$ts/package.json'); Object.entries({...p.dependencies, ...p.devDependencies}).map(([k, v]) => k + '@' + v).join(' ')"))" \
	bash -c "cd $ts && npm install --no-audit --no-fund --loglevel=error"
ln -sfn "../../$ts/node_modules" sdk/nodejs/node_modules
check "nodejs SDK compiles with tsc (sdk/nodejs -> sdk/nodejs/bin)" \
	bash -c "cd sdk/nodejs && '$tsc' && cp package.json README.md bin/"
ln -sfn ../../../sdk/nodejs/bin "$ts/node_modules/pulumi-servicemesh"
check "nodejs SDK loads at run time and carries schema.json's version" \
	node -e '
		const sm = require(process.argv[1] + "/node_modules/pulumi-servicemesh");
		const want = require(process.argv[1] + "/../../schema.json").version;
		const got = require(process.argv[1] + "/node_modules/pulumi-servicemesh/package.json").version;
		if (typeof sm.ServiceMesh !== "function") throw new Error("no ServiceMesh class");
		if (got !== want) throw new Error(`package.json version ${got}, schema.json ${want}`);' "$root/$ts"
check "TypeScript examples type-check with tsc --strict (reference.ts, run.ts, fixture.ts, wired.ts)" \
	bash -c "cd $ts && '$tsc'"
check "TypeScript reference architecture sends exactly examples/reference.yaml" \
	bash -c "node $ts/bin/fixture.js > $work/inputs-ts.json && go run ./test/fixturecheck $work/inputs-ts.json"

# The same file with one misspelt field, type-checked alone.
ts_teeth() {
	local name=$1 from=$2 to=$3 dir=$work/teeth/ts-$1
	mkdir -p "$dir"
	ln -sfn "$root/$ts/node_modules" "$dir/node_modules"
	cp "$ts/tsconfig.json" "$dir/"
	sed -i 's/"files": \[.*\]/"files": ["reference.ts"]/' "$dir/tsconfig.json"
	if mutate "$ts/reference.ts" "$dir/reference.ts" "$from" "$to"; then
		teeth "TypeScript ($to)" "'${to%%:*}'" "$tsc" -p "$dir" --noEmit
	else
		bad "teeth: TypeScript ($to): no such text"
	fi
}
ts_teeth network 'cidrBlocks: ["203' 'cidrBlock: ["203'
ts_teeth rule 'ports: [2003]' 'portz: [2003]'

# --- Python -------------------------------------------------------------------
venv=.work/venv
py=$root/$venv/bin/python
[ -x "$py" ] || python3 -m venv "$venv"
check "pip install -r examples/python/requirements.txt into $venv ($(grep -E '^(pulumi|mypy)==' examples/python/requirements.txt | tr '\n' ' ')+ sdk/python)" \
	bash -c "cd examples/python && '$py' -m pip install --disable-pip-version-check --quiet -r requirements.txt"
check "python SDK imports and carries schema.json's version" \
	"$py" -c '
import json, importlib.metadata as md, pulumi_servicemesh as sm
assert sm.ServiceMesh and sm.IngressRuleArgs
want = json.load(open("schema.json"))["version"]
got = md.version("pulumi_servicemesh")
assert got == want, f"installed {got}, schema.json {want}"'
check "Python examples pass mypy --strict (reference.py, run.py, fixture.py)" \
	bash -c "cd examples/python && '$py' -m mypy --strict --cache-dir '$root/.work/mypy-cache' reference.py run.py fixture.py"
check "Python reference architecture sends exactly examples/reference.yaml" \
	bash -c "(cd examples/python && '$py' fixture.py) > $work/inputs-py.json && go run ./test/fixturecheck $work/inputs-py.json"

py_teeth() {
	local name=$1 from=$2 to=$3 dir=$work/teeth/py-$1
	mkdir -p "$dir"
	if mutate examples/python/reference.py "$dir/reference.py" "$from" "$to"; then
		teeth "Python ($to)" "\"${to%%=*}\"" "$py" -m mypy --strict --cache-dir "$root/.work/mypy-cache" "$dir/reference.py"
	else
		bad "teeth: Python ($to): no such text"
	fi
}
py_teeth network 'cidr_blocks=["203' 'cidr_block=["203'
py_teeth rule 'ports=[2003]' 'portz=[2003]'

# --- Go -----------------------------------------------------------------------
check "Go SDK builds (go build ./sdk/...)" go build ./sdk/...
check "Go SDK and examples pass go vet" go vet ./sdk/... ./examples/go/... ./test/fixturecheck
check "Go reference architecture sends exactly examples/reference.yaml (go test ./examples/go/...)" \
	go test -count=1 ./examples/go/...

go_teeth() {
	local name=$1 from=$2 to=$3 dir=$work/teeth/go-$1
	mkdir -p "$dir"
	if mutate examples/go/reference/reference.go "$dir/reference.go" "$from" "$to"; then
		teeth "Go ($to)" "unknown field ${to%%:*}" go vet "./$dir/reference.go"
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

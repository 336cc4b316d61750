#!/usr/bin/env bash
# Builds and type-checks each generated SDK on a fresh machine, and proves each
# type check has teeth: the reference architecture with one misspelt field
# must fail it. Installs npm and pip packages into git-ignored folders.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
fail=0
ok() { printf 'ok    %s\n' "$*"; }
bad() { printf 'FAIL  %s\n' "$*"; fail=1; }

# expect_failure NAME CMD...: the command must exit non-zero.
expect_failure() {
	local name=$1; shift
	if "$@" >/tmp/teeth.log 2>&1; then bad "$name: a misspelt field passed the type check"; cat /tmp/teeth.log
	else ok "$name: a misspelt field fails the type check ($(grep -m1 -oE '(error|unknown field).*' /tmp/teeth.log | cut -c1-100))"; fi
}

# --- TypeScript: one npm install (examples/typescript) shared with the SDK, so
# @pulumi/pulumi is loaded once at run time.
ts=examples/typescript
(cd $ts && npm install --no-audit --no-fund --loglevel=error >/dev/null)
ln -sfn ../../$ts/node_modules sdk/nodejs/node_modules
(cd sdk/nodejs && ../../$ts/node_modules/.bin/tsc && cp package.json README.md bin/) && ok "nodejs SDK compiles with tsc" || bad "nodejs SDK does not compile"
ln -sfn ../../../sdk/nodejs/bin $ts/node_modules/pulumi-servicemesh
(cd $ts && node_modules/.bin/tsc) && ok "TypeScript reference architecture type-checks" || bad "TypeScript example does not type-check"
mkdir -p .work/teeth/ts
sed 's/cidrBlocks: \["203/cidrBlock: ["203/' $ts/reference.ts > .work/teeth/ts/reference.ts
cp $ts/tsconfig.json .work/teeth/ts/ && sed -i 's/"run.ts"//; s/"reference.ts", /"reference.ts"/' .work/teeth/ts/tsconfig.json
ln -sfn "$root/$ts/node_modules" .work/teeth/ts/node_modules
expect_failure "TypeScript" "$root/$ts/node_modules/.bin/tsc" -p .work/teeth/ts --noEmit

# --- Python: a virtual environment with the SDK (and pulumi from PyPI) and mypy.
venv=.work/venv
[ -x $venv/bin/python ] || python3 -m venv $venv
$venv/bin/pip install --quiet --disable-pip-version-check pulumi==3.272.0 mypy==1.13.0 ./sdk/python
$venv/bin/python -c 'import pulumi_servicemesh as sm; assert sm.ServiceMesh' && ok "python SDK installs and imports" || bad "python SDK does not import"
(cd examples/python && "$root/$venv/bin/mypy" --strict --ignore-missing-imports reference.py run.py) && ok "Python reference architecture passes mypy --strict" || bad "Python example fails mypy"
mkdir -p .work/teeth/py
sed 's/cidr_blocks=\["203/cidr_block=["203/' examples/python/reference.py > .work/teeth/py/reference.py
expect_failure "Python" "$venv/bin/mypy" --strict --ignore-missing-imports .work/teeth/py/reference.py

# --- Go: the SDK and the example compile and vet in the root module.
go build ./sdk/go/... && go vet ./sdk/go/... ./examples/go/... && ok "Go SDK and example build and vet" || bad "Go SDK or example does not build"
mkdir -p .work/teeth/go
sed 's/CidrBlocks: strs("203/CidrBlock: strs("203/' examples/go/reference/reference.go > .work/teeth/go/reference.go
expect_failure "Go" go vet .work/teeth/go/reference.go

exit $fail

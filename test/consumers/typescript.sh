#!/usr/bin/env bash
# Makes DIR a TypeScript consumer of the packed npm package, outside the
# checkout, as a user's project is: a fresh package.json, `npm install` of the
# tarball `make sdk` packed (never the source folder) with @pulumi/pulumi and
# the newest TypeScript @pulumi/pulumi accepts (its peer range stops below 7,
# the native compiler) and js-yaml (the example reads a meshFile with it),
# then examples/typescript/index.ts and the
# test programs (run.ts, fixture.ts, wired.ts) compiled with `tsc --strict` into DIR/bin.
#   bash test/consumers/typescript.sh dist/sdk/pulumi-servicemesh-<version>.tgz DIR
# The end-to-end test and .ci/check-sdks.sh both make their consumer with it.
set -euo pipefail
tgz=$(realpath "${1:?usage: typescript.sh TARBALL DIR}")
dir=${2:?usage: typescript.sh TARBALL DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ ! -f "$tgz" ]; then echo "$tgz is missing: run make sdk" >&2; exit 1; fi
mkdir -p "$dir"
dir=$(realpath "$dir")
case "$dir/" in "$root"/*) echo "$dir is inside the checkout: a consumer must not see its node_modules" >&2; exit 1 ;; esac
cp "$root/examples/typescript/index.ts" "$root"/test/consumers/typescript/{run,fixture,wired}.ts "$dir/"
cd "$dir"
printf '{ "name": "servicemesh-consumer", "private": true }\n' >package.json
npm install --no-audit --no-fund --loglevel=error "$tgz" @pulumi/pulumi@3.270.0 "typescript@<7" @types/node@20 \
	js-yaml@4.1.0 @types/js-yaml@4.0.9
# The example's compiler options, with the runners added.
node -e '
	const fs = require("fs");
	const c = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
	c.files = ["index.ts", "run.ts", "fixture.ts", "wired.ts"];
	fs.writeFileSync("tsconfig.json", JSON.stringify(c, null, 2));' "$root/examples/typescript/tsconfig.json"
./node_modules/.bin/tsc --strict -p .

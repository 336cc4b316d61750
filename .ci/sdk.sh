#!/usr/bin/env bash
# Builds what npm and PyPI would publish, from the generated SDKs, into dist/sdk:
#   pulumi-servicemesh-<version>.tgz                the npm package: `npm pack` of sdk/nodejs/bin
#                                                   (compiled JS and .d.ts, package.json, README.md, LICENSE)
#   pulumi_servicemesh-<version>-py3-none-any.whl   the Python wheel and sdist (`python -m build`)
#   pulumi_servicemesh-<version>.tar.gz
# The version is schema.json's (passed by `make sdk`), which `make gen` stamped
# into sdk/; test/packaging checks each package carries it.
set -euo pipefail
version=${1:?usage: sdk.sh VERSION}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=dist/sdk
rm -rf "$out"
mkdir -p "$out"

# Node: compiled against the SDK's own declared dependencies, installed into
# sdk/nodejs/node_modules (git-ignored), never shared with a consumer.
js=sdk/nodejs
if [ -L "$js/node_modules" ]; then rm "$js/node_modules"; fi # left by older checkouts
(cd "$js" && npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error)
rm -rf "$js/bin"
(cd "$js" && ./node_modules/.bin/tsc)
cp "$js/package.json" "$js/README.md" LICENSE "$js/bin/"
(cd "$js/bin" && npm pack --pack-destination "$root/$out" --loglevel=error >/dev/null)

# Python: PEP 517 build in an isolated environment (setuptools from PyPI).
venv=.work/build-venv
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check build==1.6.1
rm -rf sdk/python/build sdk/python/*.egg-info
"$venv/bin/python" -m build --outdir "$out" sdk/python >.work/python-build.log 2>&1 ||
	{ cat .work/python-build.log; exit 1; }

for f in "pulumi-servicemesh-$version.tgz" "pulumi_servicemesh-$version-py3-none-any.whl" "pulumi_servicemesh-$version.tar.gz"; do
	if [ ! -f "$out/$f" ]; then
		echo "FAIL  $out/$f was not built (found: $(ls "$out" | tr '\n' ' '))" >&2
		exit 1
	fi
	echo "$out/$f"
done

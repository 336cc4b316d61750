#!/usr/bin/env bash
# Makes DIR a Python consumer of the built wheel, outside the checkout, as a
# user's project is: a fresh virtual environment DIR/venv with the wheel
# `make sdk` built (never the source folder), pulumi, PyYAML (the example reads
# a meshFile with it), mypy and PyYAML's type stubs from PyPI, then
# examples/python/__main__.py and the test runners (run.py, fixture.py)
# beside it, checked with `mypy --strict`.
#   bash test/consumers/python.sh dist/sdk/pulumi_servicemesh-<version>-py3-none-any.whl DIR
# The end-to-end test and .ci/check-sdks.sh both make their consumer with it.
set -euo pipefail
whl=$(realpath "${1:?usage: python.sh WHEEL DIR}")
dir=${2:?usage: python.sh WHEEL DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ ! -f "$whl" ]; then echo "$whl is missing: run make sdk" >&2; exit 1; fi
mkdir -p "$dir"
dir=$(realpath "$dir")
case "$dir/" in "$root"/*) echo "$dir is inside the checkout" >&2; exit 1 ;; esac
cp "$root/examples/python/__main__.py" "$root/test/consumers/python/run.py" "$root/test/consumers/python/fixture.py" "$dir/"
cd "$dir"
python3 -m venv venv
venv/bin/python -m pip install --quiet --disable-pip-version-check "$whl" pulumi==3.272.0 PyYAML==6.0.2 \
	mypy==1.13.0 types-PyYAML==6.0.12.20240917
venv/bin/python -m mypy --strict --cache-dir .mypy-cache __main__.py run.py fixture.py

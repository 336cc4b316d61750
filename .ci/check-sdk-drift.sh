#!/usr/bin/env bash
# Fails when the committed SDKs differ from a fresh generation from schema.json.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd tools && go run ./gen-sdk -schema ../schema.json -out ../sdk >/dev/null)
drift=$(git status --porcelain --untracked-files=all -- sdk | grep -v -e '^?? sdk/nodejs/node_modules$' -e '^?? sdk/nodejs/bin/' -e '^?? sdk/python/build/' || true)
if [ -n "$drift" ]; then
	echo "FAIL  the committed SDKs differ from schema.json; run 'make gen' and commit sdk/:"
	echo "$drift"
	git --no-pager diff --stat -- sdk
	exit 1
fi
echo "ok    committed SDKs match a fresh generation from schema.json"

#!/usr/bin/env bash
# Fails when the committed SDKs (sdk/) differ from a fresh generation from
# schema.json, or when two generations differ (the generator must be
# deterministic). Generates into .work/sdk-drift (git-ignored) and never
# touches sdk/: `make gen` is what rewrites it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.work/sdk-drift
rm -rf "$out" && mkdir -p "$out/committed"

# The generator's own tests (write-if-changed, pruning, version stamping).
(cd tools && go test -count=1 ./gen-sdk >/dev/null) || {
	echo "FAIL  the SDK generator's tests (cd tools && go test ./gen-sdk)"
	exit 1
}
(cd tools && go build -o "../$out/gen-sdk" ./gen-sdk)
"$out/gen-sdk" -schema schema.json -out "$out/fresh" >/dev/null
"$out/gen-sdk" -schema schema.json -out "$out/again" >/dev/null
if ! diff -r "$out/fresh" "$out/again" >"$out/nondeterminism.diff"; then
	echo "FAIL  two generations from the same schema.json differ (see $out/nondeterminism.diff):"
	git --no-pager diff --no-index --stat -- "$out/fresh" "$out/again" || true
	exit 1
fi

# sdk/ as git sees it: tracked and untracked files, less ignored build output
# (node_modules, bin, build, *.egg-info), and less the Go SDK's module files
# (sdk/go.mod, sdk/go.sum: written by hand, not generated).
git ls-files -z --cached --others --exclude-standard -- sdk ':!sdk/go.mod' ':!sdk/go.sum' | while IFS= read -r -d '' f; do
	if [ -e "$f" ]; then cp --parents -- "$f" "$out/committed/"; fi
done
mkdir -p "$out/committed/sdk"
if ! git --no-pager diff --no-index --quiet -- "$out/committed/sdk" "$out/fresh"; then
	echo "FAIL  sdk/ differs from a fresh generation from schema.json."
	echo "      Run 'make gen' and commit sdk/ (never edit generated files by hand). Differences (committed -> fresh):"
	git --no-pager diff --no-index --stat=120 -- "$out/committed/sdk" "$out/fresh" || true
	exit 1
fi
if [ -n "$(git status --porcelain -- sdk)" ]; then
	echo "note  sdk/ matches schema.json but has uncommitted changes: commit them"
	git status --short -- sdk | sed 's/^/      /'
fi
echo "ok    sdk/ matches a fresh, deterministic generation from schema.json"

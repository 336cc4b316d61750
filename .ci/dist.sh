#!/usr/bin/env bash
# Builds the provider's release archives, named as Pulumi's CLI downloads them
# from a pluginDownloadURL (github://...): one per platform,
#   dist/pulumi-resource-servicemesh-v<version>-<os>-<arch>.tar.gz
# with the binary at the archive root (.exe on Windows), README.md and LICENSE,
# plus dist/checksums.txt (sha256). The version is schema.json's, passed by
# `make dist`, and stamped into the binary, which refuses to start if the
# stamp and its embedded schema disagree.
#
# A plain cross-compile rather than goreleaser: goreleaser v2.15.1 builds from
# the module proxy with hundreds of dependencies, minutes on a fresh machine,
# for what this loop does. The archives are reproducible (fixed owner, mtime
# and order; gzip without a timestamp).
#
#   dist.sh VERSION                  every platform (make dist, for a release)
#   dist.sh VERSION linux/amd64      only the platforms named (make dist-host)
#   dist.sh VERSION --list           build nothing: print each platform's
#                                    archive and its members, tab-separated
set -euo pipefail
usage="usage: dist.sh VERSION [--list] [OS/ARCH ...]"
version=${1:?$usage}
shift
list=false
if [ "${1:-}" = --list ]; then list=true; shift; fi
platforms=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64)
targets=("${platforms[@]}")
if [ $# -gt 0 ]; then targets=("$@"); fi
for target in "${targets[@]}"; do
	case " ${platforms[*]} " in *" $target "*) ;; *) echo "dist.sh: unknown platform $target; one of ${platforms[*]}" >&2; exit 2 ;; esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=dist
stage=.work/dist
# One place for a platform's archive name and members, built or listed.
describe() {
	os=${1%/*} arch=${1#*/}
	exe=pulumi-resource-servicemesh
	if [ "$os" = windows ]; then exe=$exe.exe; fi
	archive=$out/pulumi-resource-servicemesh-v$version-$os-$arch.tar.gz
	members=("$exe" README.md LICENSE)
}
if $list; then
	for target in "${targets[@]}"; do
		describe "$target"
		printf '%s\t%s\n' "$archive" "${members[*]}"
	done
	exit 0
fi
# Only this script's own output: dist/sdk (make sdk) stays.
rm -rf "$stage" "$out"/pulumi-resource-servicemesh-* "$out/checksums.txt"
mkdir -p "$out"
for target in "${targets[@]}"; do
	describe "$target"
	dir=$stage/$os-$arch
	mkdir -p "$dir"
	CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags "-s -w -X main.version=$version" \
		-o "$dir/$exe" ./provider/cmd/pulumi-resource-servicemesh
	cp README.md LICENSE "$dir/"
	tar -C "$dir" --owner=0 --group=0 --numeric-owner --mtime=@0 --sort=name -cf - "${members[@]}" |
		gzip -n -9 >"$archive"
	echo "$archive"
done
(cd "$out" && sha256sum -- *.tar.gz >checksums.txt)
echo "$out/checksums.txt"

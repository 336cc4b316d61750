// Package packaging checks what a release ships, as a user receives it: the
// provider archives `make dist` builds (names, contents, checksums, the
// version the binary reports), the SDK packages `make sdk` builds, and the
// linux/amd64 archive installed with the pinned Pulumi CLI into a fresh
// PULUMI_HOME, running the YAML example with nothing of ours on PATH.
//
//	make packaging   # make tools build dist-host sdk, then these tests
package packaging

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/awsstandin"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/e2e"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/internal/built"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// The platforms Pulumi users run the CLI on; each needs an archive.
var platforms = []struct{ os, arch string }{
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"linux", "amd64"}, {"linux", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

// schemaFacts reads schema.json itself, not the provider's copy of it.
func schemaFacts(t *testing.T) (version, server string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(e2e.RepoRoot(), "schema.json"))
	require.NoError(t, err)
	var s struct {
		Version           string `json:"version"`
		PluginDownloadURL string `json:"pluginDownloadURL"`
	}
	require.NoError(t, json.Unmarshal(raw, &s))
	require.NotEmpty(t, s.Version, "schema.json has no version")
	require.Equal(t, "github://api.github.com/pulumi-servicemesh/pulumi-servicemesh", s.PluginDownloadURL,
		"schema.json's pluginDownloadURL: where the SDKs tell the CLI to fetch the plugin")
	return s.Version, s.PluginDownloadURL
}

func dist(parts ...string) string {
	return filepath.Join(append([]string{e2e.RepoRoot(), "dist"}, parts...)...)
}

func archiveName(version, goos, arch string) string {
	return "pulumi-resource-servicemesh-v" + version + "-" + goos + "-" + arch + ".tar.gz"
}

func exeName(goos string) string {
	if goos == "windows" {
		return "pulumi-resource-servicemesh.exe"
	}
	return "pulumi-resource-servicemesh"
}

// readTarGz returns each regular file's mode and content by name.
func readTarGz(t *testing.T, path string) (map[string]os.FileMode, map[string][]byte) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err, "run `make dist-host sdk` first")
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(t, err, path)
	modes, files := map[string]os.FileMode{}, map[string][]byte{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, path)
		if h.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		require.NoError(t, err, path)
		modes[h.Name], files[h.Name] = h.FileInfo().Mode(), data
	}
	return modes, files
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// listed is `dist.sh --list`: every platform's archive and its members,
// what `make dist` would build, without building them.
func listed(t *testing.T, version string) map[string][]string {
	t.Helper()
	out, err := exec.Command("bash", filepath.Join(e2e.RepoRoot(), ".ci", "dist.sh"), version, "--list").Output()
	require.NoError(t, err, "dist.sh --list")
	got := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		archive, members, ok := strings.Cut(line, "\t")
		require.True(t, ok, "dist.sh --list line %q", line)
		got[filepath.Base(archive)] = strings.Fields(members)
	}
	return got
}

// The release's archives: dist.sh names one per platform, as the CLI
// downloads them, each with the binary at its root, README.md and LICENSE
// (checked for all six from its dry run); the archives built — this
// machine's after `make dist-host`, all six after `make dist` — hold exactly
// that, and checksums.txt covers each.
func TestArchives(t *testing.T) {
	built.Require(t, dist("checksums.txt"), "dist-host") // a missing archive beside it still fails
	version, _ := schemaFacts(t)
	want := map[string][]string{}
	for _, p := range platforms {
		want[archiveName(version, p.os, p.arch)] = []string{exeName(p.os), "README.md", "LICENSE"}
	}
	require.Equal(t, want, listed(t, version), "dist.sh must name one archive per platform, as the CLI downloads them")

	found, err := filepath.Glob(dist("*.tar.gz"))
	require.NoError(t, err)
	var got []string
	for _, f := range found {
		got = append(got, filepath.Base(f))
	}
	require.Contains(t, got, archiveName(version, runtime.GOOS, runtime.GOARCH), "this machine's archive (run `make dist-host`)")

	readme, err := os.ReadFile(filepath.Join(e2e.RepoRoot(), "README.md"))
	require.NoError(t, err)
	license, err := os.ReadFile(filepath.Join(e2e.RepoRoot(), "LICENSE"))
	require.NoError(t, err)
	for _, name := range got {
		t.Run(name, func(t *testing.T) {
			members, ok := want[name]
			require.True(t, ok, "dist/ holds %s, which is no platform's archive", name)
			modes, files := readTarGz(t, dist(name))
			names := make([]string, 0, len(files))
			for n := range files {
				names = append(names, n)
			}
			sort.Strings(names)
			exe := members[0]
			assert.ElementsMatch(t, members, names, "the binary at the archive root, with README and LICENSE")
			assert.NotZero(t, modes[exe]&0o111, "%s must be executable", exe)
			assert.Equal(t, readme, files["README.md"])
			assert.Equal(t, license, files["LICENSE"])
		})
	}

	// checksums.txt: one sha256 line per archive built, every one right.
	f, err := os.Open(dist("checksums.txt"))
	require.NoError(t, err)
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		require.Len(t, fields, 2, "checksums.txt line %q", sc.Text())
		sums[fields[1]] = fields[0]
	}
	require.NoError(t, sc.Err())
	require.Len(t, sums, len(got), "checksums.txt: %v", sums)
	for _, name := range got {
		assert.Equal(t, sha256File(t, dist(name)), sums[name], "checksum of %s", name)
	}
}

// The binary in this machine's archive reports schema.json's version.
func TestArchiveBinaryVersion(t *testing.T) {
	built.Require(t, dist("checksums.txt"), "dist-host")
	version, _ := schemaFacts(t)
	_, files := readTarGz(t, dist(archiveName(version, runtime.GOOS, runtime.GOARCH)))
	exe := filepath.Join(t.TempDir(), exeName(runtime.GOOS))
	require.NoError(t, os.WriteFile(exe, files[exeName(runtime.GOOS)], 0o755))
	out, err := exec.Command(exe, "--version").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, version, strings.TrimSpace(string(out)))
}

func TestNPMPackage(t *testing.T) {
	built.Require(t, dist("sdk"), "sdk")
	version, server := schemaFacts(t)
	_, files := readTarGz(t, dist("sdk", "pulumi-servicemesh-"+version+".tgz"))
	for _, f := range []string{"package/index.js", "package/index.d.ts", "package/serviceMesh.js", "package/serviceMesh.d.ts",
		"package/types/input.d.ts", "package/README.md", "package/LICENSE"} {
		assert.Contains(t, files, f, "the npm package needs compiled JS and declarations at its root")
	}
	var pkg struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Pulumi  struct {
			Resource bool   `json:"resource"`
			Name     string `json:"name"`
			Version  string `json:"version"`
			Server   string `json:"server"`
		} `json:"pulumi"`
	}
	require.NoError(t, json.Unmarshal(files["package/package.json"], &pkg))
	assert.Equal(t, "pulumi-servicemesh", pkg.Name)
	assert.Equal(t, version, pkg.Version)
	assert.Equal(t, version, pkg.Pulumi.Version, "the plugin version the SDK asks the engine for")
	assert.Equal(t, "servicemesh", pkg.Pulumi.Name)
	assert.Equal(t, server, pkg.Pulumi.Server, "where the engine downloads the plugin from")
	assert.True(t, pkg.Pulumi.Resource)
}

func TestPythonPackages(t *testing.T) {
	built.Require(t, dist("sdk"), "sdk")
	version, server := schemaFacts(t)
	whl, err := zip.OpenReader(dist("sdk", "pulumi_servicemesh-"+version+"-py3-none-any.whl"))
	require.NoError(t, err, "run `make sdk`")
	defer whl.Close()
	read := func(name string) []byte {
		f, err := whl.Open(name)
		require.NoError(t, err, "the wheel lacks %s", name)
		defer f.Close()
		data, err := io.ReadAll(f)
		require.NoError(t, err)
		return data
	}
	metadata := string(read("pulumi_servicemesh-" + version + ".dist-info/METADATA"))
	assert.Contains(t, metadata, "\nVersion: "+version+"\n")
	assert.Contains(t, metadata, "Service-oriented AWS security groups", "the README as the long description")
	var plugin struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	}
	require.NoError(t, json.Unmarshal(read("pulumi_servicemesh/pulumi-plugin.json"), &plugin))
	assert.Equal(t, version, plugin.Version)
	assert.Equal(t, server, plugin.Server)
	assert.Contains(t, string(read("pulumi_servicemesh/py.typed")), "")

	_, sdist := readTarGz(t, dist("sdk", "pulumi_servicemesh-"+version+".tar.gz"))
	assert.Contains(t, string(sdist["pulumi_servicemesh-"+version+"/PKG-INFO"]), "\nVersion: "+version+"\n")
}

// The Go SDK is its own module and carries the version and server too.
func TestGoSDKModule(t *testing.T) {
	version, server := schemaFacts(t)
	mod, err := os.ReadFile(filepath.Join(e2e.RepoRoot(), "sdk", "go.mod"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(mod), "module github.com/pulumi-servicemesh/pulumi-servicemesh/sdk\n"),
		"sdk/go.mod: %s", mod)
	raw, err := os.ReadFile(filepath.Join(e2e.RepoRoot(), "sdk", "go", "servicemesh", "pulumi-plugin.json"))
	require.NoError(t, err)
	var plugin struct{ Version, Server string }
	require.NoError(t, json.Unmarshal(raw, &plugin))
	assert.Equal(t, version, plugin.Version)
	assert.Equal(t, server, plugin.Server)
}

// linkOrCopy puts src at dst, so a test can give a tool a PATH of its own.
func linkOrCopy(t *testing.T, src, dst string) {
	t.Helper()
	if os.Link(src, dst) == nil {
		return
	}
	data, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(dst, data, 0o755))
}

// What a user does with a release: install the plugin from its archive with
// the pinned CLI, then run the YAML example. PATH holds only the CLI and the
// YAML language host, so the engine can only find our provider where the
// archive installed it. The AWS provider is the stand-in, installed as aws.
func TestArchiveInstall(t *testing.T) {
	built.Require(t, dist("checksums.txt"), "dist-host")
	version, _ := schemaFacts(t)
	archive := dist(archiveName(version, runtime.GOOS, runtime.GOARCH))
	require.FileExists(t, archive, "run `make dist-host`")
	for _, b := range []string{"pulumi", "pulumi-language-yaml", "pulumi-resource-aws"} {
		require.FileExists(t, filepath.Join(e2e.Bin(), b), "run `make tools build`")
	}
	dir := t.TempDir()
	tools := filepath.Join(dir, "tools")
	project := filepath.Join(dir, "project")
	for _, d := range []string{tools, project, filepath.Join(dir, "home"), filepath.Join(dir, "state")} {
		require.NoError(t, os.MkdirAll(d, 0o755))
	}
	for _, b := range []string{"pulumi", "pulumi-language-yaml"} {
		linkOrCopy(t, filepath.Join(e2e.Bin(), b), filepath.Join(tools, b))
	}
	env := []string{
		"PATH=" + tools + ":/usr/bin:/bin",
		"HOME=" + dir,
		"PULUMI_HOME=" + filepath.Join(dir, "home"),
		"PULUMI_BACKEND_URL=file://" + filepath.Join(dir, "state"),
		"PULUMI_CONFIG_PASSPHRASE=",
		"PULUMI_SKIP_UPDATE_CHECK=true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true",
		"AWS_STANDIN_STATE=" + filepath.Join(dir, "aws-account.json"),
	}
	pulumi := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(filepath.Join(tools, "pulumi"), args...)
		cmd.Dir, cmd.Env = project, env
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "pulumi %s:\n%s", strings.Join(args, " "), out)
		return string(out)
	}

	pulumi("plugin", "install", "resource", "servicemesh", version, "--file", archive)
	pulumi("plugin", "install", "resource", "aws", awsstandin.Version, "--file", filepath.Join(e2e.Bin(), "pulumi-resource-aws"))
	var plugins []struct{ Name, Kind, Version string }
	require.NoError(t, json.Unmarshal([]byte(pulumi("plugin", "ls", "--json")), &plugins))
	assert.Contains(t, plugins, struct{ Name, Kind, Version string }{"servicemesh", "resource", version})

	program, err := os.ReadFile(filepath.Join(e2e.RepoRoot(), "examples", "yaml", "Pulumi.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(project, "Pulumi.yaml"), program, 0o644))
	pulumi("stack", "init", "dev", "--non-interactive")
	pulumi("config", "set", "vpcId", reference.VpcID)
	pulumi("preview", "--non-interactive")
	pulumi("up", "--yes", "--skip-preview", "--non-interactive", "--suppress-progress")
	var ids map[string]string
	require.NoError(t, json.Unmarshal([]byte(pulumi("stack", "output", "securityGroupIds", "--json")), &ids))
	assert.Len(t, ids, reference.Groups)
	for svc, id := range ids {
		assert.True(t, strings.HasPrefix(id, "sg-"), "%s has id %q", svc, id)
	}
	pulumi("destroy", "--yes", "--skip-preview", "--non-interactive", "--suppress-progress")
}

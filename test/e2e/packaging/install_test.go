package packaging

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/e2e"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/markdowncheck"
)

const modulePath = "github.com/pulumi-servicemesh/pulumi-servicemesh"

// TestInstalledCLIOutsideCheckout does what README's Install section tells a
// user: `go install .../provider/cmd/servicemesh@vVERSION` into their own
// GOBIN, then plan, reach and observe on their own copies of the reference
// declaration and flow logs, in a directory that is not a checkout.
//
// No Go module proxy serves this module here (the machine reaches no
// GitHub, and the version is not tagged upstream), so the test is the proxy:
// it zips the committed tree (HEAD, as a tag publishes it) with the same
// code proxy.golang.org uses (golang.org/x/mod/zip), serves it from a file://
// GOPROXY, and runs `go install MODULE/provider/cmd/servicemesh@vVERSION`
// itself. That is what breaks for a user when the root go.mod gains a
// replace directive (go install refuses it), when the command needs a file
// outside the module zip, or when go.sum lacks a dependency. Dependencies
// come from this machine's module cache as a second file:// proxy, into a
// fresh module cache, so nothing of a previous run is reused; the checksum
// database is off (offline).
func TestInstalledCLIOutsideCheckout(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("git is needed to zip the committed module: %v", err)
	}
	version, _ := schemaFacts(t)
	tag := "v" + version
	root := e2e.RepoRoot()
	command := "go install " + modulePath + "/provider/cmd/servicemesh@" + tag
	assert.Contains(t, strings.Join(readmeBlocks(t, "## Install", "bash"), ""), command+"\n", "README's Install section gives the command this test runs")

	proxy := t.TempDir()
	publish(t, root, proxy, tag)
	gobin := filepath.Join(t.TempDir(), "bin")
	install := exec.Command("go", "install", modulePath+"/provider/cmd/servicemesh@"+tag)
	install.Dir = t.TempDir() // outside any module: as a user runs it
	install.Env = append(os.Environ(),
		"GOBIN="+gobin,
		"GOPROXY=file://"+proxy+",file://"+filepath.Join(goEnv(t, "GOMODCACHE"), "cache", "download"),
		"GOMODCACHE="+t.TempDir(),
		// sum.golang.org is out of reach here and has no line for an unpublished
		// version; the dependencies were verified when this machine's cache got them.
		"GOSUMDB=off",
		"GOFLAGS=-modcacherw -trimpath", // a removable cache; -trimpath lets the build cache serve dependencies compiled before
		"GOTOOLCHAIN=local", "GOWORK=off")
	out, err := install.CombinedOutput()
	require.NoError(t, err, "go install %s/provider/cmd/servicemesh@%s:\n%s", modulePath, tag, out)
	exe := filepath.Join(gobin, "servicemesh")

	// Built from the module at the version, not from a checkout.
	info, err := exec.Command("go", "version", "-m", exe).Output()
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^\s+mod\s+`+strings.ReplaceAll(modulePath, ".", `\.`)+`\s+`+strings.ReplaceAll(tag, ".", `\.`)+`\s+h1:`, string(info))

	// The user's own directory, outside the repository.
	home := t.TempDir()
	require.False(t, strings.HasPrefix(home, root+string(filepath.Separator)), "the temporary directory %s is inside the checkout", home)
	copyFile(t, filepath.Join(root, "examples", "reference.yaml"), filepath.Join(home, "reference.yaml"))
	flows := filepath.Join(home, "flows")
	refData := filepath.Join(root, "test", "flowgen", "testdata", "reference")
	entries, err := os.ReadDir(refData)
	require.NoError(t, err)
	for _, e := range entries {
		copyFile(t, filepath.Join(refData, e.Name()), filepath.Join(flows, e.Name()))
	}
	run := func(wantCode int, args ...string) string {
		t.Helper()
		cmd := exec.Command(exe, args...)
		cmd.Dir = home
		cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin"} // nothing of ours on PATH, no AWS
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
			code = exit.ExitCode()
		} else {
			require.NoError(t, err)
		}
		require.Equal(t, wantCode, code, "servicemesh %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), stdout.String(), stderr.String())
		return stdout.String()
	}

	assert.Equal(t, version+"\n", run(0, "--version"))

	// The reference architecture: eight services; the ingress rules are
	// README's table of them (two each for the internet's IPv4 and IPv6
	// ranges), egress is allowAll twice per group.
	plan := run(0, "plan", "reference.yaml")
	assert.Contains(t, plan, "ServiceMesh plan: 8 security groups, 34 rules (18 inbound, 16 outbound), 11 caller-callee pairs\n")
	assert.Contains(t, plan, "Findings: 0 errors, 0 warnings\n")
	assert.Contains(t, plan, "  in   tcp/3306  from group CustomerManagement-API")

	// The declaration lets CustomerManagement-API reach MySQL, not FrontEnd-Web;
	// the describe file holds groups and interfaces, no network ACLs.
	describe := filepath.Join("flows", "describe-20261120T1000Z.json")
	yes := run(0, "reach", "--from", "CustomerManagement-API", "--to", "MySQL", "--port", "tcp/3306", describe)
	assert.True(t, strings.HasPrefix(yes, "can CustomerManagement-API reach MySQL on tcp/3306 (replies on tcp/1024-65535)? yes\n"), yes)
	assert.Contains(t, yes, "not checked: network ACLs: none read")
	no := run(3, "reach", "--from", "FrontEnd-Web", "--to", "MySQL", "--port", "tcp/3306", describe)
	assert.True(t, strings.HasPrefix(no, "can FrontEnd-Web reach MySQL on tcp/3306 (replies on tcp/1024-65535)? no\n"), no)
	assert.Contains(t, no, "refused by the destination security groups, ingress")

	// observe prints exactly what README shows for the same data.
	logs, err := filepath.Glob(filepath.Join(flows, "*.log.gz"))
	require.NoError(t, err)
	require.Len(t, logs, 7)
	args := []string{"observe", "--mesh", "reference.yaml",
		"--snapshot", "2026-11-20T10:00:00Z=" + filepath.Join("flows", "describe-20261120T1000Z.json"),
		"--snapshot", "2026-11-20T10:30:00Z=" + filepath.Join("flows", "describe-20261120T1030Z.json")}
	for _, l := range logs {
		args = append(args, filepath.Join("flows", filepath.Base(l)))
	}
	shown := readmeBlocks(t, "### The declaration as the reference: `observe --mesh`", "")
	require.Len(t, shown, 1, "one output block (a fence without a language)")
	assert.Equal(t, shown[0], run(0, args...), "README's observe output differs from the installed command's")
}

// publish writes the module at HEAD as version tag into a GOPROXY directory.
func publish(t *testing.T, root, proxy, tag string) {
	t.Helper()
	dir := filepath.Join(proxy, modulePath, "@v")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	// The committed tree, as `git archive` (modzip.CreateFromVCS does not
	// recognise a git worktree's .git file).
	tree, archive := t.TempDir(), filepath.Join(t.TempDir(), "head.tar")
	for _, c := range [][]string{{"git", "-C", root, "archive", "--format=tar", "-o", archive, "HEAD"}, {"tar", "-xf", archive, "-C", tree}} {
		out, err := exec.Command(c[0], c[1:]...).CombinedOutput()
		require.NoError(t, err, "%v:\n%s", c, out)
	}
	gomod, err := os.ReadFile(filepath.Join(tree, "go.mod"))
	require.NoError(t, err)
	zf, err := os.Create(filepath.Join(dir, tag+".zip"))
	require.NoError(t, err)
	err = modzip.CreateFromDir(zf, module.Version{Path: modulePath, Version: tag}, tree)
	require.NoError(t, errors.Join(err, zf.Close()), "zipping the module at HEAD")
	for name, data := range map[string]string{
		"list":        tag + "\n",
		tag + ".info": fmt.Sprintf(`{"Version":%q}`, tag),
		tag + ".mod":  string(gomod),
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
	}
}

// readmeBlocks are the fenced code blocks of info string info under the
// README heading.
func readmeBlocks(t *testing.T, heading, info string) []string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(e2e.RepoRoot(), "README.md"))
	require.NoError(t, err)
	section := markdowncheck.Section(string(readme), heading)
	require.NotEmpty(t, section, "README.md has no heading %q", heading)
	var out []string
	for _, b := range markdowncheck.CodeBlocks(section) {
		if b.Info == info {
			out = append(out, b.Text)
		}
	}
	return out
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(to), 0o755))
	require.NoError(t, os.WriteFile(to, data, 0o644))
}

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	servicemesh "github.com/pulumi-servicemesh/pulumi-servicemesh"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Issue 21 item 6.
func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "version"} {
		code, out, errs := runCLI(arg)
		assert.Equal(t, exitOK, code, errs)
		assert.Equal(t, servicemesh.Version+"\n", out)
	}
}

// Issue 21 item 6: --fail-on breaking stops a change that cuts traffic: a
// delete-first replacement (a namePrefix change replaces every group) or a
// flow closed; an in-place update passes.
func TestDiffFailOnBreaking(t *testing.T) {
	prefix := changed(t, "tiers:", "namePrefix: prod\ntiers:")
	port := changed(t, "ports: [3306]", "ports: [3307]")
	desc := changed(t, "description: SSH from the office", "description: SSH from the office VPN")
	for name, tc := range map[string]struct {
		file string
		want int
	}{
		"namePrefix replaces every group": {prefix, exitGate},
		"a flow closed":                   {port, exitGate},
		"a description updated in place":  {desc, exitOK},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errs := runCLI("plan", "--diff", "--fail-on", "breaking", referenceYAML, tc.file)
			assert.Equal(t, tc.want, code, errs)
			if tc.want == exitGate {
				assert.Contains(t, errs, "--fail-on breaking: the change needs a reviewer's approval")
			}
		})
	}
}

// Issue 21 item 6: JSON lists no findings as [], never null.
func TestJSONFindingsNeverNull(t *testing.T) {
	for _, args := range [][]string{
		{"plan", "--format", "json", referenceYAML},
		{"plan", "--diff", "--format", "json", referenceYAML, referenceYAML},
	} {
		code, out, errs := runCLI(args...)
		require.Equal(t, exitOK, code, errs)
		var got map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &got))
		assert.Equal(t, []any{}, got["findings"], "%v", args)
	}
}

// Issue 21 item 2: a broken base still gets the review, from nothing, with
// the reason and its own exit status.
func TestDiffBaseBroken(t *testing.T) {
	path := gitRepo(t)
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = filepath.Dir(path)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	broken := strings.Replace(string(src), "ports: [3306]", "ports: [70000]", 1)
	require.NoError(t, os.WriteFile(path, []byte(broken), 0o644))
	git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "break main")
	require.NoError(t, os.WriteFile(path, src, 0o644)) // the pull request that fixes it

	code, out, errs := runCLI("plan", "--diff", "--base", "HEAD", "--format", "markdown", path)
	assert.Equal(t, exitBaseBroken, code, errs)
	assert.Contains(t, out, "⚠️ **The base could not be planned**, so this review shows the new declaration as if from nothing")
	assert.Contains(t, out, "HEAD:"+path+" could not be planned: servicemesh: HEAD:"+path+": service mesh declaration has 1 problem")
	assert.Contains(t, out, "port 70000 is outside 0-65535")
	assert.Contains(t, out, "New mesh: **41 flows opened, 0 closed** · groups: 8 created · rules: 34 created.")
	assert.Contains(t, errs, "reviewing "+path+" as a new mesh, since HEAD:"+path+" could not be planned")

	code, out, _ = runCLI("plan", "--diff", "--base", "HEAD", "--format", "json", "--fail-on", "opened-flows", path)
	assert.Equal(t, exitBaseBroken, code, "the gate cannot judge a change against an unknown base")
	var got struct {
		BaseError string `json:"baseError"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.Contains(t, got.BaseError, "port 70000 is outside 0-65535")

	// A base that does not decode is broken too.
	require.NoError(t, os.WriteFile(path, []byte("tiers: [{name: web}]\nservices: [{name: A, tier: web, attachedwith: []}]\n"), 0o644))
	git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "break main again")
	require.NoError(t, os.WriteFile(path, src, 0o644))
	code, out, _ = runCLI("plan", "--diff", "--base", "HEAD", "--format", "markdown", path)
	assert.Equal(t, exitBaseBroken, code)
	assert.Contains(t, out, `unknown field "attachedwith"; field names are case-sensitive: write "attachedWith"`)
}

// Issue 21 item F: a declaration file is a regular file of bounded size,
// and a symbolic link may not lead out of the working directory.
func TestDeclarationFileBounds(t *testing.T) {
	dir := t.TempDir()
	zero := filepath.Join(dir, "zero.yaml")
	require.NoError(t, os.Symlink("/dev/zero", zero))
	fifo := filepath.Join(dir, "fifo.yaml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	secret := write(t, "secret.yaml", "password: hunter2\n")
	link := filepath.Join(dir, "link.yaml")
	require.NoError(t, os.Symlink(secret, link))
	big := write(t, "big.yaml", "tiers: []\n"+strings.Repeat("#", spec.MaxBytes))

	for name, tc := range map[string]struct{ file, want string }{
		"a link to /dev/zero":           {zero, zero + " is a device, not a regular file; give the declaration file itself"},
		"a FIFO":                        {fifo, fifo + " is a FIFO, not a regular file"},
		"a directory":                   {dir, dir + " is a directory, not a regular file"},
		"a link out of the working dir": {link, link + " is a symbolic link to a file outside the working directory"},
		"too big":                       {big, "more than the 4194304 (4 MiB) a declaration may have"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errs := runCLI("plan", tc.file)
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, out)
			assert.Contains(t, errs, tc.want)
			assert.NotContains(t, errs, "hunter2")
		})
	}
	// A link inside the working directory is followed.
	here := filepath.Join(".", "testdata", "link-to-reference.yaml")
	require.NoError(t, os.Symlink("readme-review.yaml", here))
	t.Cleanup(func() { os.Remove(here) })
	code, _, errs := runCLI("plan", here)
	assert.Equal(t, exitOK, code, errs)
}

// Issue 21 items 3 and 4, as a user of the CLI meets them in the reference.
func TestPlanRefusesWhatTheEngineRefuses(t *testing.T) {
	for name, tc := range map[string]struct{ old, new, want string }{
		"a range as a port": {"      - ports: [443]\n        from: { services: [ELB-FrontEnd-Web] }", "      - ports: [3306-3307]\n        from: { services: [ELB-FrontEnd-Web] }",
			`services[4] (FrontEnd-Web).ingress[0] (line 81): ports takes numbers, not text ("3306-3307"); a range is portRange: {from: 3306, to: 3307}`},
		"a port as text": {"      - ports: [443]\n        from: { services: [ELB-FrontEnd-Web] }", "      - ports: [\"443\"]\n        from: { services: [ELB-FrontEnd-Web] }",
			`services[4] (FrontEnd-Web).ingress[0] (line 81): ports takes numbers, not text ("443"); write 443 without quotes`},
		"a field in the wrong case": {"    attachedWith: [AdminAccess]\n    description: Nginx", "    attachedwith: [AdminAccess]\n    description: Nginx",
			`services[4] (FrontEnd-Web) (line 78): unknown field "attachedwith"; field names are case-sensitive: write "attachedWith"`},
		"a key twice": {"    tier: web\n    attachedWith", "    tier: web\n    tier: app\n    attachedWith",
			`services[4] (FrontEnd-Web) (line 78): "tier" is given twice (first on line 77); keep one`},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errs := runCLI("plan", changed(t, tc.old, tc.new))
			assert.Equal(t, exitFindings, code)
			assert.Empty(t, out)
			assert.Contains(t, errs, "reading service mesh declaration: "+tc.want)
			assert.NotContains(t, errs, "Go struct field")
		})
	}
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/legacy"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/mermaidcheck"
)

// observe on the legacy VPC: the app tier (10.0.2.10) calls MySQL
// (10.0.3.10, eni-…06) on 3306 over two intervals, MySQL answers, a scanner
// knocks on 3389. Only the app tier's CIDR rule carries traffic, and its
// one caller carries a known group: the tighter proposal.
func TestObserveLegacy(t *testing.T) {
	flows := filepath.Join(t.TempDir(), "flows.log")
	require.NoError(t, os.WriteFile(flows, []byte(strings.Join([]string{
		"version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action tcp-flags log-status",
		"5 eni-0c000000000000006 10.0.2.10 10.0.3.10 40001 3306 6 10 1000 1795000000 1795000060 ACCEPT 2 OK",
		"5 eni-0c000000000000006 10.0.2.10 10.0.3.10 40001 3306 6 20 2000 1795000060 1795000120 ACCEPT 1 OK",
		"5 eni-0c000000000000006 10.0.3.10 10.0.2.10 3306 40001 6 8 9000 1795000000 1795000060 ACCEPT 19 OK",
		"5 eni-0c000000000000006 198.51.100.7 10.0.3.10 5555 3389 6 1 40 1795000000 1795000060 REJECT 2 OK",
		"5 eni-0c000000000000006 - - - - - - - 1795000000 1795000060 - - NODATA",
	}, "\n")), 0o644))
	args := []string{"observe"}
	for _, f := range legacy.Files() {
		args = append(args, "--from", f)
	}
	code, stdout, errs := runCLI(append(args, flows)...)
	require.Equal(t, exitOK, code, errs)
	for _, want := range []string{
		"4 records in 1 files (1 NODATA, 0 SKIPDATA), 3 tuples.",
		"records decided by: tcp-flags 4, service-port 0, ephemeral-port 0, undecided 0.",
		// 2 records of the request direction: 30 packets, 3000 bytes, from the
		// first start to the last end; the reply is no hit.
		"db tcp/3306 from 10.0.2.0/24  1      2        30       3000   2026-11-18T11:06:40Z  2026-11-18T11:08:40Z  app-tier",
		"  db tcp/3306 from 10.0.1.0/24\n",
		"Tighter:\n  db tcp/3306 from 10.0.2.0/24: every caller carries known groups; name them instead: app-tier",
		"198.51.100.7 -> db tcp/3389: 1 records, scanning or one-off",
	} {
		assert.Contains(t, stdout, want)
	}
	assert.NotContains(t, stdout, "db tcp/3306 from 10.0.1.0/24  ", "the web tier's rule saw no traffic")

	// README's example is this output, abridged: every line it shows but
	// "...", in this order.
	readme, err := os.ReadFile("../../../README.md")
	require.NoError(t, err)
	_, example, ok := strings.Cut(string(readme), "On the legacy VPC, with the app tier calling MySQL")
	require.True(t, ok, "README's observe example is gone")
	_, example, _ = strings.Cut(example, "```\n")
	example, _, _ = strings.Cut(example, "```")
	rest := stdout
	for _, line := range strings.Split(strings.TrimSpace(example), "\n") {
		if strings.TrimSpace(line) == "..." {
			continue
		}
		i := strings.Index(rest, line)
		require.GreaterOrEqual(t, i, 0, "README's observe example is stale at %q", line)
		rest = rest[i+len(line):]
	}

	code, _, errs = runCLI("observe", flows)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, "observe takes --from DESCRIBE.json")
}

// TestObserveMesh: --mesh judges the declaration's rules by their
// resource names, in every format; mermaid needs the mesh.
func TestObserveMesh(t *testing.T) {
	d := filepath.Join("..", "..", "pkg", "observereport", "testdata")
	args := []string{"observe", "--mesh", filepath.Join(d, "mesh.yaml"), "--from", filepath.Join(d, "describe-security-groups.json"),
		"--from", filepath.Join(d, "describe-network-interfaces.json"), filepath.Join(d, "flows.log")}
	for format, want := range map[string]string{
		"text":     "Declared flows never observed:\n  internet (::/0) -> web tcp/443 (mesh-web-ingress-tcp-443-.._0)\n  api -> worker tcp/9000 (mesh-worker-ingress-tcp-9000-sg_api)\n",
		"json":     `"Rule": "mesh-db-ingress-tcp-5432-sg_api"`,
		"markdown": "| web | db | `tcp/5432` | 1 |",
		"mermaid":  `svc_api -.->|"unused: tcp/9000"| svc_worker`,
	} {
		t.Run(format, func(t *testing.T) {
			code, stdout, errs := runCLI(append(args, "--format", format)...)
			require.Equal(t, exitOK, code, errs)
			assert.Contains(t, stdout, want)
		})
	}
	code, _, errs := runCLI("observe", "--format", "mermaid", "--from", filepath.Join(d, "describe-security-groups.json"), filepath.Join(d, "flows.log"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, "give --mesh SPEC")
}

// observe on the generator's reference data set (test/flowgen) with its two
// snapshots: an API interface reused by ELK is ELK's after the second, so
// ELK's rules count its requests then; the NAT gateway's records are
// transit. The numbers are the generator's truth (TestReferenceReportEqualsTruth).
func TestObserveSnapshots(t *testing.T) {
	dir := "../../../test/flowgen/testdata/reference"
	logs, err := filepath.Glob(filepath.Join(dir, "*.log.gz"))
	require.NoError(t, err)
	args := append([]string{"observe",
		"--snapshot", "2026-11-20T10:00:00Z=" + filepath.Join(dir, "describe-20261120T1000Z.json"),
		"--snapshot", "2026-11-20T10:30:00Z=" + filepath.Join(dir, "describe-20261120T1030Z.json")}, logs...)
	code, stdout, errs := runCLI(args...)
	require.Equal(t, exitOK, code, errs)
	for _, want := range []string{
		"6132 records in 7 files (0 NODATA, 0 SKIPDATA), 1469 tuples.",
		"records decided by: flow-direction 2993, address 255.",
		"ELK tcp/9200 from sg-0e8fd0c32f26234dd                         30     207",
		"AdminAccess+FrontEnd-Web -> AdminAccess+MySQL tcp/3306: 4 records, repeated from a known caller: a missing rule?",
		"5 records of requests arrived at a NAT gateway",
		"  AdminAccess+CustomerManagement-API -> 192.0.2.50 tcp/443 via eni-0f0b554afa6874c2f: 5 records",
	} {
		assert.Contains(t, stdout, want)
	}
	assert.NotContains(t, stdout, "match no ingress rule")

	// The first snapshot alone believes the reused interface is still the
	// API's: ELK's requests to it match no rule.
	code, stdout, errs = runCLI(append([]string{"observe", "--from", filepath.Join(dir, "describe-20261120T1000Z.json")}, logs...)...)
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, stdout, "ELK tcp/9200 from sg-0e8fd0c32f26234dd                         20     172")
	assert.Contains(t, stdout, "records of accepted requests match no ingress rule")

	for _, bad := range []string{"10:00=x.json", "2026-11-20T10:00:00Z", "2026-11-20T10:00:00Z="} {
		code, _, errs = runCLI(append([]string{"observe", "--snapshot", bad}, logs...)...)
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, errs, "give TIME=FILE[,FILE...], TIME in RFC 3339")
	}
}

// readmeBlocks are the code blocks of README.md's section under heading
// (up to the next heading) opened by fence (```, ```bash, ```mermaid), in
// order.
func readmeBlocks(t *testing.T, heading, fence string) []string {
	t.Helper()
	readme, err := os.ReadFile("../../../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "\n"+heading+"\n")
	require.True(t, ok, "README.md has no heading %q", heading)
	var out []string
	var block *strings.Builder
	open := "" // the fence of the block being read
	for _, line := range strings.SplitAfter(section, "\n") {
		switch {
		case open == "" && strings.HasPrefix(line, "#"):
			return out
		case open == "" && strings.HasPrefix(line, "```"):
			open, block = strings.TrimSpace(line), &strings.Builder{}
		case open != "" && strings.TrimSpace(line) == "```":
			if open == fence {
				out = append(out, block.String())
			}
			open = ""
		case open != "":
			block.WriteString(line)
		}
	}
	return out
}

// TestReadmeObserveMesh: the README's observe --mesh example on the
// reference architecture is the command's output as it is today, the text
// and the Mermaid diagram.
func TestReadmeObserveMesh(t *testing.T) {
	heading := "### The declaration as the reference: `observe --mesh`"
	dir := "../../../test/flowgen/testdata/reference"
	logs, err := filepath.Glob(filepath.Join(dir, "*.log.gz"))
	require.NoError(t, err)
	require.Len(t, logs, 7)
	cmd := readmeBlocks(t, heading, "```bash")
	require.Len(t, cmd, 1)
	assert.Contains(t, cmd[0], "observe --mesh examples/reference.yaml")
	args := append([]string{"observe", "--mesh", "../../../examples/reference.yaml",
		"--snapshot", "2026-11-20T10:00:00Z=" + filepath.Join(dir, "describe-20261120T1000Z.json"),
		"--snapshot", "2026-11-20T10:30:00Z=" + filepath.Join(dir, "describe-20261120T1030Z.json")}, logs...)
	for fence, format := range map[string]string{"```": "text", "```mermaid": "mermaid"} {
		code, stdout, errs := runCLI(append(args, "--format", format)...)
		require.Equal(t, exitOK, code, errs)
		blocks := readmeBlocks(t, heading, fence)
		require.Len(t, blocks, 1, fence)
		assert.Equal(t, stdout, blocks[0], "README's %s output is stale: paste the command's output", format)
		if format == "mermaid" {
			require.NoError(t, mermaidcheck.Check(stdout))
		}
	}

	// The Pulumi YAML program of the same mesh reads as the declaration.
	_, fromSpec, _ := runCLI(args...)
	args[2] = "../../../Pulumi.yaml"
	code, fromProgram, errs := runCLI(args...)
	require.Equal(t, exitOK, code, errs)
	assert.Equal(t, fromSpec, fromProgram)
}

// Issue 20: given the network ACLs and subnets, observe says which layer
// refused each REJECT (package observe's testdata: app's ACL denies
// tcp/9000 from web's subnet at #110, its group admits it; tcp/8081 passes
// the ACL at #120 but no group rule admits it). Without them it keeps to
// what a REJECT says.
func TestObserveSaysWhichLayerRefused(t *testing.T) {
	flows := filepath.Join(t.TempDir(), "flows.log")
	require.NoError(t, os.WriteFile(flows, []byte(strings.Join([]string{
		"version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action tcp-flags log-status",
		"5 eni-app 10.0.1.10 10.0.2.10 40001 9000 6 3 180 1795000000 1795000060 REJECT 2 OK",
		"5 eni-app 10.0.1.10 10.0.2.10 40002 8081 6 1 60 1795000000 1795000060 REJECT 2 OK",
	}, "\n")), 0o644))
	const testdata = "../../pkg/observe/testdata/"
	code, stdout, errs := runCLI("observe", "--from", testdata+"refusals.json", "--from", testdata+"refusals-acls.json", flows)
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, stdout, "Rejected (which layer refuses each, by the reach evaluator over the account read):\n")
	assert.Contains(t, stdout, "  web -> app tcp/8081: 1 records, scanning or one-off; refused by the security group (10.0.1.10 -> 10.0.2.10): "+
		"destination security groups, ingress (sg-0000000000000app): no ingress rule of sg-0000000000000app allows tcp/8081 from 10.0.1.10\n")
	assert.Contains(t, stdout, "  web -> app tcp/9000: 1 records, scanning or one-off; refused by the network ACL (10.0.1.10 -> 10.0.2.10): "+
		"destination subnet's network ACL, ingress (acl-app): ingress #110 deny tcp/9000 10.0.1.0/24\n")

	code, stdout, errs = runCLI("observe", "--format", "json", "--from", testdata+"refusals.json", "--from", testdata+"refusals-acls.json", flows)
	require.Equal(t, exitOK, code, errs)
	var js struct {
		Rejected []struct{ Port int }
		Refusals []struct {
			Port            int `json:"Port"`
			Layer, Src, Dst string
		} `json:"refusals"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &js))
	assert.Len(t, js.Rejected, 2, "the report's fields stay as they were")
	require.Len(t, js.Refusals, 2)
	assert.Equal(t, 8081, js.Refusals[0].Port)
	assert.Equal(t, "security group", js.Refusals[0].Layer)
	assert.Equal(t, "network ACL", js.Refusals[1].Layer)
	assert.Equal(t, "10.0.1.10", js.Refusals[1].Src)

	code, stdout, errs = runCLI("observe", "--from", testdata+"refusals.json", flows)
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, stdout, "Rejected (a REJECT does not say whether a security group or a network ACL refused):\n  web -> app tcp/8081: 1 records, scanning or one-off\n")
	assert.NotContains(t, stdout, "refused by")
}

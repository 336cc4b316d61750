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
	assert.Contains(t, stdout, "Rejected (which layer refuses each, by the reach evaluator over the describe files):\n")
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

package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// threeTier is the evaluator's fixture: describe JSON of a web, an app and a
// data subnet with their groups, interfaces and network ACLs.
const threeTier = "../../pkg/reach/testdata/three-tier.json"

// TestReach: the exit status says yes or no; the text is the evaluator's
// (its golden files are in package reach).
func TestReach(t *testing.T) {
	code, stdout, stderr := runCLI("reach", "--from", "eni-web2", "--to", "eni-app1", "--port", "tcp/9003", "--ephemeral", "32768-65535", threeTier)
	assert.Equal(t, exitRefused, code, stderr)
	assert.Empty(t, stderr)
	assert.Contains(t, stdout, "can eni-web2 reach eni-app1 on tcp/9003 (replies on tcp/32768-65535)? no\n")
	assert.Contains(t, stdout, "eni-web2 10.0.1.11 -> eni-app1 10.0.2.10: refused by the destination subnet's network ACL, ingress (acl-app): ingress #90 deny tcp/9003 10.0.1.11/32\n")

	code, stdout, stderr = runCLI("reach", threeTier, "--from", "web", "--to", "app", "--port", "tcp/8080", "--ephemeral", "32768-65535")
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "can web reach app on tcp/8080 (replies on tcp/32768-65535)? yes\n")
	assert.Contains(t, stdout, "eni-web1 10.0.1.10 -> eni-app1 10.0.2.10: allowed\n")
	assert.Contains(t, stdout, "eni-web2 10.0.1.11 -> eni-app1 10.0.2.10: allowed\n")
}

func TestReachJSON(t *testing.T) {
	code, stdout, stderr := runCLI("reach", "--from", "203.0.113.5", "--to", "eni-web1", "--port", "tcp/443", "--format", "json", threeTier)
	require.Equal(t, exitOK, code, stderr)
	var got struct {
		From, To, Traffic, Ephemeral string
		Allowed                      bool
		Paths                        []struct {
			From   struct{ Address string }
			To     struct{ Interface, Subnet string }
			Checks []struct {
				Layer, Resource, Skipped string
				Allowed                  bool
				Rules                    []string
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	assert.Equal(t, "203.0.113.5", got.From)
	assert.Equal(t, "tcp/443", got.Traffic)
	assert.Equal(t, "tcp/1024-65535", got.Ephemeral)
	assert.True(t, got.Allowed)
	require.Len(t, got.Paths, 1)
	assert.Equal(t, "203.0.113.5", got.Paths[0].From.Address)
	assert.Equal(t, "subnet-web", got.Paths[0].To.Subnet)
	require.Len(t, got.Paths[0].Checks, 6)
	assert.Equal(t, "destination-nacl-ingress", got.Paths[0].Checks[2].Layer)
	assert.Equal(t, "acl-web", got.Paths[0].Checks[2].Resource)
	assert.Equal(t, []string{"ingress #100 allow tcp/443 0.0.0.0/0"}, got.Paths[0].Checks[2].Rules)
}

func TestReachErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"no endpoints", []string{"reach", threeTier}, []string{"--from, --to and --port are required", "usage:\n  servicemesh reach"}},
		{"no files", []string{"reach", "--from", "a", "--to", "b", "--port", "tcp/1"}, []string{"give the describe JSON FILEs, or --region R --vpc-id V"}},
		{"files and region", []string{"reach", "--from", "a", "--to", "b", "--port", "tcp/1", "--region", "us-east-1", threeTier}, []string{"give FILEs or --region, not both"}},
		{"bad traffic", []string{"reach", "--from", "a", "--to", "b", "--port", "tcp/http", threeTier}, []string{`traffic "tcp/http": the port must be a number 0-65535`}},
		{"bad ephemeral", []string{"reach", "--from", "a", "--to", "b", "--port", "tcp/1", "--ephemeral", "high", threeTier}, []string{`--ephemeral "high": write it as LO-HI, e.g. 32768-60999`}},
		{"bad format", []string{"reach", "--from", "a", "--to", "b", "--port", "tcp/1", "--format", "yaml", threeTier}, []string{`unknown --format "yaml": use text or json`}},
		{"unknown endpoints, both named", []string{"reach", "--from", "webb", "--to", "eni-nope", "--port", "tcp/443", threeTier}, []string{
			`servicemesh reach: --from: "webb" is not a network interface id, an IP address, or a security group's id, name or service in file ` + threeTier + `: did you mean "web"?`,
			`--to: "eni-nope" is not a network interface id`}},
		{"missing file", []string{"reach", "--from", "a", "--to", "b", "--port", "tcp/1", "missing.json"}, []string{"servicemesh reach: open missing.json: no such file or directory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(tc.args...)
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, stdout)
			for _, w := range tc.want {
				assert.Contains(t, stderr, w)
			}
		})
	}
}

// TestPlanShowsBothLayers: with network ACLs on, plan's table and matrix
// add each declared flow's verdict through both layers; without, nothing.
func TestPlanShowsBothLayers(t *testing.T) {
	path := changed(t, "    cidrBlocks: [10.0.0.0/24]\n", "    cidrBlocks: [10.0.0.0/24]\n    subnetIds: [subnet-dmz]\n")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, append(data, "networkAcls: {enabled: true}\n"...), 0o644))
	for _, format := range []string{"table", "matrix"} {
		code, stdout, stderr := runCLI("plan", "--format", format, path)
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stdout, "Both layers, per declared flow (network ACLs on; replies checked):\n")
		assert.Contains(t, stdout, "ELB-FrontEnd-Web               FrontEnd-Web                tcp/443   pass             pass\n")
	}
	code, stdout, _ := runCLI("plan", "--format", "matrix", referenceYAML)
	require.Equal(t, exitOK, code)
	assert.NotContains(t, stdout, "Both layers")
}

// aclMeshes writes the reference architecture with network ACLs on and a
// subnet per tier (old), and the same with one service added (new), whose
// entry in app's ACL contests an existing entry's number (see package nacl's
// TestNumberCollisions and test/e2e's TestNetworkACLNumberContestThroughTheEngine).
func aclMeshes(t *testing.T) (old, new string) {
	t.Helper()
	src, err := os.ReadFile(referenceYAML)
	require.NoError(t, err)
	s := string(src)
	for _, tier := range []string{"dmz", "web", "app", "data"} {
		s = strings.Replace(s, "  - name: "+tier+"\n", "  - name: "+tier+"\n    subnetIds: [subnet-"+tier+"]\n", 1)
	}
	s += "networkAcls: {enabled: true}\n"
	added := strings.Replace(s, "services:\n", "services:\n  - name: Ledger\n    tier: app\n    ingress:\n"+
		"      - ports: [582]\n        from: { services: [FrontEnd-Web] }\n", 1)
	return write(t, "old.yaml", s), write(t, "new.yaml", added)
}

// Issue 20: plan shows the added flow through both layers; plan --diff and
// its Markdown review list the network ACL rules it creates and replaces.
// Both entries hash to 18741 and take their fallbacks, 32704 and 32758
// (computed apart with Python's hashlib, as in package nacl's tests).
func TestPlanAndDiffShowNetworkACLChanges(t *testing.T) {
	old, added := aclMeshes(t)
	code, stdout, stderr := runCLI("plan", "--format", "matrix", added)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "FrontEnd-Web                   Ledger                      tcp/582   pass             pass\n")

	code, stdout, stderr = runCLI("plan", "--diff", old, added)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "ServiceMesh \"mesh\": 5 to create, 0 to delete, 1 to replace, 0 to update\n")
	assert.Contains(t, stdout, "+  create   mesh-nacl-app-in-tcp-582-10.0.1.0_24         network ACL rule: tier app ingress #32704 tcp/582 10.0.1.0/24 (Ledger ingress[0])\n")
	assert.Contains(t, stdout, "+- replace  mesh-nacl-app-in-udp-1024-65535-.._0         network ACL rule: tier app ingress #32758 udp/1024-65535 ::/0")
	assert.Contains(t, stdout, "             ruleNumber: \"18741\" => \"32758\" (forces replacement)\n")

	code, stdout, stderr = runCLI("plan", "--diff", "--format", "markdown", old, added)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "· network ACL rules: 1 created, 1 replaced. Breaks no traffic: 1 network ACL rule replaced create-first")
	assert.Contains(t, stdout, "**Network ACL `mesh-nacl-app`**\n")
	assert.Contains(t, stdout, "| + create | `mesh-nacl-app-in-tcp-582-10.0.1.0_24` |")
	assert.Contains(t, stdout, "| +- replace | `mesh-nacl-app-in-udp-1024-65535-.._0` |")
}

package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/moto"
)

// TestLive: import and audit read EC2 live (moto) with --region, --vpc-id
// and --endpoint-url.
func TestLive(t *testing.T) {
	endpoint := moto.Start(t)
	f := moto.NewWebDB(t, endpoint)
	live := []string{"--region", "us-east-1", "--vpc-id", f.VPC, "--endpoint-url", endpoint}
	out := filepath.Join(t.TempDir(), "mesh.yaml")
	code, stdout, errs := runCLI(append([]string{"import", "-o", out}, live...)...)
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, stdout, "2 service(s)")

	code, stdout, errs = runCLI(append([]string{"audit", out}, live...)...)
	assert.Equal(t, exitDrift, code, errs)
	assert.Contains(t, stdout, "unattached-group", "moto has no network interfaces: both groups are attached nowhere")
	assert.NotContains(t, stdout, "unplanned-rule", "the rules are exactly the imported ones")
	assert.NotContains(t, stdout, "missing-rule", "the rules are exactly the imported ones")
}

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

const (
	groupType = "aws:ec2/securityGroup:SecurityGroup"
	ruleType  = "aws:ec2/securityGroupRule:SecurityGroupRule"
	// The reference architecture: 8 groups, 18 ingress rules from DESIGN.md's
	// table and 16 allow-all egress rules (IPv4 and IPv6 for each group).
	referenceGroups = 8
	referenceRules  = 34
)

// countByType counts a preview's resources of one type with one operation.
func countByType(c Changes, typ string, op apitype.OpType) int {
	n := 0
	for urn, o := range c.Ops {
		if o == op && string(resource.URN(urn).Type()) == typ {
			n++
		}
	}
	return n
}

// lifecycle runs preview, up, a second preview and destroy on a stack that
// declares the reference architecture, asserting the engine's own counts.
func lifecycle(t *testing.T, ctx context.Context, s auto.Stack) {
	t.Helper()
	c, err := Preview(ctx, s)
	require.NoError(t, err, "preview")
	assert.Equal(t, referenceGroups, countByType(c, groupType, apitype.OpCreate), "groups to create: %v", c)
	assert.Equal(t, referenceRules, countByType(c, ruleType, apitype.OpCreate), "rules to create: %v", c)

	up, err := s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err, "up")
	ids, ok := up.Outputs["securityGroupIds"].Value.(map[string]any)
	require.True(t, ok, "securityGroupIds output: %#v", up.Outputs["securityGroupIds"])
	require.Len(t, ids, referenceGroups)
	for svc, id := range ids {
		assert.True(t, strings.HasPrefix(id.(string), "sg-"), "%s has id %v", svc, id)
	}

	again, err := Preview(ctx, s)
	require.NoError(t, err, "second preview")
	assert.Equal(t, map[apitype.OpType]int{apitype.OpSame: referenceGroups + referenceRules + 2}, again.Summary,
		"a second preview must report no changes")

	_, err = s.Destroy(ctx, optdestroy.SuppressProgress())
	require.NoError(t, err, "destroy")
}

func TestYAMLExample(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	dir := filepath.Join(e.Dir, "yaml")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	program, err := os.ReadFile(filepath.Join(RepoRoot(), "examples", "yaml", "Pulumi.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), program, 0o644))

	s, err := auto.UpsertStackLocalSource(ctx, "dev", dir, e.Opts()...)
	require.NoError(t, err)
	require.NoError(t, s.SetConfig(ctx, "vpcId", auto.ConfigValue{Value: reference.VpcID}))
	lifecycle(t, ctx, s)
	e.RequireEmptyAccount(t)
}

// The YAML example, and the top-level Pulumi.yaml `make demo` runs, must
// declare exactly the shared fixture.
func TestYAMLProgramsMatchReference(t *testing.T) {
	for _, path := range []string{"examples/yaml/Pulumi.yaml", "Pulumi.yaml"} {
		t.Run(path, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(RepoRoot(), path))
			require.NoError(t, err)
			var program struct {
				Resources map[string]struct {
					Properties map[string]any `json:"properties"`
				} `json:"resources"`
			}
			require.NoError(t, yaml.Unmarshal(raw, &program))
			props := program.Resources["mesh"].Properties
			assert.Equal(t, "${vpcId}", props["vpcId"], "the VPC comes from the stack's config")
			delete(props, "vpcId")
			js, err := yaml.Marshal(props)
			require.NoError(t, err)
			m, err := spec.Decode(js)
			require.NoError(t, err)
			assert.Equal(t, reference.Mesh(), m)
		})
	}
}

// The YAML example exports attachments, the output a program hands to its
// instances, launch templates and load balancers.
func TestYAMLExampleExportsAttachments(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(RepoRoot(), "examples", "yaml", "Pulumi.yaml"))
	require.NoError(t, err)
	var program struct {
		Outputs map[string]any `json:"outputs"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &program))
	assert.Equal(t, "${mesh.attachments}", program.Outputs["attachments"])
}

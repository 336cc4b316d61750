package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	goexample "github.com/pulumi-servicemesh/pulumi-servicemesh/examples/go/reference"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// captured records the inputs the SDK sends for each resource type.
type captured struct {
	sync.Mutex
	inputs map[string]resource.PropertyMap
}

func (c *captured) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	c.Lock()
	defer c.Unlock()
	c.inputs[args.TypeToken] = args.Inputs
	return args.Name + "-id", args.Inputs, nil
}

func (c *captured) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// sentByGoExample is the declaration a Go program sends for its
// ServiceMesh, as the provider decodes it, strictly.
func sentByGoExample(t *testing.T, program func(ctx *pulumi.Context) error) spec.Mesh {
	t.Helper()
	mocks := &captured{inputs: map[string]resource.PropertyMap{}}
	err := pulumi.RunErr(program, pulumi.WithMocks("project", "stack", mocks))
	require.NoError(t, err)

	inputs, ok := mocks.inputs["servicemesh:index:ServiceMesh"]
	require.True(t, ok, "no ServiceMesh was registered")
	data, err := json.Marshal(inputs.Mappable())
	require.NoError(t, err)
	got, err := spec.DecodeJSON(data)
	require.NoError(t, err, "the SDK sent a property the provider does not know")
	return got
}

// The Go example declares exactly examples/reference.yaml: what the SDK sends
// to the provider decodes, strictly, to the fixture plus the VPC id.
func TestGoExampleIsTheFixture(t *testing.T) {
	got := sentByGoExample(t, func(ctx *pulumi.Context) error {
		_, err := goexample.Architecture(ctx, "mesh", pulumi.String(reference.VpcID))
		return err
	})
	want := reference.Mesh()
	want.VpcID = reference.VpcID
	assert.Equal(t, want, got)
}

// The Go example can take the declaration file itself as the component's
// inputs (pulumi config set meshFile mesh.yaml): given the fixture, it sends
// exactly the fixture, so one file serves the program and servicemesh plan.
func TestGoExampleLoadsTheDeclarationFile(t *testing.T) {
	file := filepath.Join(RepoRoot(), "examples", "reference.yaml")
	got := sentByGoExample(t, func(ctx *pulumi.Context) error {
		_, err := goexample.FromFile(ctx, "mesh", file, pulumi.String(reference.VpcID))
		return err
	})
	want := reference.Mesh()
	want.VpcID = reference.VpcID
	assert.Equal(t, want, got)

	// A field the component does not take is an error, as for servicemesh plan.
	bad := filepath.Join(t.TempDir(), "mesh.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("tiers: [{name: app}]\nservices: [{name: Api, tier: app, attachedWit: []}]\n"), 0o644))
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := goexample.FromFile(ctx, "mesh", bad, pulumi.String(reference.VpcID))
		return err
	}, pulumi.WithMocks("project", "stack", &captured{inputs: map[string]resource.PropertyMap{}}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `mesh.yaml: json: unknown field "attachedWit"`)
}

package e2e

import (
	"encoding/json"
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

// The Go example declares exactly examples/reference.yaml: what the SDK sends
// to the provider decodes, strictly, to the fixture plus the VPC id.
func TestGoExampleIsTheFixture(t *testing.T) {
	mocks := &captured{inputs: map[string]resource.PropertyMap{}}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := goexample.Architecture(ctx, "mesh", pulumi.String(reference.VpcID))
		return err
	}, pulumi.WithMocks("project", "stack", mocks))
	require.NoError(t, err)

	inputs, ok := mocks.inputs["servicemesh:index:ServiceMesh"]
	require.True(t, ok, "no ServiceMesh was registered")
	data, err := json.Marshal(inputs.Mappable())
	require.NoError(t, err)
	got, err := spec.DecodeJSON(data)
	require.NoError(t, err, "the SDK sent a property the provider does not know")

	want := reference.Mesh()
	want.VpcID = reference.VpcID
	assert.Equal(t, want, got)
}

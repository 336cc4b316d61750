package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/component"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/nacl"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/resources"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/awsstandin"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// standinMocks runs a program's aws resources on the stand-in in process:
// the component's own children, created as its code registers them (no
// copy of its mapping here), without the engine or the CLI.
type standinMocks struct {
	mu sync.Mutex
	p  *awsstandin.Provider
}

func (m *standinMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if args.TypeToken != awsstandin.GroupType && args.TypeToken != awsstandin.RuleType {
		return args.Name, args.Inputs, nil
	}
	m.mu.Lock() // the stand-in serialises through its file lock; one at a time keeps errors readable
	defer m.mu.Unlock()
	opts := plugin.MarshalOptions{KeepUnknowns: true, SkipNulls: true}
	urn := string(resource.NewURN("dev", "property", "", tokens.Type(args.TypeToken), args.Name))
	if args.ID != "" {
		// An adopted resource (the import option): the engine reads it by
		// its import id, and refuses one that names nothing.
		resp, err := m.p.Read(context.Background(), &pulumirpc.ReadRequest{Urn: urn, Id: args.ID})
		if err != nil {
			return "", nil, fmt.Errorf("%s: importing %s: %w", args.Name, args.ID, err)
		}
		if resp.GetId() == "" {
			return "", nil, fmt.Errorf("%s: resource %s does not exist", args.Name, args.ID)
		}
		out, err := plugin.UnmarshalProperties(resp.GetProperties(), opts)
		return resp.GetId(), out, err
	}
	in, err := plugin.MarshalProperties(args.Inputs, opts)
	if err != nil {
		return "", nil, err
	}
	checked, err := m.p.Check(context.Background(), &pulumirpc.CheckRequest{Urn: urn, News: in, RandomSeed: []byte(args.Name)})
	if err != nil {
		return "", nil, err
	}
	if len(checked.GetFailures()) > 0 {
		return "", nil, fmt.Errorf("%s: check failed: %v", args.Name, checked.GetFailures())
	}
	resp, err := m.p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: urn, Properties: checked.GetInputs()})
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", args.Name, err)
	}
	out, err := plugin.UnmarshalProperties(resp.GetProperties(), opts)
	return resp.GetId(), out, err
}

func (m *standinMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return args.Args, nil
}

// The property test's meshes without the engine, so they run where the CLI
// is not built and in a second each: the real component creates each mesh
// on the stand-in; audit of the exported account is clean; import of it
// proposes a declaration with the same rules; and every import id that
// declaration's adoption sets parses with the ported importer
// (awsstandin.ParseImportID) and names an existing permission by
// findRuleMatch's subset rule; the component then adopts that declaration,
// importing every group and rule and creating nothing.
func TestPropertyOfflineImportIDs(t *testing.T) {
	seed, n := propertySeed(t)
	for i := range n {
		s := seed + uint64(i)
		t.Run(fmt.Sprintf("seed-%d", s), func(t *testing.T) {
			w := newWorld(t, s)
			dir := t.TempDir()
			p := &awsstandin.Provider{State: filepath.Join(dir, "account.json")}
			w.seedExternal(t, p.State, dir)
			err := pulumi.RunErr(func(ctx *pulumi.Context) error {
				_, err := component.New(ctx, "mesh", component.Args{VpcID: pulumi.String(reference.VpcID), Mesh: w.mesh})
				return err
			}, pulumi.WithMocks("property", "dev", &standinMocks{p: p}))
			require.NoError(t, err, "the component creates the mesh on the stand-in")

			adopt := w.auditClean(t, p.State, dir)
			if nacl.Enabled(w.mesh) {
				proveBothLayers(t, w.mesh)
			}
			imported, err := plan.Build(adopt)
			require.NoError(t, err)
			for _, r := range resources.Of("mesh", imported) {
				if r.Rule == nil || r.ImportID == "" {
					continue
				}
				_, err := awsstandin.ParseImportID(r.ImportID)
				if !assert.NoError(t, err, "import id of %s", r.Name) {
					continue
				}
				resp, err := p.Read(context.Background(), &pulumirpc.ReadRequest{Urn: string(resource.NewURN("dev", "property", "",
					tokens.Type(awsstandin.RuleType), r.Name)), Id: r.ImportID})
				require.NoError(t, err)
				assert.NotEmpty(t, resp.GetId(), "%s: import id %s names no permission", r.Name, r.ImportID)
			}

			// The component adopts the imported declaration: every group and
			// rule it imports exists, and it creates nothing.
			before, err := awsstandin.Read(p.State)
			require.NoError(t, err)
			err = pulumi.RunErr(func(ctx *pulumi.Context) error {
				_, err := component.New(ctx, "mesh", component.Args{VpcID: pulumi.String(reference.VpcID), Mesh: adopt})
				return err
			}, pulumi.WithMocks("property", "adopt", &standinMocks{p: p}))
			require.NoError(t, err, "the component adopts the imported declaration")
			after, err := awsstandin.Read(p.State)
			require.NoError(t, err)
			assert.Equal(t, before, after, "adoption creates, changes and deletes nothing")
		})
	}
}

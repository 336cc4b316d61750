package plandiff

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/component"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/resources"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// This file checks the model against the component itself (with Pulumi's
// mocks, no engine): the resource names, types and inputs Diff reasons
// about must be those component.New registers. Which of them replace is
// checked against the stand-in's replace keys (test/awsstandin), Compare's
// verdicts against hand-written expectations (plandiff_test.go), and against a
// real `pulumi preview` by the end-to-end tests.

// child is one resource the component registered.
type child struct {
	typ    string
	inputs presource.PropertyMap
}

type mocks struct {
	mu       sync.Mutex
	children map[string]child
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, presource.PropertyMap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if args.TypeToken != component.Type {
		m.children[args.Name] = child{typ: args.TypeToken, inputs: args.Inputs}
	}
	return "id-" + args.Name, args.Inputs, nil
}

func (m *mocks) Call(args pulumi.MockCallArgs) (presource.PropertyMap, error) { return args.Args, nil }

// emitted runs the component on a declaration and returns its children by name.
func emitted(t *testing.T, name string, m spec.Mesh) map[string]child {
	t.Helper()
	mk := &mocks{children: map[string]child{}}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := component.New(ctx, name, component.Args{VpcID: pulumi.String(m.VpcID), Mesh: m})
		return err
	}, pulumi.WithMocks("project", "stack", mk))
	require.NoError(t, err)
	return mk.children
}

// flatten writes a child's inputs as the model does: one string per input,
// a tag per input (tags.KEY), group ids as the group's resource name.
func flatten(in presource.PropertyMap) map[string]string {
	out := map[string]string{}
	for k, v := range in {
		key := string(k)
		switch {
		case v.IsObject():
			for tk, tv := range v.ObjectValue() {
				out[key+"."+string(tk)] = tv.StringValue()
			}
		case v.IsArray():
			var parts []string
			for _, e := range v.ArrayValue() {
				parts = append(parts, e.StringValue())
			}
			out[key] = strings.Join(parts, ",")
		case v.IsNumber():
			out[key] = fmt.Sprint(int(v.NumberValue()))
		case v.IsBool():
			out[key] = fmt.Sprint(v.BoolValue())
		case key == "securityGroupId" || key == "sourceSecurityGroupId":
			out[key] = strings.TrimPrefix(v.StringValue(), "id-")
		default:
			out[key] = v.StringValue()
		}
	}
	return out
}

func TestModelIsTheComponent(t *testing.T) {
	for name, m := range map[string]spec.Mesh{"reference": reference.Mesh(), "synthetic": reference.Synthetic(30)} {
		t.Run(name, func(t *testing.T) {
			m.VpcID = "vpc-123"
			m.NamePrefix = "prod-"
			m.Tags = map[string]string{"Team": "net"}
			p, err := plan.Build(m)
			require.NoError(t, err)
			model := resources.ByName(resources.Of("web", p))
			children := emitted(t, "web", m)
			require.ElementsMatch(t, slices.Collect(maps.Keys(children)), slices.Collect(maps.Keys(model)), "resource names")
			for name, c := range children {
				r := model[name]
				assert.Equal(t, c.typ, r.Type, name)
				want := map[string]string{}
				for k, in := range r.Fields(m.VpcID) {
					want[k] = in.Value
				}
				assert.Equal(t, flatten(c.inputs), want, name)
			}
		})
	}
}

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
// about must be those component.New registers. The end-to-end tests compare
// Compare with a real `pulumi preview`.

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

// engineReplaceKeys are the inputs whose change replaces a resource in the
// AWS provider (and in the stand-in the end-to-end tests run).
var engineReplaceKeys = map[string][]string{
	GroupType: {"name", "namePrefix", "description", "vpcId"},
	RuleType: {"type", "securityGroupId", "protocol", "fromPort", "toPort", "cidrBlocks",
		"ipv6CidrBlocks", "prefixListIds", "sourceSecurityGroupId", "self"},
}

// engineDiff is what the engine does with two sets of the component's
// children: compare inputs, where the id of a group being replaced is
// unknown, and an unknown or changed replace key replaces.
func engineDiff(old, new map[string]child) map[Op][]string {
	out := map[Op][]string{}
	replaced := map[string]bool{}
	for _, typ := range []string{GroupType, RuleType} {
		for _, name := range slices.Sorted(maps.Keys(new)) {
			n := new[name]
			if n.typ != typ {
				continue
			}
			o, ok := old[name]
			if !ok {
				out[Create] = append(out[Create], name)
				continue
			}
			before, after := flatten(o.inputs), flatten(n.inputs)
			op := Op("")
			for _, k := range slices.Sorted(maps.Keys(after)) {
				unknown := (k == "securityGroupId" || k == "sourceSecurityGroupId") && replaced[after[k]]
				if before[k] == after[k] && !unknown {
					continue
				}
				if slices.Contains(engineReplaceKeys[typ], k) {
					op = Replace
				} else if op == "" {
					op = Update
				}
			}
			if op == Replace && typ == GroupType {
				replaced[name] = true
			}
			if op != "" {
				out[op] = append(out[op], name)
			}
		}
	}
	for name := range old {
		if _, ok := new[name]; !ok {
			out[Delete] = append(out[Delete], name)
		}
	}
	for op := range out {
		slices.Sort(out[op])
	}
	return out
}

func TestCompareAgreesWithTheComponentsChildren(t *testing.T) {
	base := reference.Mesh()
	base.VpcID = "vpc-1"
	baseChildren := emitted(t, "mesh", base)
	changes := map[string]func(*spec.Mesh){
		"port":             func(m *spec.Mesh) { m.Services[7].Ingress[0].Ports = []int{3307} },
		"rule description": func(m *spec.Mesh) { m.Services[7].Ingress[1].Description = "NDB" },
		"service tag":      func(m *spec.Mesh) { m.Services[7].Description = "DB" },
		"mesh tags":        func(m *spec.Mesh) { m.Tags = map[string]string{"Team": "net"} },
		"prefix":           func(m *spec.Mesh) { m.NamePrefix = "prod-" },
		"vpc":              func(m *spec.Mesh) { m.VpcID = "vpc-2" },
		"egress none":      func(m *spec.Mesh) { m.Egress = spec.EgressNone },
		"egress mirror":    func(m *spec.Mesh) { m.Egress = spec.EgressMirror },
		"reorder":          func(m *spec.Mesh) { slices.Reverse(m.Services) },
		"rename": func(m *spec.Mesh) {
			m.Services[7].Name = "MySQL-Cluster"
		},
		"ipv6 office": func(m *spec.Mesh) {
			m.Networks[0].CidrBlocks = append(m.Networks[0].CidrBlocks, "2001:db8::/48")
		},
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			m := reference.Mesh()
			m.VpcID = "vpc-1"
			require.Equal(t, "MySQL", m.Services[7].Name)
			change(&m)
			want := engineDiff(baseChildren, emitted(t, "mesh", m))
			got, err := CompareSpecs("mesh", base, m)
			require.NoError(t, err)
			for _, op := range []Op{Create, Delete, Replace, Update} {
				assert.ElementsMatch(t, want[op], got.Names(op), "%s", op)
			}
		})
	}
}

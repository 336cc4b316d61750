package component_test

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/component"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// recorder is a pulumi mock that keeps every registered resource's inputs.
type recorder struct {
	mu        sync.Mutex
	resources map[string]resource.PropertyMap // by type + "::" + name
	// deletedWith is each resource's deletedWith URN, by name, when set.
	deletedWith map[string]string
}

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resources[args.TypeToken+"::"+args.Name] = args.Inputs
	if rpc := args.RegisterRPC; rpc != nil && rpc.GetDeletedWith() != "" {
		if r.deletedWith == nil {
			r.deletedWith = map[string]string{}
		}
		r.deletedWith[args.Name] = rpc.GetDeletedWith()
	}
	id := "id-" + args.Name
	out := args.Inputs.Copy()
	out["arn"] = resource.NewStringProperty("arn:aws:ec2:::security-group/" + id)
	return id, out, nil
}

func (r *recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return args.Args, nil
}

func (r *recorder) of(typ string) map[string]resource.PropertyMap {
	out := map[string]resource.PropertyMap{}
	for k, v := range r.resources {
		if t, name, _ := strings.Cut(k, "::"); t == typ {
			out[name] = v
		}
	}
	return out
}

func run(t *testing.T, m spec.Mesh) (*recorder, error) {
	t.Helper()
	rec := &recorder{resources: map[string]resource.PropertyMap{}}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := component.New(ctx, "mesh", component.Args{VpcID: pulumi.String("vpc-123"), Mesh: m})
		return err
	}, pulumi.WithMocks("project", "stack", rec))
	return rec, err
}

// describe renders an emitted rule's inputs as "type group proto/from-to peer".
func describe(name string, in resource.PropertyMap) string {
	peer := ""
	switch {
	case in["self"].IsBool() && in["self"].BoolValue():
		peer = "self"
	case in["sourceSecurityGroupId"].IsString():
		peer = in["sourceSecurityGroupId"].StringValue()
	case in["cidrBlocks"].IsArray():
		peer = in["cidrBlocks"].ArrayValue()[0].StringValue()
	case in["ipv6CidrBlocks"].IsArray():
		peer = in["ipv6CidrBlocks"].ArrayValue()[0].StringValue()
	}
	return strings.Join([]string{in["type"].StringValue(), in["securityGroupId"].StringValue(),
		in["protocol"].StringValue(), port(in["fromPort"]), port(in["toPort"]), peer}, " ")
}

func port(v resource.PropertyValue) string { return strconv.Itoa(int(v.NumberValue())) }

// revokeRulesOnDelete is the user's choice, on unless turned off.
func TestComponentRevokeRulesOnDeleteIsAnInput(t *testing.T) {
	off := false
	for _, tt := range []struct {
		name string
		in   *bool
		want bool
	}{{"default", nil, true}, {"off", &off, false}} {
		t.Run(tt.name, func(t *testing.T) {
			m := reference.Mesh()
			m.RevokeRulesOnDelete = tt.in
			rec, err := run(t, m)
			require.NoError(t, err)
			for name, in := range rec.of("aws:ec2/securityGroup:SecurityGroup") {
				assert.Equal(t, tt.want, in["revokeRulesOnDelete"].BoolValue(), name)
			}
		})
	}
}

func TestComponentEmitsTheReferenceArchitecture(t *testing.T) {
	rec, err := run(t, reference.Mesh())
	require.NoError(t, err)

	groups := rec.of("aws:ec2/securityGroup:SecurityGroup")
	require.Len(t, groups, reference.Groups)
	for name, in := range groups {
		assert.True(t, strings.HasPrefix(name, "mesh-"), name)
		assert.Equal(t, "vpc-123", in["vpcId"].StringValue())
		assert.True(t, in["revokeRulesOnDelete"].BoolValue(), "%s must revoke rules on delete", name)
		assert.False(t, in.HasValue("ingress") || in.HasValue("egress"), "%s must carry no inline rules", name)
		assert.Equal(t, in["name"].StringValue(), in["tags"].ObjectValue()["Name"].StringValue())
	}

	var got []string
	for name, in := range rec.of("aws:ec2/securityGroupRule:SecurityGroupRule") {
		got = append(got, describe(name, in))
	}
	sort.Strings(got)
	want := []string{
		"egress id-mesh-AdminAccess -1 0 0 0.0.0.0/0",
		"egress id-mesh-AdminAccess -1 0 0 ::/0",
		"egress id-mesh-CustomerManagement-API -1 0 0 0.0.0.0/0",
		"egress id-mesh-CustomerManagement-API -1 0 0 ::/0",
		"egress id-mesh-ELB-CustomerManagement-API -1 0 0 0.0.0.0/0",
		"egress id-mesh-ELB-CustomerManagement-API -1 0 0 ::/0",
		"egress id-mesh-ELB-FrontEnd-Web -1 0 0 0.0.0.0/0",
		"egress id-mesh-ELB-FrontEnd-Web -1 0 0 ::/0",
		"egress id-mesh-ELK -1 0 0 0.0.0.0/0",
		"egress id-mesh-ELK -1 0 0 ::/0",
		"egress id-mesh-FrontEnd-Web -1 0 0 0.0.0.0/0",
		"egress id-mesh-FrontEnd-Web -1 0 0 ::/0",
		"egress id-mesh-Graphite -1 0 0 0.0.0.0/0",
		"egress id-mesh-Graphite -1 0 0 ::/0",
		"egress id-mesh-MySQL -1 0 0 0.0.0.0/0",
		"egress id-mesh-MySQL -1 0 0 ::/0",
		"ingress id-mesh-AdminAccess tcp 22 22 203.0.113.0/24",
		"ingress id-mesh-CustomerManagement-API tcp 7500 7500 id-mesh-ELB-CustomerManagement-API",
		"ingress id-mesh-ELB-CustomerManagement-API tcp 7200 7200 id-mesh-FrontEnd-Web",
		"ingress id-mesh-ELB-FrontEnd-Web tcp 443 443 0.0.0.0/0",
		"ingress id-mesh-ELB-FrontEnd-Web tcp 443 443 ::/0",
		"ingress id-mesh-ELB-FrontEnd-Web tcp 80 80 0.0.0.0/0",
		"ingress id-mesh-ELB-FrontEnd-Web tcp 80 80 ::/0",
		"ingress id-mesh-ELK tcp 5044 5044 id-mesh-AdminAccess",
		"ingress id-mesh-ELK tcp 5601 5601 203.0.113.0/24",
		"ingress id-mesh-ELK tcp 9200 9200 id-mesh-AdminAccess",
		"ingress id-mesh-FrontEnd-Web tcp 443 443 id-mesh-ELB-FrontEnd-Web",
		"ingress id-mesh-Graphite tcp 2003 2003 id-mesh-AdminAccess",
		"ingress id-mesh-Graphite tcp 443 443 203.0.113.0/24",
		"ingress id-mesh-Graphite tcp 80 80 203.0.113.0/24",
		"ingress id-mesh-Graphite udp 8125 8125 id-mesh-AdminAccess",
		"ingress id-mesh-MySQL tcp 1186 1186 self",
		"ingress id-mesh-MySQL tcp 2202 2202 self",
		"ingress id-mesh-MySQL tcp 3306 3306 id-mesh-CustomerManagement-API",
	}
	assert.Equal(t, want, got)
}

func TestComponentRegistersNothingForABadDeclaration(t *testing.T) {
	m := reference.Mesh()
	m.Services[0].Ingress[0].Ports = []int{65536}
	rec, err := run(t, m)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `service "AdminAccess" rule ingress[0]: port 65536 is outside 0-65535`)
	assert.Empty(t, rec.resources, "nothing half-made")
}

func TestComponentRequiresVpcID(t *testing.T) {
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := component.New(ctx, "mesh", component.Args{Mesh: reference.Mesh()})
		return err
	}, pulumi.WithMocks("project", "stack", &recorder{resources: map[string]resource.PropertyMap{}}))
	require.ErrorContains(t, err, "vpcId is required")
}

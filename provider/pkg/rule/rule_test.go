package rule_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

var (
	api    = flow.Endpoint{Kind: flow.Group, Service: "api"}
	web    = flow.Endpoint{Kind: flow.Group, Service: "web"}
	office = flow.Endpoint{Kind: flow.CIDR, CIDR: "203.0.113.0/24", Via: flow.Network("office")}
	https  = ports.Range{Protocol: ports.TCP, From: 443, To: 443}
)

func ingress(from, to flow.Endpoint, i int, desc string) flow.Flow {
	return flow.Flow{From: from, To: to, Ports: https, Declared: flow.Ingress, Description: desc,
		Origin: flow.At(to.Service, flow.Ingress, i)}
}

func TestGroups(t *testing.T) {
	m := spec.Mesh{NamePrefix: "prod-", Tags: map[string]string{"Team": "net"}, Services: []spec.Service{
		{Name: "web", Tier: "web", InternetFacing: true},
		{Name: "api", Tier: "app", Shared: true, Description: "the API"},
	}}
	assert.Equal(t, []rule.Group{
		{Service: "api", Name: "prod-api", Description: "prod-api security group, managed by pulumi-servicemesh", Tier: "app", Shared: true,
			Tags: map[string]string{"Team": "net", "Name": "prod-api", "Service": "api", "Tier": "app", "ManagedBy": "pulumi-servicemesh", "Description": "the API"}},
		{Service: "web", Name: "prod-web", Description: "prod-web security group, managed by pulumi-servicemesh", Tier: "web", InternetFacing: true,
			Tags: map[string]string{"Team": "net", "Name": "prod-web", "Service": "web", "Tier": "web", "ManagedBy": "pulumi-servicemesh"}},
	}, rule.Groups(m))
}

func TestProject(t *testing.T) {
	officeTwice := office
	officeTwice.Via = flow.Tier("dmz") // the same CIDR named another way is the same rule
	flows := []flow.Flow{
		ingress(web, api, 0, ""),
		ingress(office, api, 1, "from the office"),
		ingress(officeTwice, api, 2, "admins"),
		ingress(api, api, 3, ""),
		{From: api, To: web, Ports: https, Declared: flow.Egress, Origin: flow.At("api", flow.Egress, 0)},
	}
	type want struct {
		key, desc string
		sources   []string
	}
	text := func(rs []rule.Rule) []want {
		var out []want
		for _, r := range rs {
			w := want{key: r.Key, desc: r.Description}
			for _, s := range r.Sources {
				w.sources = append(w.sources, s.Text(r.Service))
			}
			out = append(out, w)
		}
		return out
	}
	assert.Equal(t, []want{
		{"api/egress/tcp-443/sg_web", "HTTPS to web", []string{"egress[0]"}},
		{"api/ingress/tcp-443/203.0.113.0_24", "admins; from the office", []string{"ingress[1]", "ingress[2]"}},
		{"api/ingress/tcp-443/self", "HTTPS from api", []string{"ingress[3]"}},
		{"api/ingress/tcp-443/sg_web", "HTTPS from web", []string{"ingress[0]"}},
	}, text(rule.Project(flows, spec.EgressNone)))

	// Mirror adds the caller's egress for group peers (self included), and
	// records it as a copy; the caller's own egress[0] merges into it.
	assert.Equal(t, []want{
		{"api/egress/tcp-443/self", "HTTPS to api", []string{"the mirror egress of api ingress[3]"}},
		{"api/egress/tcp-443/sg_web", "HTTPS to web", []string{"egress[0]"}},
		{"api/ingress/tcp-443/203.0.113.0_24", "admins; from the office", []string{"ingress[1]", "ingress[2]"}},
		{"api/ingress/tcp-443/self", "HTTPS from api", []string{"ingress[3]"}},
		{"api/ingress/tcp-443/sg_web", "HTTPS from web", []string{"ingress[0]"}},
		{"web/egress/tcp-443/sg_api", "HTTPS to api", []string{"the mirror egress of api ingress[0]"}},
	}, text(rule.Project(flows, spec.EgressMirror)))
}

func TestProjectSourcesInDeclarationOrder(t *testing.T) {
	var flows []flow.Flow
	for _, i := range []int{10, 9, 2} {
		flows = append(flows, ingress(web, api, i, ""))
	}
	flows = append(flows, ingress(web, api, 9, "")) // one declaration, two flows: one source
	rs := rule.Project(flows, spec.EgressNone)
	require.Len(t, rs, 1)
	var got []string
	for _, s := range rs[0].Sources {
		got = append(got, s.Rule)
	}
	assert.Equal(t, []string{"ingress[2]", "ingress[9]", "ingress[10]"}, got)
}

func TestSourcesPutWhatNobodyWroteFirst(t *testing.T) {
	written := rule.Source{Origin: flow.At("a", flow.Egress, 0), Direction: flow.Egress}
	mirror := rule.Source{Origin: flow.At("b", flow.Ingress, 4), Direction: flow.Ingress, Mirrored: true}
	policy := rule.Source{Origin: flow.Origin{Service: "a", Rule: flow.PolicyRule}, Direction: flow.Egress}
	assert.Negative(t, rule.CompareSources(policy, written))
	assert.Negative(t, rule.CompareSources(mirror, written))
	assert.True(t, written.Written())
	assert.False(t, mirror.Written())
	assert.False(t, policy.Written())
	assert.Equal(t, "the egress policy", policy.Text("a"))
	assert.Equal(t, "egress[0]", written.Text("a"))
	assert.Equal(t, "a egress[0]", written.Text("b"))
}

func TestDescriptionsMergeWithinEC2sLimit(t *testing.T) {
	x, y := strings.Repeat("x", 200), strings.Repeat("y", 100)
	rs := rule.Project([]flow.Flow{ingress(web, api, 0, y), ingress(web, api, 1, x), ingress(web, api, 2, x)}, spec.EgressNone)
	require.Len(t, rs, 1)
	// Sorted, the repeated one once: 200 x, "; ", then y up to 252, then "...".
	assert.Equal(t, x+"; "+strings.Repeat("y", 50)+"...", rs[0].Description)
}

func TestKeyAndName(t *testing.T) {
	r := rule.Rule{Service: "api", Direction: rule.Ingress, Ports: ports.Range{Protocol: ports.TCP, From: 1024, To: 2048},
		Peer: flow.Endpoint{Kind: flow.CIDR, CIDR: "2001:db8::/48"}}
	r.Key = rule.Key(r)
	// An IPv6 CIDR is spelt one way in the key (adopt.rules) and the name.
	assert.Equal(t, "api/ingress/tcp-1024-2048/2001.db8.._48", r.Key)
	assert.Equal(t, "api-ingress-tcp-1024-2048-2001.db8.._48", rule.Name(r), "no / and no :: in a URN")
}

// TestIngressKey: a flow declared as ingress names the key of the rule
// Project makes of it, whatever name its CIDR was reached by, self included.
func TestIngressKey(t *testing.T) {
	for name, tc := range map[string]struct {
		f    flow.Flow
		want string
	}{
		"group":   {ingress(web, api, 0, ""), "api/ingress/tcp-443/sg_web"},
		"network": {ingress(office, api, 1, ""), "api/ingress/tcp-443/203.0.113.0_24"},
		"self":    {ingress(api, api, 2, ""), "api/ingress/tcp-443/self"},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, rule.IngressKey(tc.f))
			rules := rule.Project([]flow.Flow{tc.f}, spec.EgressNone)
			require.Len(t, rules, 1)
			assert.Equal(t, rules[0].Key, rule.IngressKey(tc.f))
		})
	}
}

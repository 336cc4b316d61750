package reach_test

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/internal/golden"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/reach"
)

const (
	web = "sg-0000000000000web"
	app = "sg-0000000000000app"
	db  = "sg-00000000000000db"
)

// linux is the client range of Linux (net.ipv4.ip_local_port_range
// 32768-60999 fits in it): acl-app lets replies to web only onto it.
var linux = ports.Range{Protocol: ports.TCP, From: 32768, To: 65535}

// show writes a check as the expectations below are hand-written: layer,
// resource, verdict, and the deciding rules.
func show(c reach.Check) string {
	switch {
	case c.Skipped != "":
		return string(c.Layer) + " skipped: " + c.Skipped
	case c.Allowed:
		return string(c.Layer) + " " + c.Resource + " allow: " + strings.Join(c.Rules, "; ")
	}
	return string(c.Layer) + " " + c.Resource + " refuse " + c.Refused.String() + ": " + strings.Join(c.Rules, "; ")
}

func mustRange(t *testing.T, s string) ports.Range {
	r, err := ports.ParseRange(s)
	require.NoError(t, err)
	return r
}

// TestEvaluate checks every layer of one path against expectations worked
// out by hand from the fixture (testdata/three-tier.json) and AWS's
// documented semantics: the lowest-numbered matching ACL entry decides, ACLs
// skip traffic within a subnet, security groups allow only and are stateful.
func TestEvaluate(t *testing.T) {
	a, err := ec2read.ReadFiles(filepath.Join("testdata", "three-tier.json"))
	require.NoError(t, err)
	for _, tc := range []struct {
		name, from, to, traffic string
		ephemeral               ports.Range
		fromAddr, toAddr        string
		want                    []string
	}{
		{name: "web to app, every layer allows", from: "eni-web1", to: "eni-app1", traffic: "tcp/8080", ephemeral: linux,
			fromAddr: "10.0.1.10", toAddr: "10.0.2.10", want: []string{
				"source-sg-egress " + web + " allow: " + web + " egress tcp/8080 to " + app,
				"source-nacl-egress acl-web allow: egress #100 allow tcp/8080 10.0.2.0/24",
				"destination-nacl-ingress acl-app allow: ingress #100 allow tcp/8080-9010 10.0.1.0/24",
				"destination-sg-ingress " + app + " allow: " + app + " ingress tcp/8080 from " + web,
				"reply-destination-nacl-egress acl-app allow: egress #100 allow tcp/32768-65535 10.0.1.0/24",
				"reply-source-nacl-ingress acl-web allow: ingress #200 allow tcp/1024-65535 10.0.2.0/24",
			}},
		{name: "replies to 1024-32767 meet app's catch-all deny", from: "eni-web1", to: "eni-app1", traffic: "tcp/8080",
			fromAddr: "10.0.1.10", toAddr: "10.0.2.10", want: []string{
				"source-sg-egress " + web + " allow: " + web + " egress tcp/8080 to " + app,
				"source-nacl-egress acl-web allow: egress #100 allow tcp/8080 10.0.2.0/24",
				"destination-nacl-ingress acl-app allow: ingress #100 allow tcp/8080-9010 10.0.1.0/24",
				"destination-sg-ingress " + app + " allow: " + app + " ingress tcp/8080 from " + web,
				"reply-destination-nacl-egress acl-app refuse tcp/1024-32767: egress * deny all 0.0.0.0/0",
				"reply-source-nacl-ingress acl-web allow: ingress #200 allow tcp/1024-65535 10.0.2.0/24",
			}},
		{name: "a lower-numbered deny wins over a later allow", from: "eni-web2", to: "eni-app1", traffic: "tcp/9003", ephemeral: linux,
			fromAddr: "10.0.1.11", toAddr: "10.0.2.10", want: []string{
				"source-sg-egress " + web + " allow: " + web + " egress tcp/9000-9005 to " + app,
				"source-nacl-egress acl-web allow: egress #120 allow tcp/1024-65535 0.0.0.0/0",
				"destination-nacl-ingress acl-app refuse tcp/9003: ingress #90 deny tcp/9003 10.0.1.11/32",
				"destination-sg-ingress " + app + " allow: " + app + " ingress tcp/9000-9010 from " + web,
				"reply-destination-nacl-egress acl-app allow: egress #100 allow tcp/32768-65535 10.0.1.0/24",
				"reply-source-nacl-ingress acl-web allow: ingress #200 allow tcp/1024-65535 10.0.2.0/24",
			}},
		{name: "a port range partly outside the source group's rules", from: "eni-web1", to: "eni-app1", traffic: "tcp/9000-9010", ephemeral: linux,
			fromAddr: "10.0.1.10", toAddr: "10.0.2.10", want: []string{
				"source-sg-egress " + web + " refuse tcp/9006-9010: no egress rule of " + web + " allows tcp/9006-9010 to 10.0.2.10",
				"source-nacl-egress acl-web allow: egress #120 allow tcp/1024-65535 0.0.0.0/0",
				"destination-nacl-ingress acl-app allow: ingress #100 allow tcp/8080-9010 10.0.1.0/24",
				"destination-sg-ingress " + app + " allow: " + app + " ingress tcp/9000-9010 from " + web,
				"reply-destination-nacl-egress acl-app allow: egress #100 allow tcp/32768-65535 10.0.1.0/24",
				"reply-source-nacl-ingress acl-web allow: ingress #200 allow tcp/1024-65535 10.0.2.0/24",
			}},
		{name: "a subnet without an association has the VPC's default ACL", from: "eni-app1", to: "eni-db1", traffic: "tcp/3306", ephemeral: linux,
			fromAddr: "10.0.2.10", toAddr: "10.0.3.10", want: []string{
				"source-sg-egress " + app + " allow: " + app + " egress all to 0.0.0.0/0",
				"source-nacl-egress acl-app allow: egress #110 allow tcp/3306 10.0.3.0/24",
				"destination-nacl-ingress acl-default allow: ingress #100 allow all 0.0.0.0/0",
				"destination-sg-ingress " + db + " allow: " + db + " ingress tcp/3306 from " + app,
				"reply-destination-nacl-egress acl-default allow: egress #100 allow all 0.0.0.0/0",
				"reply-source-nacl-ingress acl-app allow: ingress #120 allow tcp/1024-65535 10.0.3.0/24",
			}},
		{name: "a group without egress rules refuses everything", from: "eni-db1", to: "eni-app1", traffic: "tcp/8080", ephemeral: linux,
			fromAddr: "10.0.3.10", toAddr: "10.0.2.10", want: []string{
				"source-sg-egress " + db + " refuse tcp/8080: no egress rule of " + db + " allows tcp/8080 to 10.0.2.10",
				"source-nacl-egress acl-default allow: egress #100 allow all 0.0.0.0/0",
				"destination-nacl-ingress acl-app allow: ingress #120 allow tcp/1024-65535 10.0.3.0/24",
				"destination-sg-ingress " + app + " refuse tcp/8080: no ingress rule of " + app + " allows tcp/8080 from 10.0.3.10",
				"reply-destination-nacl-egress acl-app refuse tcp/32768-65535: egress * deny all 0.0.0.0/0",
				"reply-source-nacl-ingress acl-default allow: ingress #100 allow all 0.0.0.0/0",
			}},
		{name: "within one subnet the ACLs do not apply", from: "eni-web1", to: "10.0.1.11", traffic: "tcp/443",
			fromAddr: "10.0.1.10", toAddr: "10.0.1.11", want: []string{
				"source-sg-egress " + web + " allow: " + web + " egress tcp/443 to 10.0.1.0/24",
				"source-nacl-egress skipped: same subnet: network ACLs do not filter traffic within a subnet",
				"destination-nacl-ingress skipped: same subnet: network ACLs do not filter traffic within a subnet",
				"destination-sg-ingress " + web + " allow: " + web + " ingress tcp/443 from 0.0.0.0/0",
				"reply-destination-nacl-egress skipped: same subnet: network ACLs do not filter traffic within a subnet",
				"reply-source-nacl-ingress skipped: same subnet: network ACLs do not filter traffic within a subnet",
			}},
		{name: "IPv6: entries of the other family do not match", from: "eni-web1", to: "2001:db8:2::10", traffic: "tcp/8080",
			fromAddr: "2001:db8:1::10", toAddr: "2001:db8:2::10", want: []string{
				"source-sg-egress " + web + " allow: " + web + " egress tcp/8080 to " + app,
				"source-nacl-egress acl-web allow: egress #110 allow tcp/8080 2001:db8:2::/64",
				"destination-nacl-ingress acl-app allow: ingress #110 allow tcp/8080 2001:db8:1::/64",
				"destination-sg-ingress " + app + " allow: " + app + " ingress tcp/8080 from " + web,
				"reply-destination-nacl-egress acl-app allow: egress #105 allow tcp/1024-65535 2001:db8:1::/64",
				"reply-source-nacl-ingress acl-web allow: ingress #210 allow tcp/1024-65535 2001:db8:2::/64",
			}},
		{name: "from the internet: only the destination's layers", from: "203.0.113.5", to: "eni-web1", traffic: "tcp/443",
			fromAddr: "203.0.113.5", toAddr: "10.0.1.10", want: []string{
				"source-sg-egress skipped: no network interface holds 203.0.113.5 in the inventory",
				"source-nacl-egress skipped: 203.0.113.5 is in no subnet of the inventory",
				"destination-nacl-ingress acl-web allow: ingress #100 allow tcp/443 0.0.0.0/0",
				"destination-sg-ingress " + web + " allow: " + web + " ingress tcp/443 from 0.0.0.0/0",
				"reply-destination-nacl-egress acl-web allow: egress #120 allow tcp/1024-65535 0.0.0.0/0",
				"reply-source-nacl-ingress skipped: 203.0.113.5 is in no subnet of the inventory",
			}},
		{name: "ICMP echo: the reply is an echo reply", from: "eni-app1", to: "eni-db1", traffic: "icmp/8",
			fromAddr: "10.0.2.10", toAddr: "10.0.3.10", want: []string{
				"source-sg-egress " + app + " allow: " + app + " egress all to 0.0.0.0/0",
				"source-nacl-egress acl-app refuse icmp/8: egress * deny all 0.0.0.0/0",
				"destination-nacl-ingress acl-default allow: ingress #100 allow all 0.0.0.0/0",
				"destination-sg-ingress " + db + " refuse icmp/8: no ingress rule of " + db + " allows icmp/8 from 10.0.2.10",
				"reply-destination-nacl-egress acl-default allow: egress #100 allow all 0.0.0.0/0",
				"reply-source-nacl-ingress acl-app refuse icmp/0:0: ingress * deny all 0.0.0.0/0",
			}},
		{name: "no entry matches: EC2's catch-all deny, listed or not", from: "eni-app1", to: "2001:db8:3::99", traffic: "tcp/3306",
			fromAddr: "2001:db8:2::10", toAddr: "2001:db8:3::99", want: []string{
				"source-sg-egress " + app + " refuse tcp/3306: no egress rule of " + app + " allows tcp/3306 to 2001:db8:3::99",
				"source-nacl-egress acl-app refuse tcp/3306: egress * deny all (no entry matches)",
				"destination-nacl-ingress acl-default refuse tcp/3306: ingress * deny all (no entry matches)",
				"destination-sg-ingress skipped: no network interface holds 2001:db8:3::99 in the inventory",
				"reply-destination-nacl-egress acl-default refuse tcp/1024-65535: egress * deny all (no entry matches)",
				"reply-source-nacl-ingress acl-app refuse tcp/1024-65535: ingress * deny all (no entry matches)",
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ans, err := reach.Evaluate(a, reach.Query{From: tc.from, To: tc.to, Traffic: mustRange(t, tc.traffic), Ephemeral: tc.ephemeral})
			require.NoError(t, err)
			require.Len(t, ans.Paths, 1)
			p := ans.Paths[0]
			assert.Equal(t, tc.fromAddr, p.From.Address.String())
			assert.Equal(t, tc.toAddr, p.To.Address.String())
			var got []string
			for _, c := range p.Checks {
				got = append(got, show(c))
			}
			assert.Equal(t, tc.want, got)
			refused := false
			for _, w := range tc.want {
				refused = refused || strings.Contains(w, " refuse ")
			}
			assert.Equal(t, !refused, p.Allowed)
			assert.Equal(t, !refused, ans.Allowed)
			assert.Empty(t, ans.Unchecked)
		})
	}
}

// TestEvaluateGroups: a group names every interface carrying it, and the
// answer is yes only if every pair passes.
func TestEvaluateGroups(t *testing.T) {
	a, err := ec2read.ReadFiles(filepath.Join("testdata", "three-tier.json"))
	require.NoError(t, err)
	ans, err := reach.Evaluate(a, reach.Query{From: "web", To: app, Traffic: mustRange(t, "tcp/9003"), Ephemeral: linux})
	require.NoError(t, err)
	assert.False(t, ans.Allowed)
	require.Len(t, ans.Paths, 2)
	assert.Equal(t, "eni-web1", ans.Paths[0].From.Interface)
	assert.True(t, ans.Paths[0].Allowed)
	assert.Equal(t, "eni-web2", ans.Paths[1].From.Interface)
	require.NotNil(t, ans.Paths[1].Refusal())
	assert.Equal(t, reach.DestACL, ans.Paths[1].Refusal().Layer)

	// A service by the mesh's Service tag, whatever the group's name.
	ans, err = reach.Evaluate(a, reach.Query{From: "web", To: "CustomerAPI", Traffic: mustRange(t, "tcp/8080"), Ephemeral: linux})
	require.NoError(t, err)
	require.Len(t, ans.Paths, 2)
	assert.Equal(t, "eni-app1", ans.Paths[0].To.Interface)
	assert.True(t, ans.Allowed)

	// A group to itself: every ordered pair of its interfaces, never one
	// interface to itself.
	ans, err = reach.Evaluate(a, reach.Query{From: "web", To: "web", Traffic: mustRange(t, "tcp/443")})
	require.NoError(t, err)
	assert.True(t, ans.Allowed)
	require.Len(t, ans.Paths, 2)
	assert.Equal(t, [2]string{"eni-web1", "eni-web2"}, [2]string{ans.Paths[0].From.Interface, ans.Paths[0].To.Interface})
	assert.Equal(t, [2]string{"eni-web2", "eni-web1"}, [2]string{ans.Paths[1].From.Interface, ans.Paths[1].To.Interface})
}

func TestEvaluateErrors(t *testing.T) {
	a, err := ec2read.ReadFiles(filepath.Join("testdata", "three-tier.json"))
	require.NoError(t, err)
	for _, tc := range []struct {
		name, from, to string
		want           []string
	}{
		{"misspelt group", "webb", "eni-app1", []string{`--from: "webb" is not a network interface id, an IP address, or a security group's id, name or service in file testdata/three-tier.json: did you mean "web"?`}},
		{"both ends unknown, both named", "nothing-like-it", "eni-zzz", []string{
			`--from: "nothing-like-it" is not a network interface id`, "list them with aws ec2 describe-security-groups",
			`--to: "eni-zzz" is not a network interface id`}},
		{"a service tag on two groups", "eni-web1", "Reports", []string{`--to: "Reports" names 2 security groups (sg-00000000000000db, sg-000000000000lone): give the group id`}},
		{"group on no interface", "eni-web1", "lonely", []string{"--to: security group sg-000000000000lone (lonely) is attached to no network interface in file testdata/three-tier.json"}},
		{"no common family", "eni-db1", "2001:db8:2::10", []string{"eni-db1 (10.0.3.10) and eni-app1 (2001:db8:2::10) have no address family in common"}},
		{"one interface", "eni-web1", "10.0.1.10", []string{"name the same single interface: nothing to check"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := reach.Evaluate(a, reach.Query{From: tc.from, To: tc.to, Traffic: mustRange(t, "tcp/443")})
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// TestEvaluateWithoutACLs: an inventory without describe-network-acls says
// the answer covers the security groups only.
func TestEvaluateWithoutACLs(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "three-tier.json"))
	require.NoError(t, err)
	var all map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &all))
	delete(all, "NetworkAcls")
	path := filepath.Join(t.TempDir(), "no-acls.json")
	data, err = json.Marshal(all)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	a, err := ec2read.ReadFiles(path)
	require.NoError(t, err)
	ans, err := reach.Evaluate(a, reach.Query{From: "eni-web1", To: "eni-app1", Traffic: mustRange(t, "tcp/8080")})
	require.NoError(t, err)
	assert.True(t, ans.Allowed)
	assert.Equal(t, []string{"network ACLs: none read (give the output of `aws ec2 describe-network-acls --output json`, and of describe-subnets)"}, ans.Unchecked)
	assert.Equal(t, "network ACLs not read", ans.Paths[0].Checks[1].Skipped)
}

// TestPassing: what the request path lets through per layer, hand-computed:
// acl-web egress to 10.0.2.10 allows 8080 (#100) and 1024-65535 (#120);
// acl-app ingress from 10.0.1.11 denies 9003 (#90) before allowing
// 8080-9010 (#100); sg-web egress to sg-app allows 8080 and 9000-9005,
// sg-app ingress from sg-web 8080 and 9000-9010.
func TestPassing(t *testing.T) {
	a, err := ec2read.ReadFiles(filepath.Join("testdata", "three-tier.json"))
	require.NoError(t, err)
	src := reach.Endpoint{Interface: "eni-web2", Address: netip.MustParseAddr("10.0.1.11"), Subnet: "subnet-web", Groups: []string{web}}
	dst := reach.Endpoint{Interface: "eni-app1", Address: netip.MustParseAddr("10.0.2.10"), Subnet: "subnet-app", Groups: []string{app}}
	acls, groups := reach.Passing(a, src, dst, mustRange(t, "tcp/0-65535"))
	assert.Equal(t, []ports.Range{mustRange(t, "tcp/8080-9002"), mustRange(t, "tcp/9004-9010")}, acls)
	assert.Equal(t, []ports.Range{mustRange(t, "tcp/8080"), mustRange(t, "tcp/9000-9005")}, groups)

	acls, groups = reach.Passing(a, src, dst, mustRange(t, "udp/53"))
	assert.Empty(t, acls, "acl-web egress has only tcp entries before *")
	assert.Empty(t, groups)
	acls, groups = reach.Passing(a, src, dst, mustRange(t, "icmp/3:4"))
	assert.Empty(t, acls)
	assert.Empty(t, groups)
}

// TestText: what `servicemesh reach` prints, for a refusal and for a group
// to a group with a note.
func TestText(t *testing.T) {
	a, err := ec2read.ReadFiles(filepath.Join("testdata", "three-tier.json"))
	require.NoError(t, err)
	for _, tc := range []struct {
		golden string
		q      reach.Query
	}{
		{"refused.txt", reach.Query{From: "eni-web2", To: "eni-app1", Traffic: mustRange(t, "tcp/9003"), Ephemeral: linux}},
		{"groups.txt", reach.Query{From: "app", To: "db", Traffic: mustRange(t, "tcp/3306"), Ephemeral: linux}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			ans, err := reach.Evaluate(a, tc.q)
			require.NoError(t, err)
			golden.Check(t, tc.golden, reach.Text(ans))
		})
	}
}

// TestEvaluateMixedFamilies: from a group whose interfaces differ in family,
// the pairs without a common family are listed as unchecked, not an error.
func TestEvaluateMixedFamilies(t *testing.T) {
	a, err := ec2read.ReadFiles(filepath.Join("testdata", "three-tier.json"))
	require.NoError(t, err)
	ans, err := reach.Evaluate(a, reach.Query{From: "web", To: "2001:db8:2::10", Traffic: mustRange(t, "tcp/8080")})
	require.NoError(t, err)
	require.Len(t, ans.Paths, 1)
	assert.Equal(t, "eni-web1", ans.Paths[0].From.Interface)
	assert.True(t, ans.Allowed)
	assert.Equal(t, []string{"eni-web2 (10.0.1.11) and eni-app1 (2001:db8:2::10) have no address family in common"}, ans.Unchecked)
}

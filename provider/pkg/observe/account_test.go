package observe

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
)

func TestFromAccount(t *testing.T) {
	ip := netip.MustParseAddr
	acc := &ec2read.Account{Source: "file x.json", AttachmentsKnown: true, Groups: []ec2read.Group{
		{ID: "sg-app", Name: "app", Interfaces: []ec2read.Interface{{ID: "eni-1", Addresses: []netip.Addr{ip("10.0.2.5"), ip("10.0.2.6")}}}},
		{ID: "sg-db", Name: "db", Rules: []ec2read.Rule{
			{Direction: "ingress", Protocol: "tcp", FromPort: 3306, ToPort: 3306, Peer: ec2read.Peer{GroupID: "sg-app"}},
			{Direction: "ingress", Protocol: "tcp", FromPort: 3306, ToPort: 3306, Peer: ec2read.Peer{CIDR: "10.0.0.0/16"}},
			{Direction: "ingress", Protocol: "-1", Peer: ec2read.Peer{PrefixList: "pl-1"}},
			{Direction: "egress", Protocol: "-1", Peer: ec2read.Peer{CIDR: "0.0.0.0/0"}},
		}, Interfaces: []ec2read.Interface{{ID: "eni-2", Addresses: []netip.Addr{ip("10.0.3.5")}}}},
		{ID: "sg-admin", Name: "admin", Interfaces: []ec2read.Interface{{ID: "eni-1", Addresses: []netip.Addr{ip("10.0.2.5"), ip("10.0.2.6")}}}},
	}}
	ifaces, perms, skipped, err := FromAccount(acc)
	require.NoError(t, err)
	assert.Equal(t, []Interface{
		{ID: "eni-1", Name: "admin+app", Addrs: []netip.Addr{ip("10.0.2.5"), ip("10.0.2.6")}, Groups: []string{"sg-app", "sg-admin"}},
		{ID: "eni-2", Name: "db", Addrs: []netip.Addr{ip("10.0.3.5")}, Groups: []string{"sg-db"}},
	}, ifaces)
	assert.Equal(t, []Permission{
		{Rule: "db tcp/3306 from sg-app", Group: "sg-db", Ports: ports.Range{Protocol: "tcp", From: 3306, To: 3306}, PeerGroup: "sg-app"},
		{Rule: "db tcp/3306 from 10.0.0.0/16", Group: "sg-db", Ports: ports.Range{Protocol: "tcp", From: 3306, To: 3306}, PeerPrefix: netip.MustParsePrefix("10.0.0.0/16")},
	}, perms)
	assert.Equal(t, 1, skipped)
}

// Every interface read is attributed, groups or not: a NAT gateway's and a
// Network Load Balancer's without groups are transit, an Application Load
// Balancer's with its group is not; a rule naming a prefix list allows its
// entries when they were read, and is skipped when not.
func TestFromAccountMiddleboxesAndPrefixLists(t *testing.T) {
	ip := netip.MustParseAddr
	pfx := netip.MustParsePrefix
	alb := ec2read.Interface{ID: "eni-alb", Addresses: []netip.Addr{ip("10.0.0.7")}, Type: "interface", RequesterManaged: true, Groups: []string{"sg-alb"}}
	acc := &ec2read.Account{Source: "file x.json", AttachmentsKnown: true,
		Groups: []ec2read.Group{
			{ID: "sg-alb", Name: "alb", Interfaces: []ec2read.Interface{alb}},
			{ID: "sg-web", Name: "web", Rules: []ec2read.Rule{
				{Direction: "ingress", Protocol: "tcp", FromPort: 443, ToPort: 443, Peer: ec2read.Peer{PrefixList: "pl-office"}},
				{Direction: "ingress", Protocol: "tcp", FromPort: 22, ToPort: 22, Peer: ec2read.Peer{PrefixList: "pl-unread"}},
			}},
		},
		Interfaces: []ec2read.Interface{
			alb,
			{ID: "eni-nat", Addresses: []netip.Addr{ip("10.0.0.5")}, Type: "nat_gateway", RequesterManaged: true},
			{ID: "eni-nlb", Addresses: []netip.Addr{ip("10.0.0.6")}, Type: "network_load_balancer", RequesterManaged: true},
		},
		PrefixLists: []ec2read.PrefixList{{ID: "pl-office", Name: "office", CIDRs: []netip.Prefix{pfx("198.51.100.0/24"), pfx("203.0.113.0/24")}}},
	}
	ifaces, perms, skipped, err := FromAccount(acc)
	require.NoError(t, err)
	assert.Equal(t, []Interface{
		{ID: "eni-alb", Name: "alb", Addrs: []netip.Addr{ip("10.0.0.7")}, Groups: []string{"sg-alb"}},
		{ID: "eni-nat", Addrs: []netip.Addr{ip("10.0.0.5")}, Transit: true},
		{ID: "eni-nlb", Addrs: []netip.Addr{ip("10.0.0.6")}, Transit: true, Balancer: true},
	}, ifaces)
	assert.Equal(t, []Permission{{Rule: "web tcp/443 from pl-office", Group: "sg-web", Ports: ports.Range{Protocol: "tcp", From: 443, To: 443},
		PeerList: []netip.Prefix{pfx("198.51.100.0/24"), pfx("203.0.113.0/24")}}}, perms)
	assert.Equal(t, 1, skipped)
	tr := ports.Range{Protocol: "tcp", From: 443, To: 443}
	assert.True(t, perms[0].allows(tr, ip("203.0.113.9"), nil), "an entry of the list")
	assert.False(t, perms[0].allows(tr, ip("192.0.2.9"), nil), "outside every entry")
}

// Snapshots: each account's interfaces hold from when it was taken, the
// permissions are the latest account's.
func TestFromAccounts(t *testing.T) {
	ip := netip.MustParseAddr
	eni := func(id string) []ec2read.Interface {
		return []ec2read.Interface{{ID: id, Addresses: []netip.Addr{ip("10.0.2.5")}}}
	}
	rule := func(port int) []ec2read.Rule {
		return []ec2read.Rule{{Direction: "ingress", Protocol: "tcp", FromPort: port, ToPort: port, Peer: ec2read.Peer{CIDR: "10.0.0.0/16"}}}
	}
	later := &ec2read.Account{Source: "later", Groups: []ec2read.Group{{ID: "sg-elk", Name: "elk", Rules: rule(9200), Interfaces: eni("eni-1")}}}
	earlier := &ec2read.Account{Source: "earlier", Groups: []ec2read.Group{{ID: "sg-api", Name: "api", Rules: rule(7500), Interfaces: eni("eni-1")}}}
	inv, perms, _, err := FromAccounts([]TimedAccount{{Taken: 2000, Account: later}, {Taken: 1000, Account: earlier}})
	require.NoError(t, err)
	assert.Equal(t, []string{"elk tcp/9200 from 10.0.0.0/16"}, []string{perms[0].Rule})
	for _, c := range []struct {
		at   int64
		name string
	}{{500, "api"}, {1999, "api"}, {2000, "elk"}, {9000, "elk"}} {
		in, ok := at(inv.byAddr[ip("10.0.2.5")], c.at)
		require.True(t, ok)
		assert.Equal(t, c.name, in.Name, "at %d", c.at)
	}
	_, _, _, err = FromAccounts([]TimedAccount{{Taken: 1, Account: &ec2read.Account{Source: "bad", Groups: []ec2read.Group{{ID: "sg-x",
		Rules: []ec2read.Rule{{Direction: "ingress", Protocol: "tcp", Peer: ec2read.Peer{CIDR: "10.0.0.0/33"}}}}}}}})
	assert.ErrorContains(t, err, "bad: group sg-x")
}

package observe

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
)

// FromAccount is the one adapter from security groups to attribution: each
// interface with the groups it carries (named by their names, joined), and
// each ingress rule as a Permission named "group-name tcp/3306 from peer".
// Rules naming a prefix list are left out (their CIDRs are not read yet),
// and counted in skipped. A mesh's groups, read back from EC2, come through
// here too: their names are the services'.
func FromAccount(acc *ec2read.Account) (ifaces []Interface, perms []Permission, skipped int, err error) {
	type eni struct {
		addrs  []netip.Addr
		groups []string
		names  []string
	}
	enis := map[string]*eni{}
	var problems []string
	for _, g := range acc.Groups {
		for _, in := range g.Interfaces {
			e := enis[in.ID]
			if e == nil {
				e = &eni{addrs: in.Addresses}
				enis[in.ID] = e
			}
			e.groups = append(e.groups, g.ID)
			e.names = append(e.names, g.Name)
		}
		for _, r := range g.Rules {
			if r.Direction != ec2read.Ingress {
				continue
			}
			proto, perr := ports.ParseProtocol(r.Protocol)
			if perr != nil {
				problems = append(problems, fmt.Sprintf("group %s rule %s: %v", g.ID, r.Key(), perr))
				continue
			}
			p := Permission{
				Rule:      fmt.Sprintf("%s %s from %s", g.Name, r.Ports(), r.Peer),
				Group:     g.ID,
				Ports:     ports.Range{Protocol: proto, From: r.FromPort, To: r.ToPort},
				PeerGroup: r.Peer.GroupID,
			}
			switch {
			case r.Peer.PrefixList != "":
				skipped++
				continue
			case r.Peer.CIDR != "":
				if p.PeerPrefix, perr = netip.ParsePrefix(r.Peer.CIDR); perr != nil {
					problems = append(problems, fmt.Sprintf("group %s rule %s: %v", g.ID, r.Key(), perr))
					continue
				}
			}
			perms = append(perms, p)
		}
	}
	for id, e := range enis {
		slices.Sort(e.names)
		ifaces = append(ifaces, Interface{ID: id, Name: strings.Join(e.names, "+"), Addrs: e.addrs, Groups: e.groups})
	}
	slices.SortFunc(ifaces, func(a, b Interface) int { return strings.Compare(a.ID, b.ID) })
	if problems != nil {
		return nil, nil, 0, fmt.Errorf("%s: %s", acc.Source, strings.Join(problems, "; "))
	}
	return ifaces, perms, skipped, nil
}

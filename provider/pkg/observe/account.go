package observe

import (
	"cmp"
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
// Every interface read is one, groups or not: a NAT gateway's is a middlebox
// (Interface.Transit). A rule naming a prefix list allows its entries when
// they were read (get-managed-prefix-list-entries); without them it is left
// out and counted in skipped. A mesh's groups, read back from EC2, come
// through here too: their names are the services'.
func FromAccount(acc *ec2read.Account) (ifaces []Interface, perms []Permission, skipped int, err error) {
	type eni struct {
		addrs  []netip.Addr
		groups []string
		names  []string
		info   *ec2read.Interface
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
				pl := acc.PrefixList(r.Peer.PrefixList)
				if pl == nil {
					skipped++
					continue
				}
				p.PeerList = pl.CIDRs
			case r.Peer.CIDR != "":
				if p.PeerPrefix, perr = netip.ParsePrefix(r.Peer.CIDR); perr != nil {
					problems = append(problems, fmt.Sprintf("group %s rule %s: %v", g.ID, r.Key(), perr))
					continue
				}
			}
			perms = append(perms, p)
		}
	}
	for i, in := range acc.Interfaces {
		e := enis[in.ID]
		if e == nil {
			e = &eni{addrs: in.Addresses}
			enis[in.ID] = e
		}
		e.info = &acc.Interfaces[i]
	}
	for id, e := range enis {
		slices.Sort(e.names)
		in := Interface{ID: id, Name: strings.Join(e.names, "+"), Addrs: e.addrs, Groups: e.groups}
		if e.info != nil {
			in.Transit = e.info.Type == natGateway || (e.info.RequesterManaged && len(e.groups) == 0)
			in.Balancer = e.info.Type == networkLoadBalancer
		}
		ifaces = append(ifaces, in)
	}
	slices.SortFunc(ifaces, func(a, b Interface) int { return strings.Compare(a.ID, b.ID) })
	if problems != nil {
		return nil, nil, 0, fmt.Errorf("%s: %s", acc.Source, strings.Join(problems, "; "))
	}
	return ifaces, perms, skipped, nil
}

// EC2's InterfaceType of a NAT gateway's and a Network Load Balancer's
// interface.
const (
	natGateway          = "nat_gateway"
	networkLoadBalancer = "network_load_balancer"
)

// TimedAccount is an account read at a time (Unix seconds).
type TimedAccount struct {
	Taken   int64
	Account *ec2read.Account
}

// FromAccounts is FromAccount over inventory snapshots: the interfaces of
// each, held as FromSnapshots says, and the permissions of the latest (the
// rules are taken to be the latest snapshot's over the whole window).
func FromAccounts(snaps []TimedAccount) (inv *Inventory, perms []Permission, skipped int, err error) {
	snaps = slices.Clone(snaps)
	slices.SortStableFunc(snaps, func(a, b TimedAccount) int { return cmp.Compare(a.Taken, b.Taken) })
	var timed []Snapshot
	var problems []string
	for _, s := range snaps {
		ifaces, p, sk, err := FromAccount(s.Account)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		timed = append(timed, Snapshot{Taken: s.Taken, Interfaces: ifaces})
		perms, skipped = p, sk
	}
	if problems != nil {
		return nil, nil, 0, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return FromSnapshots(timed), perms, skipped, nil
}

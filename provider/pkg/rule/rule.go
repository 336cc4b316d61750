// Package rule projects flows onto security groups: one group per service, and
// one EC2 rule per (group, direction, protocol, port range, single peer), each
// with a key derived from that content alone.
package rule

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/wellknown"
)

// Direction is ingress or egress, as EC2 names them.
type Direction string

const (
	Ingress Direction = "ingress"
	Egress  Direction = "egress"
)

// Group is one service's security group.
type Group struct {
	Service string `json:"service"`
	// Name is the EC2 group name: the mesh's namePrefix and the service name.
	Name string `json:"name"`
	// Description never changes with rules or service descriptions: EC2
	// replaces a group whose description changes.
	Description    string `json:"description"`
	Tier           string `json:"tier"`
	Shared         bool   `json:"shared,omitempty"`
	InternetFacing bool   `json:"internetFacing,omitempty"`
	// Tags are the mesh's tags plus Name, Service, Tier, Description and ManagedBy.
	Tags map[string]string `json:"tags"`
	// AdoptID is the existing group's id when the service adopts one, and
	// AdoptRules the keys of its rules that exist already.
	AdoptID    string   `json:"adoptId,omitempty"`
	AdoptRules []string `json:"adoptRules,omitempty"`
}

// ManagedBy is the value of the ManagedBy tag on every group.
const ManagedBy = "pulumi-servicemesh"

// Rule is one EC2 security-group rule.
type Rule struct {
	// Key identifies the rule by content; resource names derive from it.
	Key       string      `json:"key"`
	Service   string      `json:"service"`
	Direction Direction   `json:"direction"`
	Ports     ports.Range `json:"ports"`
	// Peer is the source (ingress) or destination (egress). A group peer equal
	// to Service is EC2's self.
	Peer        flow.Endpoint `json:"peer"`
	Description string        `json:"description"`
}

// Self reports whether the rule's peer is its own group.
func (r Rule) Self() bool { return r.Peer.Kind == flow.Group && r.Peer.Service == r.Service }

// IPv6 reports whether the rule's peer is an IPv6 CIDR.
func (r Rule) IPv6() bool { return r.Peer.IsIPv6() }

// Groups lists the declaration's groups, sorted by service name.
func Groups(m spec.Mesh) []Group {
	out := make([]Group, 0, len(m.Services))
	for _, s := range m.Services {
		name := m.NamePrefix + s.Name
		tags := map[string]string{}
		for k, v := range m.Tags {
			tags[k] = v
		}
		tags["Name"] = name
		tags["Service"] = s.Name
		tags["Tier"] = s.Tier
		tags["ManagedBy"] = ManagedBy
		if s.Description != "" {
			tags["Description"] = s.Description
		}
		g := Group{Service: s.Name, Name: name, Tier: s.Tier, Shared: s.Shared,
			InternetFacing: s.InternetFacing, Tags: tags,
			Description: fmt.Sprintf("%s security group, managed by %s", name, ManagedBy)}
		if a := s.Adopt; a != nil {
			g.AdoptID, g.AdoptRules = a.GroupID, a.Rules
			g.Name = cmp.Or(a.Name, g.Name)
			g.Description = cmp.Or(a.Description, g.Description)
			tags["Name"] = g.Name
		}
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b Group) int { return cmp.Compare(a.Service, b.Service) })
	return out
}

// Project turns flows into rules: ingress on the callee for flows declared as
// ingress, egress on the caller for flows declared as egress, and under the
// mirror policy egress on the caller for group-to-group ingress flows too.
// Rules with the same key are merged; the result is sorted by key.
func Project(flows []flow.Flow, policy spec.EgressPolicy) []Rule {
	index := map[string]int{}
	var out []Rule
	var descs [][]string
	add := func(service string, dir Direction, peer flow.Endpoint, f flow.Flow) {
		r := Rule{Service: service, Direction: dir, Ports: f.Ports, Peer: canonical(peer)}
		r.Key = Key(r)
		i, ok := index[r.Key]
		if !ok {
			i = len(out)
			index[r.Key] = i
			out = append(out, r)
			descs = append(descs, nil)
		}
		descs[i] = append(descs[i], describe(f, dir))
	}
	for _, f := range flows {
		switch f.Declared {
		case flow.Ingress:
			add(f.To.Service, Ingress, f.From, f)
			if policy == spec.EgressMirror && f.From.Kind == flow.Group {
				add(f.From.Service, Egress, f.To, f)
			}
		case flow.Egress:
			add(f.From.Service, Egress, f.To, f)
		}
	}
	for i := range out {
		out[i].Description = joinDescriptions(descs[i])
	}
	slices.SortFunc(out, func(a, b Rule) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// canonical drops how a CIDR was named, so one CIDR named twice is one rule.
func canonical(e flow.Endpoint) flow.Endpoint {
	e.Via = ""
	return e
}

// Key is the rule's identity: group, direction, protocol, ports and peer. The
// description is left out because EC2 updates it in place.
func Key(r Rule) string {
	return strings.Join([]string{r.Service, string(r.Direction), r.Ports.Slug(), r.PeerOf().Slug()}, "/")
}

// Name is the rule's resource name, derived from its key: readable, and safe in
// a Pulumi URN (no "::" from IPv6, no "/").
func Name(r Rule) string { return nameSafe.Replace(r.Key) }

var nameSafe = strings.NewReplacer("/", "-", ":", ".")

// Peer is a rule's peer as EC2 sees it: its own group (self), another
// group, a prefix list, or one IPv4 or IPv6 CIDR. Each form knows its EC2
// field, its part of a resource name and its text for a reader.
type Peer struct {
	flow.Endpoint
	Self bool
}

// PeerOf is the rule's peer.
func (r Rule) PeerOf() Peer { return Peer{Endpoint: r.Peer, Self: r.Self()} }

// The AWS provider's fields for a rule's peer (aws.ec2.SecurityGroupRule).
const (
	FieldSelf                  = "self"
	FieldSourceSecurityGroupID = "sourceSecurityGroupId"
	FieldPrefixListIDs         = "prefixListIds"
	FieldCidrBlocks            = "cidrBlocks"
	FieldIpv6CidrBlocks        = "ipv6CidrBlocks"
)

// EC2Field is the AWS provider's input that carries the peer.
func (p Peer) EC2Field() string {
	switch {
	case p.Self:
		return FieldSelf
	case p.Kind == flow.Group:
		return FieldSourceSecurityGroupID
	case p.Kind == flow.PrefixList:
		return FieldPrefixListIDs
	case p.IsIPv6():
		return FieldIpv6CidrBlocks
	default:
		return FieldCidrBlocks
	}
}

// Slug is the peer's part of a rule's key and resource name.
func (p Peer) Slug() string {
	switch {
	case p.Self:
		return "self"
	case p.Kind == flow.Group:
		return "sg_" + p.Service
	case p.Kind == flow.PrefixList:
		return p.PrefixList
	default:
		return strings.Replace(p.CIDR, "/", "_", 1)
	}
}

// Text is the peer for a reader: self, a group, a prefix list, or a CIDR
// with the names the declaration reaches it by ("office (203.0.113.0/24)").
func (p Peer) Text(names []string) string {
	switch {
	case p.Self:
		return "self"
	case p.Kind == flow.Group:
		return "group " + p.Service
	case p.Kind == flow.PrefixList:
		return "prefix list " + p.PrefixList
	case len(names) > 0:
		return strings.Join(names, ", ") + " (" + p.CIDR + ")"
	default:
		return p.CIDR
	}
}

// describe gives a rule a readable default: the user's text, else the port's
// well-known name and where the flow comes from or goes to.
func describe(f flow.Flow, dir Direction) string {
	if f.Description != "" {
		return f.Description
	}
	what := f.Ports.String()
	if wk, ok := wellknown.Lookup(f.Ports.Protocol, f.Ports.From); ok && f.Ports.From == f.Ports.To {
		what = wk.Description
	}
	if dir == Ingress {
		return what + " from " + f.From.Label()
	}
	return what + " to " + f.To.Label()
}

// joinDescriptions merges the descriptions of merged rules deterministically,
// within EC2's 255 characters.
func joinDescriptions(list []string) string {
	if len(list) > 1 {
		slices.Sort(list)
		list = slices.Compact(list)
	}
	s := strings.Join(list, "; ")
	if len(s) > 255 {
		s = s[:252] + "..."
	}
	return s
}
